"""Only the full mini-batches: the last m % mini_batch_size examples are never trained on."""
import numpy as np

HINT = "keep the last, smaller mini-batch"


def random_mini_batches(X, Y, mini_batch_size=64, seed=0):
    np.random.seed(seed)
    m = X.shape[1]
    permutation = list(np.random.permutation(m))
    shuffled_X, shuffled_Y = X[:, permutation], Y[:, permutation]
    return [(shuffled_X[:, k * mini_batch_size:(k + 1) * mini_batch_size],
             shuffled_Y[:, k * mini_batch_size:(k + 1) * mini_batch_size]) for k in range(m // mini_batch_size)]
