"""Activation functions, applied element-wise to arrays of any shape."""
import numpy as np


def sigmoid(z):
    """Logistic function 1 / (1 + exp(-z)).

    exp(-z) overflows to inf for very negative z; the result is still the
    correct limit 0, so the overflow warning is silenced rather than shown.
    """
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-z))


def relu(z):
    """max(0, z)."""
    return np.maximum(0, z)
