"""Correct batch norm with a dict cache of its own keys (sample_mean, sample_var, x_minus_mean, x_norm,
gamma, eps), np.var and np.sqrt spelled out, a staged backward with dvar and dmean, and an alternative
that takes 1 / std once. Full marks: the forward is right, so the backward passes get its own cache."""
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
        sample_mean = np.mean(x, axis=0)
        sample_var = np.var(x, axis=0)
        x_minus_mean = x - sample_mean
        x_norm = x_minus_mean / np.sqrt(sample_var + eps)
        out = gamma * x_norm + beta
        cache = {"sample_mean": sample_mean, "sample_var": sample_var, "x_minus_mean": x_minus_mean,
                 "x_norm": x_norm, "gamma": gamma, "eps": eps}
        running_mean = momentum * running_mean + (1 - momentum) * sample_mean
        running_var = momentum * running_var + (1 - momentum) * sample_var
    elif mode == "test":
        x_norm = (x - running_mean) / np.sqrt(running_var + eps)
        out = gamma * x_norm + beta
    else:
        raise ValueError('Invalid forward batchnorm mode "%s"' % mode)

    bn_param["running_mean"] = running_mean
    bn_param["running_var"] = running_var
    return out, cache


def batchnorm_backward(dout, cache):
    N = dout.shape[0]
    x_minus_mean = cache["x_minus_mean"]
    x_norm = cache["x_norm"]
    gamma = cache["gamma"]
    std = np.sqrt(cache["sample_var"] + cache["eps"])

    dbeta = np.sum(dout, axis=0)
    dgamma = np.sum(dout * x_norm, axis=0)
    dx_norm = dout * gamma
    dsample_var = np.sum(dx_norm * x_minus_mean, axis=0) * (-0.5) * std ** (-3)
    dsample_mean = np.sum(-dx_norm / std, axis=0) + dsample_var * np.sum(-2 * x_minus_mean, axis=0) / N
    dx = dx_norm / std + dsample_var * 2 * x_minus_mean / N + dsample_mean / N

    return dx, dgamma, dbeta


def batchnorm_backward_alt(dout, cache):
    N = dout.shape[0]
    x_norm, gamma = cache["x_norm"], cache["gamma"]
    inv_std = 1.0 / np.sqrt(cache["sample_var"] + cache["eps"])

    dbeta = np.sum(dout, axis=0)
    dgamma = np.sum(dout * x_norm, axis=0)
    dx = (gamma * inv_std / N) * (N * dout - dbeta - x_norm * dgamma)

    return dx, dgamma, dbeta
