"""The course's datasets, shipped as small HDF5 files in utils/data/.

Every loader returns train_X (2, m_train), train_Y (1, m_train),
test_X (2, m_test), test_Y (1, m_test): one example per column, labels 0/1.
The files are built by testcases/datasets.py; nothing is downloaded.
"""
from pathlib import Path

import h5py
import numpy as np

DATA_DIR = Path(__file__).resolve().parent / "data"
SPLITS = ("train_X", "train_Y", "test_X", "test_Y")


def load_dataset(name):
    """Load utils/data/<name>.h5 as (train_X, train_Y, test_X, test_Y)."""
    path = DATA_DIR / f"{name}.h5"
    if not path.exists():
        raise FileNotFoundError(
            f"{path} is missing. It ships with the assignment folder: download the "
            "folder again, or ask your instructor for utils/data/.")
    with h5py.File(path, "r") as f:
        return tuple(np.array(f[key]) for key in SPLITS)


def save_dataset(name, train_X, train_Y, test_X, test_Y):
    """Write the four arrays to utils/data/<name>.h5, byte for byte reproducibly."""
    DATA_DIR.mkdir(exist_ok=True)
    with h5py.File(DATA_DIR / f"{name}.h5", "w", track_order=True) as f:
        for key, array in zip(SPLITS, (train_X, train_Y, test_X, test_Y)):
            f.create_dataset(key, data=array, track_times=False)


def load_circles():
    """Two noisy concentric circles: 300 training and 100 test points."""
    return load_dataset("circles")
