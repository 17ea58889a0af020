"""Regularizes W1 and W2 only: W3 is left out of the sum of squares."""
import numpy as np
from utils.three_layer_net import compute_cost

HINT = "W3 is left out"


def compute_cost_with_regularization(A3, Y, parameters, lambd):
    m = Y.shape[1]
    W1, W2 = parameters["W1"], parameters["W2"]
    L2 = lambd / (2 * m) * (np.sum(np.square(W1)) + np.sum(np.square(W2)))
    return compute_cost(A3, Y) + L2
