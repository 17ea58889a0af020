"""Feeds the masked activations forward but caches A1 and A2 as they were before dropout."""
import numpy as np
from utils.activations import relu, sigmoid

HINT = "cache the A1 and A2 that went into the next layer"


def forward_propagation_with_dropout(X, parameters, keep_prob=0.5):
    np.random.seed(1)
    W1, b1, W2, b2, W3, b3 = (parameters[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    Z1 = np.dot(W1, X) + b1
    A1 = relu(Z1)
    D1 = np.random.rand(*A1.shape) < keep_prob
    A1_dropped = A1 * D1 / keep_prob
    Z2 = np.dot(W2, A1_dropped) + b2
    A2 = relu(Z2)
    D2 = np.random.rand(*A2.shape) < keep_prob
    A2_dropped = A2 * D2 / keep_prob
    Z3 = np.dot(W3, A2_dropped) + b3
    A3 = sigmoid(Z3)
    return A3, (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)
