"""v = (1 - beta) * v + beta * dW: the weights of the old velocity and the new gradient are swapped."""

HINT = "beta weighs the old velocity"


def update_parameters_with_momentum(parameters, grads, v, beta, learning_rate):
    for name in parameters:
        v["d" + name] = (1 - beta) * v["d" + name] + beta * grads["d" + name]
        parameters[name] = parameters[name] - learning_rate * v["d" + name]
    return parameters, v
