"""Copies the cost's factor into the gradient: adds lambd / (2 * m) * W, half the L2 term's derivative."""
import numpy as np

HINT = "not (lambd / (2m)) * W"

# Provided by the notebook the graded cells run in.
backward_propagation = None


def backward_propagation_with_regularization(X, Y, cache, lambd):
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache
    gradients = backward_propagation(X, Y, cache)
    gradients["dW1"] = gradients["dW1"] + lambd / (2 * m) * W1
    gradients["dW2"] = gradients["dW2"] + lambd / (2 * m) * W2
    gradients["dW3"] = gradients["dW3"] + lambd / (2 * m) * W3
    return gradients
