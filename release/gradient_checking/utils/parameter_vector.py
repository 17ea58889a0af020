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


def vector_to_dictionary(theta, keys=None):
    """Unpack a column theta (n, 1) into the dict it came from; keys is what dictionary_to_vector returned.

    There is no default layout: one that fits the notebook's network would let a call without keys
    pass every test in the notebook and fail on any other network.
    """
    if keys is None:
        raise TypeError("vector_to_dictionary needs the keys that dictionary_to_vector returned: "
                        "pass the keys, as in vector_to_dictionary(theta_plus, keys)")
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
