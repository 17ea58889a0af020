"""Adds lambd * W to each dW: the 1/m of the L2 gradient is missing."""
from utils.three_layer_net import backward_propagation

HINT = "the 1/m is missing"


def backward_propagation_with_regularization(X, Y, cache, lambd):
    gradients = backward_propagation(X, Y, cache)
    gradients["dW1"] = gradients["dW1"] + lambd * cache[2]
    gradients["dW2"] = gradients["dW2"] + lambd * cache[6]
    gradients["dW3"] = gradients["dW3"] + lambd * cache[10]
    return gradients
