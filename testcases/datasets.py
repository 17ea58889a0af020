"""Build the datasets in utils/data/ (instructors only: needs scikit-learn).

    python -m testcases.datasets

Each dataset is drawn from NumPy's global generator right after a fixed
seed, which is how the lab reports' numbers were produced.
"""
import numpy as np
from sklearn.datasets import make_circles

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


BUILDERS = {"circles": build_circles}


def main():
    for name, build in BUILDERS.items():
        save_dataset(name, *build())
        print(f"wrote utils/data/{name}.h5")


if __name__ == "__main__":
    main()
