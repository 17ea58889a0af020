"""Adds eps after the square root, np.sqrt(var) + eps, in both modes."""
import numpy as np

HINT = "np.sqrt(var + eps), not np.sqrt(var) + eps"
# Where the forward is wrong, the backward passes are checked with a correct cache in
# the notebook's layout: this mistake costs batchnorm_forward's points only.


def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    N, D = x.shape
    running_mean = bn_param.get("running_mean", np.zeros(D, dtype=x.dtype))
    running_var = bn_param.get("running_var", np.zeros(D, dtype=x.dtype))
    if mode == "train":
        sample_mean = x.mean(axis=0)
        x_centered = x - sample_mean
        sample_var = np.mean(x_centered ** 2, axis=0)
        std = np.sqrt(sample_var) + eps
        x_hat = x_centered / std
        out = gamma * x_hat + beta
        cache = (x_hat, x_centered, std, gamma)
        running_mean = momentum * running_mean + (1 - momentum) * sample_mean
        running_var = momentum * running_var + (1 - momentum) * sample_var
    else:
        x_hat = (x - running_mean) / (np.sqrt(running_var) + eps)
        out = gamma * x_hat + beta
        cache = None
    bn_param["running_mean"] = running_mean
    bn_param["running_var"] = running_var
    return out, cache
