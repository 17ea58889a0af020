"""Shuffles X and Y with two different permutations: examples lose their labels."""
import numpy as np

HINT = "same permutation"


def random_mini_batches(X, Y, mini_batch_size=64, seed=0):
    np.random.seed(seed)
    m = X.shape[1]
    shuffled_X = X[:, np.random.permutation(m)]
    shuffled_Y = Y[:, np.random.permutation(m)]
    batches = []
    for start in range(0, m, mini_batch_size):
        batches.append((shuffled_X[:, start:start + mini_batch_size], shuffled_Y[:, start:start + mini_batch_size]))
    return batches
