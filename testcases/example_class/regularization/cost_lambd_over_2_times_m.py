"""Writes lambd / 2 * m, which Python reads as (lambd / 2) * m: the term is m**2 times too large."""
import numpy as np
from utils.three_layer_net import compute_cost

HINT = "write lambd / (2 * m)"


def compute_cost_with_regularization(A3, Y, parameters, lambd):
    m = Y.shape[1]
    W1, W2, W3 = parameters["W1"], parameters["W2"], parameters["W3"]
    L2 = lambd / 2 * m * (np.sum(np.square(W1)) + np.sum(np.square(W2)) + np.sum(np.square(W3)))
    return compute_cost(A3, Y) + L2
