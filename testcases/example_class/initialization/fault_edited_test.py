"""Wrong zero initialization, and its test cell edited to test nothing.

nbgrader puts the instructor's test cell back before it runs: the student loses the points.
"""
import numpy as np

EDIT = {"test_initialize_parameters_zeros": "print('all tests passed')"}


def initialize_parameters_zeros(layers_dims):
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = np.ones((layers_dims[l], layers_dims[l - 1]))
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
