"""Squares the sum of the weights, np.sum(W) ** 2, instead of summing their squares."""
import numpy as np
from utils.three_layer_net import compute_cost

HINT = "np.sum(np.square(W)), not np.sum(W) ** 2"


def compute_cost_with_regularization(A3, Y, parameters, lambd):
    m = Y.shape[1]
    W1, W2, W3 = parameters["W1"], parameters["W2"], parameters["W3"]
    L2 = lambd / (2 * m) * (np.sum(W1) ** 2 + np.sum(W2) ** 2 + np.sum(W3) ** 2)
    return compute_cost(A3, Y) + L2
