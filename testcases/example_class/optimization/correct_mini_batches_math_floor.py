"""Correct: num_complete_minibatches = math.floor(m / mini_batch_size), the last batch cut
num_complete_minibatches * mini_batch_size : m; update_lr as a product, schedule_lr_decay with math.floor."""
import math

import numpy as np

EXPECTED = {"test_random_mini_batches": 2, "test_update_lr": 1, "test_schedule_lr_decay": 1}


def random_mini_batches(X, Y, mini_batch_size=64, seed=0):
    np.random.seed(seed)
    m = X.shape[1]
    mini_batches = []

    permutation = list(np.random.permutation(m))
    shuffled_X = X[:, permutation]
    shuffled_Y = Y[:, permutation].reshape((1, m))

    inc = mini_batch_size
    num_complete_minibatches = math.floor(m / mini_batch_size)
    for k in range(0, num_complete_minibatches):
        mini_batch_X = shuffled_X[:, k * inc:(k + 1) * inc]
        mini_batch_Y = shuffled_Y[:, k * inc:(k + 1) * inc]
        mini_batch = (mini_batch_X, mini_batch_Y)
        mini_batches.append(mini_batch)

    if m % mini_batch_size != 0:
        mini_batch_X = shuffled_X[:, num_complete_minibatches * inc:m]
        mini_batch_Y = shuffled_Y[:, num_complete_minibatches * inc:m]
        mini_batch = (mini_batch_X, mini_batch_Y)
        mini_batches.append(mini_batch)

    return mini_batches


def update_lr(learning_rate0, epoch_num, decay_rate):
    learning_rate = (1 / (1 + decay_rate * epoch_num)) * learning_rate0
    return learning_rate


def schedule_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    learning_rate = learning_rate0 / (1 + decay_rate * math.floor(epoch_num / time_interval))
    return learning_rate
