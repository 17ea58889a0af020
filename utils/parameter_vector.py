"""A network's parameters as one column vector theta, and back.

The order is W1, b1, W2, b2, ... and each matrix is flattened row by row.
"""
import numpy as np


def parameter_order(parameters):
    """Names of a dict's "W<l>" and "b<l>" entries, layer by layer, W before b."""
    return sorted(parameters, key=lambda name: (int(name[1:]), name[0] != "W"))


def dictionary_to_vector(parameters):
    """Stack every parameter into one column.

    Returns:
        theta: shape (n, 1), n the total number of parameters
        keys: [(name, shape), ...] in theta's order, to unpack theta again
    """
    keys = [(name, parameters[name].shape) for name in parameter_order(parameters)]
    theta = np.concatenate([parameters[name].reshape(-1, 1) for name, _ in keys])
    return theta, keys


# The network the gradient-checking assignment uses, [4, 5, 3, 1].
CHECK_NETWORK_KEYS = [("W1", (5, 4)), ("b1", (5, 1)), ("W2", (3, 5)), ("b2", (3, 1)),
                      ("W3", (1, 3)), ("b3", (1, 1))]


def vector_to_dictionary(theta, keys=None):
    """Unpack a column theta (n, 1) into the dict it came from.

    keys is what dictionary_to_vector returned; without it, theta is read as
    the parameters of the [4, 5, 3, 1] network of the gradient-checking assignment.
    """
    keys = CHECK_NETWORK_KEYS if keys is None else keys
    parameters, start = {}, 0
    for name, shape in keys:
        size = int(np.prod(shape))
        parameters[name] = theta[start:start + size].reshape(shape)
        start += size
    if start != theta.shape[0]:
        raise ValueError(f"theta has {theta.shape[0]} entries, the keys describe {start}")
    return parameters


def gradients_to_vector(gradients):
    """Stack dW1, db1, dW2, ... into one column, in the order dictionary_to_vector uses.

    Intermediate gradients (dA, dZ) are ignored.
    """
    names = parameter_order({name[1:]: None for name in gradients if name[:2] in ("dW", "db")})
    return np.concatenate([gradients["d" + name].reshape(-1, 1) for name in names])
