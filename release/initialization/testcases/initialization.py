"""Cases of the Initialization assignment and the values its notebook quotes."""
from pathlib import Path

import numpy as np

from utils.checks import stored_hints

ZEROS_DIMS = [3, 2, 1]
ZEROS_EXPECTED = {
    "W1": np.zeros((2, 3)), "b1": np.zeros((2, 1)),
    "W2": np.zeros((1, 2)), "b2": np.zeros((1, 1)),
}

RANDOM_DIMS = [3, 2, 1]
RANDOM_EXPECTED = {
    "W1": np.array([[17.88628473, 4.36509851, 0.96497468],
                    [-18.63492703, -2.77388203, -3.54758979]]),
    "b1": np.zeros((2, 1)),
    "W2": np.array([[-0.82741481, -6.27000677]]),
    "b2": np.zeros((1, 1)),
}

HE_DIMS = [2, 4, 1]
HE_EXPECTED = {
    "W1": np.array([[1.78862847, 0.43650985],
                    [0.09649747, -1.8634927],
                    [-0.2773882, -0.35475898],
                    [-0.08274148, -0.62700068]]),
    "b1": np.zeros((4, 1)),
    "W2": np.array([[-0.03098412, -0.33744411, -0.92904268, 0.62552248]]),
    "b2": np.zeros((1, 1)),
}

# From the original notebook's public tests.
HE_DIMS_2 = [3, 1, 2]
HE_EXPECTED_2 = {
    "W1": np.array([[1.46040903, 0.3564088, 0.07878985]]),
    "b1": np.zeros((1, 1)),
    "W2": np.array([[-2.63537665], [-0.39228616]]),
    "b2": np.zeros((2, 1)),
}

MODEL_LAYERS = [2, 10, 5, 1]
HE_COST_TRACE = [
    0.8830537463419761, 0.6879825919728063, 0.6751286264523371, 0.6526117768893807,
    0.6082958970572937, 0.5304944491717495, 0.4138645817071793, 0.3117803464844441,
    0.23696215330322556, 0.18597287209206828, 0.15015556280371808, 0.12325079292273548,
    0.09917746546525937, 0.08457055954024274, 0.07357895962677366,
]
# (train accuracy, test accuracy) of the 3-layer model per initialization.
ACCURACIES = {
    "zeros": (0.5, 0.5),
    "random": (0.83, 0.86),
    "he": (0.9933333333333333, 0.96),
}


HINTS_FILE = Path(__file__).resolve().parent / "data" / "initialization_hints.json"


def hints(function, part="result"):
    """What each known mistake of `function` answers on the part `part` of its visible case, with
    its hint: the visible test names the mistake (built by grader/course/stored_cases.py)."""
    return stored_hints(HINTS_FILE, function, part)
