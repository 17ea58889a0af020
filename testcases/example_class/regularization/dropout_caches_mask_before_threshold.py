"""Thresholds the random numbers inline, A1 * (D1 < keep_prob), so D1 and D2 stay the uniform draws:
A3 is right, but the cache hands the backward pass numbers in [0, 1) instead of the 0/1 masks."""
import numpy as np

# Provided by the notebook the graded cells run in.
relu = sigmoid = None


def forward_propagation_with_dropout(X, parameters, keep_prob=0.5):
    np.random.seed(1)
    W1, b1 = parameters["W1"], parameters["b1"]
    W2, b2 = parameters["W2"], parameters["b2"]
    W3, b3 = parameters["W3"], parameters["b3"]

    Z1 = np.dot(W1, X) + b1
    A1 = relu(Z1)
    D1 = np.random.rand(A1.shape[0], A1.shape[1])
    A1 = A1 * (D1 < keep_prob)
    A1 = A1 / keep_prob

    Z2 = np.dot(W2, A1) + b2
    A2 = relu(Z2)
    D2 = np.random.rand(A2.shape[0], A2.shape[1])
    A2 = A2 * (D2 < keep_prob)
    A2 = A2 / keep_prob

    Z3 = np.dot(W3, A2) + b3
    A3 = sigmoid(Z3)

    cache = (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)
    return A3, cache
