"""Correct: integer masks (np.random.rand(*A.shape) < keep_prob).astype(int), np.maximum(0, Z) for relu,
@ for the last layer, in-place /= keep_prob in both passes, and np.int64(A > 0) for relu's derivative."""
import numpy as np

# Provided by the notebook the graded cells run in.
sigmoid = None

EXPECTED = {"test_forward_propagation_with_dropout": 2, "test_backward_propagation_with_dropout": 2}


def forward_propagation_with_dropout(X, parameters, keep_prob=0.5):
    np.random.seed(1)
    W1 = parameters["W1"]
    b1 = parameters["b1"]
    W2 = parameters["W2"]
    b2 = parameters["b2"]
    W3 = parameters["W3"]
    b3 = parameters["b3"]

    Z1 = np.dot(W1, X) + b1
    A1 = np.maximum(0, Z1)
    D1 = (np.random.rand(*A1.shape) < keep_prob).astype(int)
    A1 = np.multiply(A1, D1)
    A1 /= keep_prob

    Z2 = np.dot(W2, A1) + b2
    A2 = np.maximum(0, Z2)
    D2 = (np.random.rand(*A2.shape) < keep_prob).astype(int)
    A2 = np.multiply(A2, D2)
    A2 /= keep_prob

    Z3 = W3 @ A2 + b3
    A3 = sigmoid(Z3)

    cache = (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)
    return A3, cache


def backward_propagation_with_dropout(X, Y, cache, keep_prob):
    m = X.shape[1]
    (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3) = cache

    dZ3 = A3 - Y
    dW3 = 1. / m * np.dot(dZ3, A2.T)
    db3 = 1. / m * np.sum(dZ3, axis=1, keepdims=True)

    dA2 = np.dot(W3.T, dZ3)
    dA2 = np.multiply(dA2, D2)
    dA2 /= keep_prob
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1. / m * np.dot(dZ2, A1.T)
    db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True)

    dA1 = np.dot(W2.T, dZ2)
    dA1 = np.multiply(dA1, D1)
    dA1 /= keep_prob
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1. / m * np.dot(dZ1, X.T)
    db1 = 1. / m * np.sum(dZ1, axis=1, keepdims=True)

    gradients = {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
                 "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}
    return gradients
