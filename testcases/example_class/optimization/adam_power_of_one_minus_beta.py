"""Bias correction with (1 - beta) ** t instead of 1 - beta ** t."""
import numpy as np

HINT = "not (1 - beta1) ** t"


def update_parameters_with_adam(parameters, grads, v, s, t, learning_rate=0.01,
                                beta1=0.9, beta2=0.999, epsilon=1e-8):
    for name in parameters:
        d = "d" + name
        v[d] = beta1 * v[d] + (1 - beta1) * grads[d]
        s[d] = beta2 * s[d] + (1 - beta2) * np.square(grads[d])
        v_corrected = v[d] / (1 - beta1) ** t
        s_corrected = s[d] / (1 - beta2) ** t
        parameters[name] = parameters[name] - learning_rate * v_corrected / (np.sqrt(s_corrected) + epsilon)
    return parameters, v, s
