"""batchnorm_forward normalizes without centering; the backward passes are right.

Where the forward is wrong, the backward passes are graded with a correct cache
in the notebook's layout (this student's too), so this student loses
batchnorm_forward's points and nothing else.
"""
import numpy as np

HINT = "batchnorm_forward"


def batchnorm_forward(x, gamma, beta, bn_param):
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    D = x.shape[1]
    running_mean = bn_param.get("running_mean", np.zeros(D))
    running_var = bn_param.get("running_var", np.zeros(D))
    cache = None
    if bn_param["mode"] == "train":
        mean, var = x.mean(axis=0), x.var(axis=0)
        std = np.sqrt(var + eps)
        x_hat = x / std
        out = gamma * x_hat + beta
        cache = (x_hat, x - mean, std, gamma)
        running_mean = momentum * running_mean + (1 - momentum) * mean
        running_var = momentum * running_var + (1 - momentum) * var
    else:
        out = gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta
    bn_param["running_mean"] = running_mean
    bn_param["running_var"] = running_var
    return out, cache
