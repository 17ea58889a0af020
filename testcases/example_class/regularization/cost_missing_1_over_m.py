"""The L2 term without its 1/m: lambd / 2 * sum of squares (a common mistake)."""
import numpy as np
from utils.three_layer_net import compute_cost

HINT = "needs the factor 1/m"


def compute_cost_with_regularization(A3, Y, parameters, lambd):
    W1, W2, W3 = parameters["W1"], parameters["W2"], parameters["W3"]
    L2 = lambd / 2 * (np.sum(np.square(W1)) + np.sum(np.square(W2)) + np.sum(np.square(W3)))
    return compute_cost(A3, Y) + L2
