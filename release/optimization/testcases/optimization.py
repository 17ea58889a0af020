"""Cases of the Optimization and Batch normalization assignment, and the quoted values."""
from pathlib import Path

import numpy as np

from utils.checks import stored_hints


def update_case():
    """Parameters W1 (2, 3), b1 (2, 1), W2 (3, 3), b2 (3, 1) and their gradients, drawn after np.random.seed(1)."""
    np.random.seed(1)
    shapes = {"W1": (2, 3), "b1": (2, 1), "W2": (3, 3), "b2": (3, 1)}
    parameters = {name: np.random.randn(*shape) for name, shape in shapes.items()}
    grads = {"d" + name: np.random.randn(*shape) for name, shape in shapes.items()}
    return parameters, grads


LEARNING_RATE = 0.01

GD_EXPECTED = {
    "W1": np.array([[1.63535156, -0.62320365, -0.53718766], [-1.07799357, 0.85639907, -2.29470142]]),
    "b1": np.array([[1.74604067], [-0.75184921]]),
    "W2": np.array([[0.32171798, -0.25467393, 1.46902454], [-2.05617317, -0.31554548, -0.3756023],
                    [1.1404819, -1.09976462, -0.1612551]]),
    "b2": np.array([[-0.88020257], [0.02561572], [0.57539477]]),
}

MOMENTUM_BETA = 0.9
MOMENTUM_EXPECTED = {
    "W1": np.array([[1.62544598, -0.61290114, -0.52907334], [-1.07347112, 0.86450677, -2.30085497]]),
    "b1": np.array([[1.74493465], [-0.76027113]]),
    "W2": np.array([[0.31930698, -0.24990073, 1.4627996], [-2.05974396, -0.32173003, -0.38320915],
                    [1.13444069, -1.0998786, -0.1713109]]),
    "b2": np.array([[-0.87809283], [0.04055394], [0.58207317]]),
}
VELOCITY_EXPECTED = {
    "dW1": np.array([[-0.11006192, 0.11447237, 0.09015907], [0.05024943, 0.09008559, -0.06837279]]),
    "db1": np.array([[-0.01228902], [-0.09357694]]),
    "dW2": np.array([[-0.02678881, 0.05303555, -0.06916608], [-0.03967535, -0.06871727, -0.08452056],
                     [-0.06712461, -0.00126646, -0.11173103]]),
    "db2": np.array([[0.02344157], [0.16598022], [0.07420442]]),
}

ADAM_T = 2
# As the original notebook prints them: epsilon inside the square root. With the
# textbook sqrt(s_hat) + epsilon, W2[2, 1] is -1.09244991 and b2[0] -0.88529979.
ADAM_EXPECTED = {
    "W1": np.array([[1.63178673, -0.61919778, -0.53561312], [-1.08040999, 0.85796626, -2.29409733]]),
    "b1": np.array([[1.75225313], [-0.75376553]]),
    "W2": np.array([[0.32648046, -0.25681174, 1.46954931], [-2.05269934, -0.31497584, -0.37661299],
                    [1.14121081, -1.09245036, -0.16498684]]),
    "b2": np.array([[-0.88529978], [0.03477238], [0.57537385]]),
}
ADAM_S_EXPECTED = {
    "dW1": np.array([[0.00121136, 0.00131039, 0.00081287], [0.0002525, 0.00081154, 0.00046748]]),
    "db1": np.array([[1.51020075e-05], [8.75664434e-04]]),
    "dW2": np.array([[7.17640232e-05, 2.81276921e-04, 4.78394595e-04],
                     [1.57413361e-04, 4.72206320e-04, 7.14372576e-04],
                     [4.50571368e-04, 1.60392066e-07, 1.24838242e-03]]),
    "db2": np.array([[5.49507194e-05], [2.75494327e-03], [5.50629536e-04]]),
}

