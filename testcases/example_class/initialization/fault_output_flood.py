"""Correct zero initialization that prints 20 MB on every call.

nbgrader's LimitOutput keeps a few thousand characters per cell, so the graded
notebook and the feedback stay small; the answer is right, so no point is lost.
"""
import numpy as np

EXPECTED = {"test_initialize_parameters_zeros": 1}


def initialize_parameters_zeros(layers_dims):
    print("x" * 20_000_000)
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = np.zeros((layers_dims[l], layers_dims[l - 1]))
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
