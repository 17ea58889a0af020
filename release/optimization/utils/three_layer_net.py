"""The network every assignment trains: LINEAR->RELU->LINEAR->RELU->LINEAR->SIGMOID.

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


def backward_propagation(X, Y, cache):
    """Gradients of the mean cross-entropy with respect to every parameter.

    Returns a dict with dW1, db1, dW2, db2, dW3, db3 (each the shape of its
    parameter) and the intermediate dZ3, dA2, dZ2, dA1, dZ1.
    """
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache

    dZ3 = 1. / m * (A3 - Y)
    dW3 = np.dot(dZ3, A2.T)
    db3 = np.sum(dZ3, axis=1, keepdims=True)

    dA2 = np.dot(W3.T, dZ3)
    dZ2 = np.multiply(dA2, A2 > 0)
    dW2 = np.dot(dZ2, A1.T)
    db2 = np.sum(dZ2, axis=1, keepdims=True)

    dA1 = np.dot(W2.T, dZ2)
    dZ1 = np.multiply(dA1, A1 > 0)
    dW1 = np.dot(dZ1, X.T)
    db1 = np.sum(dZ1, axis=1, keepdims=True)

    return {"dZ3": dZ3, "dW3": dW3, "db3": db3,
            "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
            "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}


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


def update_parameters(parameters, grads, learning_rate):
    """One step of gradient descent; returns the updated parameters."""
    L = len(parameters) // 2
    for l in range(1, L + 1):
        parameters[f"W{l}"] = parameters[f"W{l}"] - learning_rate * grads[f"dW{l}"]
        parameters[f"b{l}"] = parameters[f"b{l}"] - learning_rate * grads[f"db{l}"]
    return parameters


def predict(X, parameters):
    """Labels in {0, 1} predicted for the columns of X, shape (1, m)."""
    A3, _ = forward_propagation(X, parameters)
    return (A3 > 0.5).astype(int)


def accuracy(X, Y, parameters):
    """Fraction of the columns of X whose predicted label equals Y."""
    return float(np.mean(predict(X, parameters) == Y))
