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


def load_arrays(path):
    """Every array of an HDF5 file, as a dict in the file's order."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(
            f"{path} is missing. It ships with the assignment folder: download the "
            "folder again, or ask your instructor for it.")
    with h5py.File(path, "r") as f:
        return {key: np.array(f[key]) for key in f}


def save_arrays(path, arrays):
    """Write a dict of arrays to an HDF5 file, byte for byte reproducibly."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with h5py.File(path, "w", track_order=True) as f:
        for key, array in arrays.items():
            f.create_dataset(key, data=array, track_times=False)


def load_dataset(name):
    """Load utils/data/<name>.h5 as (train_X, train_Y, test_X, test_Y)."""
    arrays = load_arrays(DATA_DIR / f"{name}.h5")
    return tuple(arrays[key] for key in SPLITS)


def save_dataset(name, train_X, train_Y, test_X, test_Y):
    """Write the four arrays to utils/data/<name>.h5."""
    save_arrays(DATA_DIR / f"{name}.h5", dict(zip(SPLITS, (train_X, train_Y, test_X, test_Y))))


def load_circles():
    """Two noisy concentric circles: 300 training and 100 test points."""
    return load_dataset("circles")


def load_wavy():
    """Two classes split by a wavy curve, noisy near it: 211 training and 200 test points."""
    return load_dataset("wavy")


def load_moons():
    """Two interleaving half-moons: 300 training points (train_X (2, 300), train_Y (1, 300))."""
    train_X, train_Y, _, _ = load_dataset("moons")
    return train_X, train_Y
