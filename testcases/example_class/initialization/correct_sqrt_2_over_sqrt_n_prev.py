"""Correct, in the original notebook's style: L = len(layers_dims) - 1 and a loop over range(1, L + 1),
np.zeros(shape=...), He written np.sqrt(2.) / np.sqrt(layers_dims[l - 1]), and a print of each shape."""
import numpy as np

EXPECTED = {"test_initialize_parameters_zeros": 1, "test_initialize_parameters_random": 2,
            "test_initialize_parameters_he": 2}


def initialize_parameters_zeros(layers_dims):
    parameters = {}
    L = len(layers_dims) - 1  # hidden and output layers only

    for l in range(1, L + 1):
        parameters['W' + str(l)] = np.zeros(shape=(layers_dims[l], layers_dims[l - 1]))
        parameters['b' + str(l)] = np.zeros(shape=(layers_dims[l], 1))
    return parameters


def initialize_parameters_random(layers_dims):
    np.random.seed(3)
    parameters = {}
    L = len(layers_dims) - 1

    for l in range(1, L + 1):
        parameters['W' + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * 10
        parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))
        print("layer", l, "W shape:", parameters['W' + str(l)].shape)
    return parameters


def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = {}
    L = len(layers_dims) - 1

    for l in range(1, L + 1):
        he = np.sqrt(2.) / np.sqrt(layers_dims[l - 1])
        parameters['W' + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * he
        parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
