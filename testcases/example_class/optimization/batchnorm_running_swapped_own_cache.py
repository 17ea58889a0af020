"""Running averages weighed the other way round, (1 - momentum) * running + momentum * sample; out is
right, and so is the cache, a tuple of its own order (gamma, x_mu, ivar, xhat). The backward passes,
written for that tuple, are right: where the forward is wrong the hidden tests try the notebook's layout,
then the student's own cache, which still gives the right gradients. Only the forward's points go."""
import numpy as np

HINT = "the weights are the other way round"
EXPECTED = {"test_batchnorm_forward": 0, "test_batchnorm_backward": 2, "test_batchnorm_backward_alt": 1}


def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    N, D = x.shape
    running_mean = bn_param.get("running_mean", np.zeros(D, dtype=x.dtype))
    running_var = bn_param.get("running_var", np.zeros(D, dtype=x.dtype))

    out, cache = None, None
    if mode == "train":
        mu = x.mean(axis=0)
        x_mu = x - mu
        var = (x_mu ** 2).mean(axis=0)
        ivar = 1. / np.sqrt(var + eps)
        xhat = x_mu * ivar
        out = gamma * xhat + beta
        cache = (gamma, x_mu, ivar, xhat)
        running_mean = (1 - momentum) * running_mean + momentum * mu
        running_var = (1 - momentum) * running_var + momentum * var
    elif mode == "test":
        out = gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta

    bn_param["running_mean"] = running_mean
    bn_param["running_var"] = running_var
    return out, cache


def batchnorm_backward(dout, cache):
    gamma, x_mu, ivar, xhat = cache
    N, D = dout.shape

    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    dxhat = dout * gamma
    divar = (dxhat * x_mu).sum(axis=0)
    dvar = divar * (-0.5) * ivar ** 3
    dx_mu = dxhat * ivar + 2. / N * x_mu * dvar
    dmu = -dx_mu.sum(axis=0)
    dx = dx_mu + dmu / N

    return dx, dgamma, dbeta


def batchnorm_backward_alt(dout, cache):
    gamma, x_mu, ivar, xhat = cache
    N = dout.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    dx = (1. / N) * gamma * ivar * (N * dout - dbeta - xhat * dgamma)
    return dx, dgamma, dbeta
