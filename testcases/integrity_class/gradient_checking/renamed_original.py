"""Works alone, in a style of their own: matrix products with @, one copy per shift."""
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

    for i in range(num_parameters):
        up = parameters_values.copy()
        up[i, 0] += epsilon
        down = parameters_values.copy()
        down[i, 0] -= epsilon
        J_plus[i, 0] = forward_propagation_n(X, Y, vector_to_dictionary(up, keys))[0]
        J_minus[i, 0] = forward_propagation_n(X, Y, vector_to_dictionary(down, keys))[0]
        gradapprox[i, 0] = (J_plus[i, 0] - J_minus[i, 0]) / (2 * epsilon)

    grad = gradients_to_vector(gradients)
    gap = np.sqrt(np.sum((grad - gradapprox) ** 2))
    scale = np.sqrt(np.sum(grad ** 2)) + np.sqrt(np.sum(gradapprox ** 2))
    difference = gap / scale

    if difference > cases.THRESHOLD:
        print(f"There is a mistake in the backward propagation! difference = {difference}")
    else:
        print(f"Your backward propagation works perfectly fine! difference = {difference}")
    print_block_differences(grad, gradapprox, keys)
    return difference


def backward_propagation_n_fixed(X, Y, cache):
    m = X.shape[1]
    Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3 = cache
    dZ3 = A3 - Y
    dW3 = (dZ3 @ A2.T) / m
    db3 = dZ3.sum(axis=1, keepdims=True) / m
    dA2 = W3.T @ dZ3
    dZ2 = dA2 * (A2 > 0)
    dW2 = (dZ2 @ A1.T) / m
    db2 = dZ2.sum(axis=1, keepdims=True) / m
    dA1 = W2.T @ dZ2
    dZ1 = dA1 * (A1 > 0)
    dW1 = (dZ1 @ X.T) / m
    db1 = dZ1.sum(axis=1, keepdims=True) / m

    return {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
            "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}
