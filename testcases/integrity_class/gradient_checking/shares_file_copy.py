"""Hands in shares_file_original's notebook file with gradient_check written again."""
import numpy as np

# Provided by the notebook the graded cells run in.
backward_propagation = forward_propagation = None

COPY_OF = "shares_file_original"


def gradient_check(x, theta, epsilon=1e-7):
    theta_plus = theta + epsilon
    theta_minus = theta - epsilon
    gradapprox = (forward_propagation(x, theta_plus) - forward_propagation(x, theta_minus)) / (2 * epsilon)
    grad = backward_propagation(x, theta)
    numerator = np.linalg.norm(grad - gradapprox)
    denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)
    difference = numerator / denominator

    if difference < 1e-7:
        print("The gradient is correct!")
    else:
        print("The gradient is wrong!")
    return difference
