"""Biases drawn at random like the weights instead of starting at zero."""
import numpy as np

HINT = "b1 is not zero"


def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        scale = np.sqrt(2 / layers_dims[l - 1])
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale
        parameters["b" + str(l)] = np.random.randn(layers_dims[l], 1) * scale
    return parameters