# Three more steps with the same gradients, after the one at t = ADAM_T. At t = 2
# a bias correction with a fixed power 2 happens to be right; from t = 3 it is not.
ADAM_LATER_T = (3, 4, 5)
ADAM_LATER_EXPECTED = {
    "W1": np.array([[1.65885508, -0.64626613, -0.56268147], [-1.10747833, 0.83089792, -2.26702898]]),
    "b1": np.array([[1.77932147], [-0.72669719]]),
    "W2": np.array([[0.35354881, -0.28388009, 1.49661765], [-2.025631, -0.28790749, -0.34954464],
                    [1.16827916, -1.06538159, -0.13791849]]),
    "b2": np.array([[-0.91236813], [0.00770403], [0.5483055]]),
}


def mini_batch_case():
    """X (3, 148) and Y (1, 148): 148 examples make two batches of 64 and one of 20."""
    np.random.seed(1)
    X = np.random.randn(3, 148)
    Y = (np.random.randn(1, 148) < 0.5).astype(int)
    return X, Y


MINI_BATCH_SIZE = 64
MINI_BATCH_SHAPES = [((3, 64), (1, 64)), ((3, 64), (1, 64)), ((3, 20), (1, 20))]
# Where each example of mini_batch_case goes: the columns of random_mini_batches(X, Y, 64),
# side by side, are X[:, MINI_BATCH_ORDER] (seed 0, one permutation for X and Y).
MINI_BATCH_ORDER = np.random.RandomState(0).permutation(148)

UPDATE_LR_CASE = ((0.5, 2, 1), 0.16666666666666666)
SCHEDULE_LR_CASES = [((0.5, 100, 1, 100), 0.25), ((0.5, 10, 1, 100), 0.5),
                     ((0.3, 1000, 0.25, 100), 0.08571428571428572), ((0.3, 100, 0.25, 100), 0.24)]

MODEL_LAYERS = [2, 5, 2, 1]
# Cost of the last mini-batch every 1000 epochs, printed with %f, and training accuracy.
COST_TRACES = {
    "gd": ["0.690736", "0.685273", "0.647072", "0.619525", "0.576584", "0.607243", "0.529403", "0.460768",
           "0.465586", "0.464518"],
    "momentum": ["0.690741", "0.685341", "0.647145", "0.619594", "0.576665", "0.607324", "0.529476", "0.460936",
                 "0.465780"],
    "adam": ["0.690552", "0.185567", "0.150852", "0.074454", "0.125936", "0.104235"],
}
ACCURACIES = {"gd": 0.7966666666666666, "momentum": 0.7966666666666666, "adam": 0.94}


# ----- batch normalization ---------------------------------------------------

def batchnorm_case(N=4, D=5):
    """x (N, D) with mean about 12 and std about 5, gamma (D,), beta (D,), dout (N, D): np.random.seed(231)."""
    np.random.seed(231)
    x = 5 * np.random.randn(N, D) + 12
    gamma = np.random.randn(D)
    beta = np.random.randn(D)
    dout = np.random.randn(N, D)
    return x, gamma, beta, dout


def batchnorm_gradient_case():
    """The small case of the numerical gradient check."""
    return batchnorm_case(4, 5)


def batchnorm_speed_case():
    """The same draw with N, D = 100, 500: big enough to time the two backward passes."""
    return batchnorm_case(100, 500)


def activations_case():
    """Activations (200, 3) of a small random 2-layer network: far from zero mean and unit variance."""
    np.random.seed(231)
    N, D1, D2, D3 = 200, 50, 60, 3
    X = np.random.randn(N, D1)
    W1 = np.random.randn(D1, D2)
    W2 = np.random.randn(D2, D3)
    return np.maximum(0, X.dot(W1)).dot(W2), (X.shape, W1, W2)


BATCHNORM_ERRORS_EXPECTED = {"dx": 1.7029235612572515e-09, "dgamma": 7.420414216247087e-13,
                             "dbeta": 2.8795057655839487e-12}


HINTS_FILE = Path(__file__).resolve().parent / "data" / "optimization_hints.json"


def hints(function, part="result"):
    """What each known mistake of `function` answers on the part `part` of its visible case, with
    its hint: the visible test names the mistake (built by grader/course/stored_cases.py)."""
    return stored_hints(HINTS_FILE, function, part)
