"""Hidden checks of the Initialization assignment.

Each check calls the student's function on the quoted case and on other
layer sizes, compares with a reference draw, and when the answers differ
looks for the known mistake that explains the difference.
"""
import numpy as np

from testcases import initialization as cases
from utils.checks import dict_difference

from grader.checking import call, fail, known_mistakes

# Layer sizes the hidden tests add: deeper, wider, a single layer, and
# shapes that no hard-coded dict for [3, 2, 1] or [2, 4, 1] can satisfy.
EXTRA_DIMS = ([5, 7, 3, 2], [4, 1], [1, 6, 6, 6, 1], [10, 3, 4])
SCRAMBLE_SEED = 2024  # drawn before each call: a missing np.random.seed(3) shows


def draw(dims, scale, sample=np.random.randn, reseed_each_layer=False, bias=np.zeros):
    """Initialize like the reference, with the knobs that the mistakes turn."""
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(dims)):
        if reseed_each_layer:
            np.random.seed(3)
        parameters[f"W{l}"] = sample(dims[l], dims[l - 1]) * scale(dims, l)
        parameters[f"b{l}"] = bias((dims[l], 1))
    return parameters


def he_scale(dims, l):
    return np.sqrt(2 / dims[l - 1])


def random_scale(dims, l):
    return 10


def zeros_reference(dims):
    return {key: np.zeros(shape) for key, shape in shapes(dims).items()}


def shapes(dims):
    out = {}
    for l in range(1, len(dims)):
        out[f"W{l}"] = (dims[l], dims[l - 1])
        out[f"b{l}"] = (dims[l], 1)
    return out


SEED_HINT = ("call np.random.seed(3) once, at the top of the function, before any draw: "
             "the hidden test draws other numbers first, and your answer changed.")

HE_MISTAKES = {
    "your weights have Xavier's scale sqrt(1 / n_prev); He's scale for ReLU layers is sqrt(2 / n_prev)":
        lambda dims: draw(dims, lambda d, l: np.sqrt(1 / d[l - 1])),
    "you scaled by the current layer's size; He uses the previous layer's, sqrt(2 / layers_dims[l - 1])":
        lambda dims: draw(dims, lambda d, l: np.sqrt(2 / d[l])),
    "you call np.random.seed(3) inside the loop; seed once, before the loop":
        lambda dims: draw(dims, he_scale, reseed_each_layer=True),
    "np.random.rand draws uniformly from [0, 1); use np.random.randn (standard normal)":
        lambda dims: draw(dims, he_scale, sample=np.random.rand),
}

RANDOM_MISTAKES = {
    "your weights are not multiplied by 10 (this exercise wants large weights: randn * 10)":
        lambda dims: draw(dims, lambda d, l: 1),
    "you call np.random.seed(3) inside the loop; seed once, before the loop":
        lambda dims: draw(dims, random_scale, reseed_each_layer=True),
    "np.random.rand draws uniformly from [0, 1); use np.random.randn (standard normal)":
        lambda dims: draw(dims, random_scale, sample=np.random.rand),
}


def structural_hint(got, dims):
    """A hint for a wrong set of keys, transposed shapes or non-zero biases."""
    if not isinstance(got, dict):
        return "return the dict `parameters`"
    L = len(dims) - 1
    expected_keys = set(shapes(dims))
    got_shapes = {key: getattr(value, "shape", None) for key, value in got.items()}
    for visible in ([3, 2, 1], [2, 4, 1]):
        if got_shapes == shapes(visible) and list(dims) != visible:
            return f"the result looks hard-coded for layers_dims = {visible}; build it from layers_dims"
    if got_shapes == shapes(dims[:-1]) and L > 1:
        return (f"W{L} and b{L} are missing: the loop must run over every layer, "
                "l = 1 … len(layers_dims) - 1")
    if set(got) != expected_keys:
        return "make one W and one b per layer, named W1, b1, W2, b2, …"
    for key, shape in shapes(dims).items():
        value = got[key]
        if isinstance(value, np.ndarray) and value.shape == shape[::-1] and shape[0] != shape[1]:
            return f"{key} is transposed: W{key[1:]} has shape (layers_dims[l], layers_dims[l - 1])"
        if isinstance(value, np.ndarray) and value.shape != shape:
            return f"{key} should have shape {shape}; build the shapes from layers_dims"
    for l in range(1, L + 1):
        b = got[f"b{l}"]
        if isinstance(b, np.ndarray) and np.any(b != 0):
            return f"b{l} is not zero: initialize every bias with np.zeros((layers_dims[l], 1))"
    return None


def call_after_scramble(function, dims, name="the function", scramble=SCRAMBLE_SEED):
    """The student's initializer on `dims`, numpy's generator first moved to `scramble`."""
    np.random.seed(scramble)
    return call(function, name, f"layers_dims = {dims}", list(dims))


def check_initializer(function, name, reference, quoted, mistakes):
    """Run the quoted cases, then the extra layer sizes, stopping at the first failure."""
    all_cases = list(quoted) + [(dims, reference(dims)) for dims in EXTRA_DIMS]
    for dims, expected in all_cases:
        got = call_after_scramble(function, dims, name)
        problem = dict_difference("parameters", got, expected)
        if problem:
            fail(name, f"layers_dims = {dims}", problem, diagnose(function, dims, got, mistakes))


def diagnose(function, dims, got, mistakes):
    hint = structural_hint(got, dims)
    if hint:
        return hint
    hint = known_mistakes(got, {hint: make(dims) for hint, make in mistakes.items()},
                          lambda got, answer: dict_difference("parameters", got, answer))
    if hint:
        return hint
    if dict_difference("parameters", got, call_after_scramble(function, dims, scramble=SCRAMBLE_SEED + 1)):
        return SEED_HINT
    return None


def check_zeros(function):
    check_initializer(function, "initialize_parameters_zeros", zeros_reference,
                      [(cases.ZEROS_DIMS, cases.ZEROS_EXPECTED)], {})


def check_random(function):
    check_initializer(function, "initialize_parameters_random",
                      lambda dims: draw(dims, random_scale),
                      [(cases.RANDOM_DIMS, cases.RANDOM_EXPECTED)], RANDOM_MISTAKES)


def check_he(function):
    check_initializer(function, "initialize_parameters_he",
                      lambda dims: draw(dims, he_scale),
                      [(cases.HE_DIMS, cases.HE_EXPECTED), (cases.HE_DIMS_2, cases.HE_EXPECTED_2)],
                      HE_MISTAKES)
