"""Loops over range(L) but builds the keys from l, not l + 1: asks for "W0" and raises KeyError."""
import numpy as np

HINT = 'layers are numbered from 1'


def update_parameters_with_gd(parameters, grads, learning_rate):
    L = len(parameters) // 2
    for l in range(L):
        parameters["W" + str(l)] = parameters["W" + str(l)] - learning_rate * grads["dW" + str(l)]
        parameters["b" + str(l)] = parameters["b" + str(l)] - learning_rate * grads["db" + str(l)]
    return parameters
