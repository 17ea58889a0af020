"""Updates the velocity but steps with the raw gradient dW, as plain gradient descent does."""

HINT = "step with the velocity"


def update_parameters_with_momentum(parameters, grads, v, beta, learning_rate):
    for name in parameters:
        v["d" + name] = beta * v["d" + name] + (1 - beta) * grads["d" + name]
        parameters[name] = parameters[name] - learning_rate * grads["d" + name]
    return parameters, v
