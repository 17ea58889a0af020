"""Build the datasets in utils/data/ (instructors only: needs scikit-learn).

    python -m testcases.datasets

Each dataset is drawn from NumPy's global generator right after a fixed
seed, which is how the notebooks' quoted numbers were produced.
"""
import numpy as np
from sklearn.datasets import make_circles, make_moons

from utils.datasets import save_dataset


def columns(X, y):
    """scikit-learn's (m, 2) points and (m,) labels as course arrays (2, m), (1, m)."""
    return X.T, y.reshape(1, -1)


def build_circles():
    np.random.seed(1)
    train_X, train_Y = columns(*make_circles(n_samples=300, noise=.05))
    np.random.seed(2)
    test_X, test_Y = columns(*make_circles(n_samples=100, noise=.05))
    return train_X, train_Y, test_X, test_Y


def noisy_boundary(seed, m, flip=0.5, width=0.08):
    """m points left and right of a wavy curve, labels flipped near it.

    Points are uniform in a 1.5 x 1.05 box; the label says which side of
    y = 0.12 sin(6x) + 0.1x a point lies on, and is flipped with probability
    flip * exp(-distance / width): noise that is densest where the classes
    meet, which is what an unregularized network learns to chase.
    """
    rng = np.random.RandomState(seed)
    X = rng.uniform(-0.75, 0.75, size=(2, m)) * np.array([[1.0], [0.7]])
    margin = X[1] - (0.12 * np.sin(6 * X[0]) + 0.1 * X[0])
    Y = (margin > 0).astype(int)
    Y = np.where(rng.rand(m) < flip * np.exp(-np.abs(margin) / width), 1 - Y, Y)
    return X, Y.reshape(1, -1)


def build_wavy():
    train_X, train_Y = noisy_boundary(seed=2, m=211)
    test_X, test_Y = noisy_boundary(seed=1002, m=200)
    return train_X, train_Y, test_X, test_Y


def build_moons():
    # Only a training set: the optimization assignment compares optimizers on it.
    np.random.seed(3)
    train_X, train_Y = columns(*make_moons(n_samples=300, noise=.2))
    return train_X, train_Y, np.zeros((2, 0)), np.zeros((1, 0), dtype=train_Y.dtype)


BUILDERS = {"circles": build_circles, "wavy": build_wavy, "moons": build_moons}


def main():
    for name, build in BUILDERS.items():
        save_dataset(name, *build())
        print(f"wrote utils/data/{name}.h5")


if __name__ == "__main__":
    main()
