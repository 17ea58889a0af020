"""Adds the L2 term to a loop variable dW: the new value is never stored back in gradients."""
from utils.three_layer_net import backward_propagation

HINT = "not stored back in gradients"


def backward_propagation_with_regularization(X, Y, cache, lambd):
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache
    gradients = backward_propagation(X, Y, cache)
    for W, dW in ((W1, gradients["dW1"]), (W2, gradients["dW2"]), (W3, gradients["dW3"])):
        dW = dW + lambd / m * W
    return gradients
