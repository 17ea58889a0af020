"""Cases of the Regularization assignment and the values its notebook quotes.

The inputs are drawn from NumPy's global generator right after
np.random.seed(1), the convention the quoted numbers were produced with.
The dropout-backward case needs the cache of a dropout forward pass; it is
stored, at full precision, in testcases/data/regularization.h5 (built by the
course's grader from the reference solution), so that this file does not
give the forward pass away.
"""
from pathlib import Path

import numpy as np

from utils.checks import stored_hints
from utils.datasets import load_arrays

CACHE_FILE = Path(__file__).resolve().parent / "data" / "regularization.h5"
Y_CASE = np.array([[1, 1, 0, 1, 0]])
PARAMETER_SHAPES = {"W1": (2, 3), "b1": (2, 1), "W2": (3, 2), "b2": (3, 1), "W3": (1, 3), "b3": (1, 1)}
PLAIN_CACHE_KEYS = ("Z1", "A1", "W1", "b1", "Z2", "A2", "W2", "b2", "Z3", "A3", "W3", "b3")
DROPOUT_CACHE_KEYS = ("Z1", "D1", "A1", "W1", "b1", "Z2", "D2", "A2", "W2", "b2", "Z3", "A3", "W3", "b3")


def draw_parameters():
    """W1, b1, W2, b2, W3, b3 drawn with randn, in that order."""
    return {key: np.random.randn(*shape) for key, shape in PARAMETER_SHAPES.items()}


def forward_case():
    """X (3, 5), Y (1, 5) and parameters of the seed-1 draw."""
    np.random.seed(1)
    X = np.random.randn(3, 5)
    return X, Y_CASE.copy(), draw_parameters()


def cost_case():
    """A3 (1, 5), Y (1, 5) and parameters (drawn right after the seed, without X)."""
    np.random.seed(1)
    parameters = draw_parameters()
    A3 = np.array([[0.40682402, 0.01629284, 0.16722898, 0.10118111, 0.40682402]])
    return A3, Y_CASE.copy(), parameters


def dropout_backward_case():
    """X, Y and the cache of a dropout forward pass on forward_case() with keep_prob 0.5."""
    X, Y, _ = forward_case()
    arrays = load_arrays(CACHE_FILE)
    cache = tuple(arrays[f"dropout_{key}"] for key in DROPOUT_CACHE_KEYS)
    return X, Y, cache


COST_LAMBD = 0.1
COST_EXPECTED = 1.7864859451590758

BACKWARD_LAMBD = 0.7
BACKWARD_EXPECTED = {
    "dW1": np.array([[-0.25604646, 0.12298827, -0.28297129],
                     [-0.17706303, 0.34536094, -0.4410571]]),
    "dW2": np.array([[0.79276486, 0.85133918],
                     [-0.0957219, -0.01720463],
                     [-0.13100772, -0.03750433]]),
    "dW3": np.array([[-1.77691347, -0.11832879, -0.09397446]]),
}

DROPOUT_FORWARD_KEEP_PROB = 0.7
DROPOUT_FORWARD_EXPECTED = np.array([[0.36974721, 0.00305176, 0.04565099, 0.49683389, 0.36974721]])

DROPOUT_BACKWARD_KEEP_PROB = 0.8
DROPOUT_BACKWARD_EXPECTED = {
    "dA1": np.array([[0.36544439, 0., -0.00188234, 0., -0.17408748],
                     [0.65515713, 0., -0.00337459, 0., -0.]]),
    "dA2": np.array([[0.58180856, 0., -0.00299679, 0., -0.27715731],
                     [0., 0.53159854, -0., 0.53159854, -0.34089673],
                     [0., 0., -0.00292733, 0., -0.]]),
}

MODEL_LAYERS = [2, 20, 3, 1]


HINTS_FILE = Path(__file__).resolve().parent / "data" / "regularization_hints.json"


def hints(function, part="result"):
    """What each known mistake of `function` answers on the part `part` of its visible case, with
    its hint: the visible test names the mistake (built by grader/course/stored_cases.py)."""
    return stored_hints(HINTS_FILE, function, part)
