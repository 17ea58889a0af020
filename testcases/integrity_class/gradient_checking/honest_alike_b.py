"""Works alone; the one-line answers are the ones honest_alike_a wrote too."""
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
    grad = backward_propagation(x, theta)
    plus = forward_propagation(x, theta + epsilon)
    minus = forward_propagation(x, theta - epsilon)
    gradapprox = (plus - minus) / (2 * epsilon)
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

    def cost_at(vector):
        return forward_propagation_n(X, Y, vector_to_dictionary(vector, keys))[0]

    for i in range(num_parameters):
        shift = np.zeros_like(parameters_values)
        shift[i] = epsilon
        J_plus[i] = cost_at(parameters_values + shift)
        J_minus[i] = cost_at(parameters_values - shift)
        gradapprox[i] = (J_plus[i] - J_minus[i]) / (2 * epsilon)

    grad = gradients_to_vector(gradients)
    difference = np.linalg.norm(grad - gradapprox) / (np.linalg.norm(grad) + np.linalg.norm(gradapprox))

    if difference > cases.THRESHOLD:
        print(f"There is a mistake in the backward propagation! difference = {difference}")
    else:
        print(f"Your backward propagation works perfectly fine! difference = {difference}")
    print_block_differences(grad, gradapprox, keys)
    return difference
