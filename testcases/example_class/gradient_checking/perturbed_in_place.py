"""Shifts the shared parameter vector in place instead of a copy."""
import numpy as np
from utils.parameter_vector import dictionary_to_vector, gradients_to_vector, vector_to_dictionary

# Provided by the notebook the graded cells run in.
forward_propagation_n = None

HINT = "copy the parameter vector"


def gradient_check_n(parameters, gradients, X, Y, epsilon=1e-7):
    parameters_values, keys = dictionary_to_vector(parameters)
    num_parameters = parameters_values.shape[0]
    J_plus = np.zeros((num_parameters, 1))
    J_minus = np.zeros((num_parameters, 1))
    gradapprox = np.zeros((num_parameters, 1))
    for i in range(num_parameters):
        theta_plus = parameters_values
        theta_plus[i] = theta_plus[i] + epsilon
        J_plus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_plus, keys))
        theta_minus = parameters_values
        theta_minus[i] = theta_minus[i] - epsilon
        J_minus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_minus, keys))
        gradapprox[i] = (J_plus[i] - J_minus[i]) / (2 * epsilon)
    grad = gradients_to_vector(gradients)
    difference = np.linalg.norm(grad - gradapprox) / (np.linalg.norm(grad) + np.linalg.norm(gradapprox))
    return difference
