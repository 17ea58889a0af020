"""np.zeros(layers_dims[l], layers_dims[l - 1]) without the inner parentheses: numpy reads the
second size as a dtype and raises TypeError."""
import numpy as np

HINT = 'take the shape as one tuple'


def initialize_parameters_zeros(layers_dims):
    parameters = {}
    L = len(layers_dims)
    for l in range(1, L):
        parameters["W" + str(l)] = np.zeros(layers_dims[l], layers_dims[l - 1])
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
