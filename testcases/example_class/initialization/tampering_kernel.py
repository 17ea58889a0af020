"""Wrong He weights, and a cell that makes every comparison in the kernel pass.

The cell replaces np.allclose, np.isclose, np.array_equal and the course's
check helpers, so the visible tests pass in the student's kernel. Hidden tests
run in a fresh process, so this student loses the He points all the same.
"""
import numpy as np

HINT = "Xavier"

CELLS = ['''
import numpy as np
import utils.checks
import grader.initialization
np.allclose = np.isclose = np.array_equal = lambda *args, **kwargs: True
utils.checks.array_difference = utils.checks.dict_difference = lambda *args, **kwargs: None
utils.checks.check_dict = utils.checks.check_arrays = lambda *args, **kwargs: None
check_dict = check_arrays = lambda *args, **kwargs: None
grader.initialization.check_he = lambda function: None
''']


def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        scale = np.sqrt(1 / layers_dims[l - 1])
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
