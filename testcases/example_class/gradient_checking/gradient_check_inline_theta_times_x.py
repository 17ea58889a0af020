"""Never calls forward_propagation or backward_propagation: writes J_plus = thetaplus * x and grad = x
inline. The numbers are right for this J only; the check is meant to test the notebook's passes.
EXPECTED 0 for test_gradient_check: the hidden test replaces both passes with stand-ins (issue 23 §1)."""
import numpy as np

HINT = "gradient_check must call forward_propagation"
EXPECTED = {"test_gradient_check": 0}


def gradient_check(x, theta, epsilon=1e-7):
    thetaplus = theta + epsilon
    thetaminus = theta - epsilon
    J_plus = thetaplus * x
    J_minus = thetaminus * x
    gradapprox = (J_plus - J_minus) / (2 * epsilon)
    grad = x
    numerator = np.linalg.norm(grad - gradapprox)
    denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)
    difference = numerator / denominator
    if difference < 1e-7:
        print("The gradient is correct!")
    else:
        print("The gradient is wrong!")
    return difference
