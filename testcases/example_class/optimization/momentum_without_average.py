"""v = beta * v + dW: a sum, not an average of the gradients."""

HINT = "v = beta * v + (1 - beta) * dW"


def update_parameters_with_momentum(parameters, grads, v, beta, learning_rate):
    for name in parameters:
        v["d" + name] = beta * v["d" + name] + grads["d" + name]
        parameters[name] = parameters[name] - learning_rate * v["d" + name]
    return parameters, v
