"""Cuts X and Y into mini-batches in their original order, without shuffling."""
import numpy as np

HINT = "shuffle X and Y"


def random_mini_batches(X, Y, mini_batch_size=64, seed=0):
    np.random.seed(seed)
    m = X.shape[1]
    mini_batches = []
    for start in range(0, m, mini_batch_size):
        mini_batches.append((X[:, start:start + mini_batch_size], Y[:, start:start + mini_batch_size]))
    return mini_batches
