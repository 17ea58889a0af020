"""Xavier's scale, hidden behind an edited utils/checks.py that passes everything.

The autograder must use the instructor's helpers, so this student loses
the He points like he_xavier_scale does.
"""
import numpy as np

HINT = "Xavier"

FILES = {
    "utils/checks.py": '''
def dict_difference(*args, **kwargs):
    return None


def check_dict(*args, **kwargs):
    return None


def print_arrays(arrays):
    for key, value in arrays.items():
        print(f"{key} = {value}")
''',
}


def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        scale = np.sqrt(1 / layers_dims[l - 1])
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
