"""Cases of the Gradient checking assignment and the values its notebook quotes."""
from pathlib import Path

import numpy as np

from utils.checks import stored_hints

X_1D, THETA_1D = 2, 4
J_EXPECTED = 8
DTHETA_EXPECTED = 2
DIFFERENCE_1D_EXPECTED = 2.919335883291695e-10

NETWORK_SHAPES = {"W1": (5, 4), "b1": (5, 1), "W2": (3, 5), "b2": (3, 1), "W3": (1, 3), "b3": (1, 1)}


def network_case():
    """X (4, 3), Y (3,) and the parameters of the [4, 5, 3, 1] network, drawn after np.random.seed(1)."""
    np.random.seed(1)
    X = np.random.randn(4, 3)
    Y = np.array([1, 1, 0])
    parameters = {name: np.random.randn(*shape) for name, shape in NETWORK_SHAPES.items()}
    return X, Y, parameters


# With the planted mistakes the quoted difference is 0.2850931566540251; its
# digits past the 9th depend on the order of floating-point operations.
DIFFERENCE_PLANTED_EXPECTED = 0.2850931566540251
DIFFERENCE_FIXED_EXPECTED = 1.1890913023330276e-07
THRESHOLD = 2e-7


HINTS_FILE = Path(__file__).resolve().parent / "data" / "gradient_checking_hints.json"


def hints(function, part="result"):
    """What each known mistake of `function` answers on the part `part` of its visible case, with
    its hint: the visible test names the mistake (built by grader/course/stored_cases.py)."""
    return stored_hints(HINTS_FILE, function, part)
