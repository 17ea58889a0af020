"""The unbiased variance, np.var(x, axis=0, ddof=1), in train mode, and a cache of its own,
(x, x_hat, sample_mean, sample_var, gamma, eps); the backward passes are right for that layout. The
forward's mistake is in its cache too, so on the student's own cache the gradients are wrong, and the
backward passes read another layout than the notebook's: all three tests fail, and the backward's
message says why (the forward is wrong, and how; the cache it was given, in the notebook's layout)."""
import numpy as np

HINT = "batch norm uses the biased variance"


def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    N, D = x.shape
    running_mean = bn_param.get("running_mean", np.zeros(D, dtype=x.dtype))
    running_var = bn_param.get("running_var", np.zeros(D, dtype=x.dtype))

    out, cache = None, None
    if mode == "train":
        sample_mean = np.mean(x, axis=0)
        sample_var = np.var(x, axis=0, ddof=1)
        x_hat = (x - sample_mean) / np.sqrt(sample_var + eps)
        out = gamma * x_hat + beta
        cache = (x, x_hat, sample_mean, sample_var, gamma, eps)
        running_mean = momentum * running_mean + (1 - momentum) * sample_mean
        running_var = momentum * running_var + (1 - momentum) * sample_var
    elif mode == "test":
        x_hat = (x - running_mean) / np.sqrt(running_var + eps)
        out = gamma * x_hat + beta

    bn_param["running_mean"] = running_mean
    bn_param["running_var"] = running_var
    return out, cache


def batchnorm_backward(dout, cache):
    x, x_hat, sample_mean, sample_var, gamma, eps = cache
    N = x.shape[0]
    dbeta = np.sum(dout, axis=0)
    dgamma = np.sum(dout * x_hat, axis=0)
    dx_hat = dout * gamma
    dvar = np.sum(dx_hat * (x - sample_mean), axis=0) * -0.5 * (sample_var + eps) ** -1.5
    dmean = -np.sum(dx_hat, axis=0) / np.sqrt(sample_var + eps) - 2 * dvar * np.mean(x - sample_mean, axis=0)
    dx = dx_hat / np.sqrt(sample_var + eps) + dvar * 2 * (x - sample_mean) / N + dmean / N
    return dx, dgamma, dbeta


def batchnorm_backward_alt(dout, cache):
    x, x_hat, sample_mean, sample_var, gamma, eps = cache
    N = x.shape[0]
    dbeta = np.sum(dout, axis=0)
    dgamma = np.sum(dout * x_hat, axis=0)
    dx = gamma / (N * np.sqrt(sample_var + eps)) * (N * dout - dbeta - x_hat * dgamma)
    return dx, dgamma, dbeta
