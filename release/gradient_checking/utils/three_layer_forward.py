"""The forward side of the course's network, LINEAR->RELU->LINEAR->RELU->LINEAR->SIGMOID:
its output, its cost and its predictions.

Shapes: X is (n_x, m) with one example per column, Y is (1, m) with labels in
{0, 1}; parameters is a dict with W1 (n1, n_x), b1 (n1, 1), W2 (n2, n1),
b2 (n2, 1), W3 (1, n2), b3 (1, 1).
"""
import numpy as np

from .activations import relu, sigmoid


def forward_propagation(X, parameters):
    """Run the network on X.

    Returns:
        A3: output probabilities, shape (1, m)
        cache: (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3), for the backward pass
    """
    W1, b1 = parameters["W1"], parameters["b1"]
    W2, b2 = parameters["W2"], parameters["b2"]
    W3, b3 = parameters["W3"], parameters["b3"]

    Z1 = np.dot(W1, X) + b1
    A1 = relu(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = relu(Z2)
    Z3 = np.dot(W3, A2) + b3
    A3 = sigmoid(Z3)
    return A3, (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)


def compute_cost(A3, Y):
    """Mean cross-entropy between predictions A3 and labels Y, both (1, m).

    A prediction of exactly 0 or 1 on the wrong label costs log(0) = inf,
    which is what the cost honestly is, so the divide warning is silenced.
    nansum skips the 0 * log(0) = nan terms of predictions that are right.
    """
    m = Y.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        logprobs = np.multiply(-np.log(A3), Y) + np.multiply(-np.log(1 - A3), 1 - Y)
    return 1. / m * np.nansum(logprobs)


def predict(X, parameters):
    """Labels in {0, 1} predicted for the columns of X, shape (1, m)."""
    A3, _ = forward_propagation(X, parameters)
    return (A3 > 0.5).astype(int)


def accuracy(X, Y, parameters):
    """Fraction of the columns of X whose predicted label equals Y."""
    return float(np.mean(predict(X, parameters) == Y))
