"""A numerical gradient of an array-valued function, to check a backward pass against."""
import numpy as np


def numerical_gradient_array(f, x, dout, h=1e-5):
    """Centered-difference gradient of sum(f(x) * dout) with respect to array x.

    f takes an array of x's shape and returns an array of dout's shape; x is
    perturbed in place one entry at a time and restored.
    """
    grad = np.zeros_like(x, dtype=float)
    for index in np.ndindex(x.shape):
        old = x[index]
        x[index] = old + h
        plus = f(x).copy()
        x[index] = old - h
        minus = f(x).copy()
        x[index] = old
        grad[index] = np.sum((plus - minus) * dout) / (2 * h)
    return grad


def rel_error(a, b):
    """Largest element-wise relative error max(|a - b| / max(1e-8, |a| + |b|))."""
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))
