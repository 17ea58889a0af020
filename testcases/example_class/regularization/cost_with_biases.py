"""Regularizes the biases as well as the weights."""
import numpy as np
from utils.three_layer_net import compute_cost

HINT = "not the biases"


def compute_cost_with_regularization(A3, Y, parameters, lambd):
    m = Y.shape[1]
    squares = sum(np.sum(np.square(value)) for value in parameters.values())
    return compute_cost(A3, Y) + lambd / (2 * m) * squares
