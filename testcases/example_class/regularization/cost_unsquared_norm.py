"""Adds the Frobenius norms ||W||, not their squares."""
import numpy as np
from utils.three_layer_net import compute_cost

HINT = "the squared norm"


def compute_cost_with_regularization(A3, Y, parameters, lambd):
    m = Y.shape[1]
    W1, W2, W3 = parameters["W1"], parameters["W2"], parameters["W3"]
    L2 = lambd / (2 * m) * (np.linalg.norm(W1) + np.linalg.norm(W2) + np.linalg.norm(W3))
    return compute_cost(A3, Y) + L2
