"""The network every assignment trains: LINEAR->RELU->LINEAR->RELU->LINEAR->SIGMOID.

Shapes: X is (n_x, m) with one example per column, Y is (1, m) with labels in
{0, 1}; parameters is a dict with W1 (n1, n_x), b1 (n1, 1), W2 (n2, n1),
b2 (n2, 1), W3 (1, n2), b3 (1, 1).

The forward pass and the backward pass live in modules of their own, so that an
assignment whose exercise is one of them (a gradient-descent step, a fixed
backward pass) ships without it; this module puts the whole network in one place.
"""
from .three_layer_backward import backward_propagation
from .three_layer_forward import accuracy, compute_cost, forward_propagation, predict

__all__ = ["accuracy", "backward_propagation", "compute_cost", "forward_propagation", "predict",
           "update_parameters"]


def update_parameters(parameters, grads, learning_rate):
    """One step of gradient descent; returns the updated parameters."""
    L = len(parameters) // 2
    for l in range(1, L + 1):
        parameters[f"W{l}"] = parameters[f"W{l}"] - learning_rate * grads[f"dW{l}"]
        parameters[f"b{l}"] = parameters[f"b{l}"] - learning_rate * grads[f"db{l}"]
    return parameters
