"""Works alone and tries the functions out in two cells of their own."""

# Provided by the notebook the graded cells run in.
backward_propagation = forward_propagation = None

CELLS = [
    "print(forward_propagation(2, 4), backward_propagation(2, 4))",
    "for shift in (1e-3, 1e-5, 1e-7):\n    print(shift, gradient_check(3, 5, epsilon=shift))",
]


def gradient_check(x, theta, epsilon=1e-7):
    right = forward_propagation(x, theta + epsilon)
    left = forward_propagation(x, theta - epsilon)
    slope = (right - left) / (epsilon + epsilon)
    grad = backward_propagation(x, theta)
    difference = abs(grad - slope) / (abs(grad) + abs(slope))

    if difference < 1e-7:
        print("The gradient is correct!")
    else:
        print("The gradient is wrong!")
    return difference
