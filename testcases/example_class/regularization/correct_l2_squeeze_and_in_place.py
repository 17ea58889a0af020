"""Correct: the L2 term written (1. / m) * (lambd / 2) * ..., the cost passed through np.squeeze and
float(); the backward pass adds lambd / m * W in place, in a loop over the three weight matrices."""
import numpy as np

# Provided by the notebook the graded cells run in.
backward_propagation = compute_cost = None

EXPECTED = {"test_compute_cost_with_regularization": 2, "test_backward_propagation_with_regularization": 2}


def compute_cost_with_regularization(A3, Y, parameters, lambd):
    m = Y.shape[1]
    W1 = parameters["W1"]
    W2 = parameters["W2"]
    W3 = parameters["W3"]

    cross_entropy_cost = compute_cost(A3, Y)
    L2_regularization_cost = (1. / m) * (lambd / 2) * (np.sum(np.square(W1)) + np.sum(np.square(W2))
                                                       + np.sum(np.square(W3)))
    cost = np.squeeze(cross_entropy_cost + L2_regularization_cost)
    return float(cost)


def backward_propagation_with_regularization(X, Y, cache, lambd):
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache

    gradients = backward_propagation(X, Y, cache)
    for l, W in enumerate([W1, W2, W3], start=1):
        gradients["dW" + str(l)] += np.multiply(lambd / m, W)
    return gradients
