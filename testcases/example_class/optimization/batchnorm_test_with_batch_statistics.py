"""Normalizes with the batch's own mean and variance in test mode too."""
import numpy as np

HINT = "in test mode normalize with running_mean"


def batchnorm_forward(x, gamma, beta, bn_param):
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    D = x.shape[1]
    running_mean = bn_param.get("running_mean", np.zeros(D))
    running_var = bn_param.get("running_var", np.zeros(D))
    mean, var = x.mean(axis=0), x.var(axis=0)
    x_hat = (x - mean) / np.sqrt(var + eps)
    out = gamma * x_hat + beta
    cache = (x_hat, x - mean, np.sqrt(var + eps), gamma)
    if bn_param["mode"] == "train":
        running_mean = momentum * running_mean + (1 - momentum) * mean
        running_var = momentum * running_var + (1 - momentum) * var
    bn_param["running_mean"] = running_mean
    bn_param["running_var"] = running_var
    return out, cache
