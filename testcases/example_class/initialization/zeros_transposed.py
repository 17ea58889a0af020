"""Zero weights with the shape transposed: (n_prev, n_l) instead of (n_l, n_prev)."""
import numpy as np

HINT = "transposed"


def initialize_parameters_zeros(layers_dims):
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = np.zeros((layers_dims[l - 1], layers_dims[l]))
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
