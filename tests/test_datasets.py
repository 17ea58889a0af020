"""The shipped datasets are exactly what their generators build."""
import h5py
import numpy as np
import pytest

from testcases import datasets as generators
from utils.datasets import DATA_DIR, SPLITS, load_dataset


@pytest.mark.parametrize("name", sorted(generators.BUILDERS))
def test_shipped_file_equals_generator(name):
    built = generators.BUILDERS[name]()
    shipped = load_dataset(name)
    assert len(built) == len(shipped) == len(SPLITS)
    for key, a, b in zip(SPLITS, built, shipped):
        assert a.shape == b.shape and np.array_equal(a, b), f"{name}.h5: {key} differs from its generator"


@pytest.mark.parametrize("name", sorted(generators.BUILDERS))
def test_file_holds_only_the_four_splits(name):
    with h5py.File(DATA_DIR / f"{name}.h5") as f:
        assert sorted(f) == sorted(SPLITS)


def test_circles_shapes_and_labels():
    train_X, train_Y, test_X, test_Y = load_dataset("circles")
    assert (train_X.shape, train_Y.shape, test_X.shape, test_Y.shape) == ((2, 300), (1, 300), (2, 100), (1, 100))
    assert set(np.unique(train_Y)) == {0, 1} and train_Y.mean() == 0.5
