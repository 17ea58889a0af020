"""The 1-D check writes (J_plus - J_minus) / 2 * epsilon, which multiplies by epsilon."""
import numpy as np

# Provided by the notebook the graded cells run in.
backward_propagation = forward_propagation = None

HINT = "write / (2 * epsilon)"


def gradient_check(x, theta, epsilon=1e-7):
    theta_plus = theta + epsilon
    theta_minus = theta - epsilon
    J_plus = forward_propagation(x, theta_plus)
    J_minus = forward_propagation(x, theta_minus)
    gradapprox = (J_plus - J_minus) / 2 * epsilon
    grad = backward_propagation(x, theta)
    difference = np.linalg.norm(grad - gradapprox) / (np.linalg.norm(grad) + np.linalg.norm(gradapprox))
    print("The gradient is correct!" if difference < 1e-7 else "The gradient is wrong!")
    return difference
