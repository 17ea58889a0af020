"""Subtracts the L2 term's gradient (lambd / m) * W from dW instead of adding it."""
from utils.three_layer_net import backward_propagation

HINT = "it was subtracted"


def backward_propagation_with_regularization(X, Y, cache, lambd):
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache
    gradients = backward_propagation(X, Y, cache)
    gradients["dW1"] = gradients["dW1"] - lambd / m * W1
    gradients["dW2"] = gradients["dW2"] - lambd / m * W2
    gradients["dW3"] = gradients["dW3"] - lambd / m * W3
    return gradients
