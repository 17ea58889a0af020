"""Backpropagates only through x_hat = (x - mean) / std, as if mean and std were constants."""
import numpy as np

HINT = "through the batch mean and variance"


def batchnorm_backward(dout, cache):
    x_hat, x_centered, std, gamma = cache
    dbeta = dout.sum(axis=0)
    dgamma = np.sum(dout * x_hat, axis=0)
    dx = dout * gamma / std
    return dx, dgamma, dbeta
