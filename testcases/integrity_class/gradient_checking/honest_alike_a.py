"""Works alone; the one-line answers are the ones honest_alike_b wrote too."""
import numpy as np
from testcases import gradient_checking as cases
from utils.gradient_check import dictionary_to_vector, gradients_to_vector, vector_to_dictionary

# Provided by the notebook the graded cells run in.
forward_propagation_n = print_block_differences = None


def forward_propagation(x, theta):
    J = np.dot(theta, x)
    return J


def backward_propagation(x, theta):
    dtheta = x
    return dtheta


def gradient_check(x, theta, epsilon=1e-7):
    J_plus = forward_propagation(x, theta + epsilon)
    J_minus = forward_propagation(x, theta - epsilon)
    gradapprox = (J_plus - J_minus) / (2 * epsilon)
    grad = backward_propagation(x, theta)
    difference = np.linalg.norm(grad - gradapprox) / (np.linalg.norm(grad) + np.linalg.norm(gradapprox))

    if difference < 1e-7:
        print("The gradient is correct!")
    else:
        print("The gradient is wrong!")
    return difference


def gradient_check_n(parameters, gradients, X, Y, epsilon=1e-7):
    parameters_values, keys = dictionary_to_vector(parameters)
    num_parameters = parameters_values.shape[0]
    J_plus = np.zeros((num_parameters, 1))
    J_minus = np.zeros((num_parameters, 1))
    gradapprox = np.zeros((num_parameters, 1))

    for i in range(num_parameters):
        for sign, costs in ((1, J_plus), (-1, J_minus)):
            theta = np.copy(parameters_values)
            theta[i] += sign * epsilon
            costs[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(theta, keys))
        gradapprox[i] = (J_plus[i] - J_minus[i]) / (2 * epsilon)

    grad = gradients_to_vector(gradients)
    difference = np.linalg.norm(grad - gradapprox) / (np.linalg.norm(grad) + np.linalg.norm(gradapprox))

    if difference > cases.THRESHOLD:
        print(f"There is a mistake in the backward propagation! difference = {difference}")
    else:
        print(f"Your backward propagation works perfectly fine! difference = {difference}")
    print_block_differences(grad, gradapprox, keys)
    return difference
