"""L = len(parameters), the number of entries, where the number of layers is len(parameters) // 2:
the loop asks for layers that do not exist and raises KeyError."""
import numpy as np

HINT = 'len(parameters) // 2 layers'


def initialize_velocity(parameters):
    L = len(parameters)
    v = {}
    for l in range(1, L + 1):
        v["dW" + str(l)] = np.zeros(parameters["W" + str(l)].shape)
        v["db" + str(l)] = np.zeros(parameters["b" + str(l)].shape)
    return v
