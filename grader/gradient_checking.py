"""Hidden checks of the Gradient checking assignment.

A student's gradient check is graded with the reference forward and backward
passes swapped in for the notebook's, so a mistake in one function costs the
points of that function only.
"""
import contextlib
import inspect
import io

import numpy as np

from testcases import gradient_checking as cases
from utils.checks import dict_difference
from utils.gradient_check import (CHECK_NETWORK_KEYS, block_differences, dictionary_to_vector, gradients_to_vector,
                                  relative_difference, vector_to_dictionary)

from grader.reference import reference_functions
from grader.checking import call, either, fail, random_parameters


def reference(name):
    return reference_functions("gradient_checking")[name]


@contextlib.contextmanager
def using(function, **replacements):
    """Run `function` with some of its global names bound to the reference's."""
    if hasattr(function, "overriding"):  # a student's function, in the student's process
        with function.overriding(**replacements):
            yield
        return
    namespace = getattr(inspect.unwrap(function), "__globals__", {})
    saved = {name: namespace[name] for name in replacements if name in namespace}
    namespace.update(replacements)
    try:
        yield
    finally:
        for name in replacements:
            namespace.pop(name, None)
        namespace.update(saved)


def as_number(value, name, case, what):
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.item()
    if not isinstance(value, (int, float, np.integer, np.floating)):
        fail(name, case, f"{what} should be a number, got {type(value).__name__}")
    return float(value)


# ----- 1-D ---------------------------------------------------------------------

CASES_1D = [(cases.X_1D, cases.THETA_1D), (3, -1.5), (-0.5, 10.0), (7.25, 0.3)]


def check_forward(function):
    name = "forward_propagation"
    for x, theta in CASES_1D:
        case = f"x, theta = {x}, {theta}"
        got = as_number(call(function, name, case, x, theta), name, case, "J")
        if got != theta * x:
            fail(name, case, f"J = {got}, expected {theta * x}", "J(theta) = theta * x")


def check_backward(function):
    name = "backward_propagation"
    for x, theta in CASES_1D:
        case = f"x, theta = {x}, {theta}"
        got = as_number(call(function, name, case, x, theta), name, case, "dtheta")
        if got != x:
            hint = "dJ/dtheta of theta * x is x, not theta" if got == theta else None
            fail(name, case, f"dtheta = {got}, expected {x}", hint)


def gradient_check_1d(x, theta, epsilon=1e-7, mistake=None):
    """The reference 1-D check, or one of the known mistaken versions of it."""
    J = lambda t: t * x  # noqa: E731
    J_plus, J_minus = J(theta + epsilon), J(theta - epsilon)
    if mistake == "plus_for_minus":
        J_minus = J(theta + epsilon)
    gradapprox = (J_plus - J(theta)) / epsilon if mistake == "one_sided" else (J_plus - J_minus) / (2 * epsilon)
    if mistake in ESTIMATES:
        gradapprox = ESTIMATES[mistake](J_plus, J_minus, epsilon)
    grad = x
    if mistake == "no_denominator":
        return float(np.linalg.norm(grad - gradapprox))
    return float(np.linalg.norm(grad - gradapprox) / (np.linalg.norm(grad) + np.linalg.norm(gradapprox)))


# Mistaken numerical estimates from J_plus and J_minus.
ESTIMATES = {
    "over_epsilon": lambda J_plus, J_minus, epsilon: (J_plus - J_minus) / epsilon,
    "times_epsilon": lambda J_plus, J_minus, epsilon: (J_plus - J_minus) / 2 * epsilon,
}


HINTS = {
    "plus_for_minus": "J_minus must be computed at theta - epsilon: it was computed at theta + epsilon",
    "one_sided": "use the two-sided difference (J(theta + epsilon) - J(theta - epsilon)) / (2 * epsilon)",
    "no_denominator": "divide ||grad - gradapprox|| by ||grad|| + ||gradapprox|| to make the difference relative",
    "in_place": "copy the parameter vector before perturbing it (np.copy): perturbations in place add up",
    "first_only": "perturb entry i of theta in iteration i, not always the first one",
    "wrong_order": "grad is not in theta's order W1, b1, W2, ...: build it with gradients_to_vector(gradients)",
    "over_epsilon": "the two-sided difference spans 2 * epsilon: divide J_plus - J_minus by 2 * epsilon, not by epsilon",
    "times_epsilon": "Python reads (J_plus - J_minus) / 2 * epsilon as ((J_plus - J_minus) / 2) * epsilon, "
                     "which multiplies by epsilon: write / (2 * epsilon)",
    "norm_of_sum": "the denominator is ||grad|| + ||gradapprox||, the sum of the two norms, "
                   "not the norm of the sum ||grad + gradapprox||",
}
MISTAKES_1D = ("plus_for_minus", "one_sided", "no_denominator", "over_epsilon", "times_epsilon")

# J_minus taken at theta + epsilon gives a difference of exactly 1, and (J_plus - J_minus) / 2 * epsilon one
# of 1 - 2 epsilon**2: at the default epsilon only another epsilon tells the two apart.
TELLING_EPSILON = 1e-2


def tell_apart(candidates, rerun, model, tolerance):
    """The hint of the candidate mistakes that also reproduce the student's difference at TELLING_EPSILON.

    rerun(epsilon) is the student's difference at that epsilon; when it cannot say (the function
    ignores its epsilon, or raises), every candidate is named.
    """
    if len(candidates) > 1:
        try:
            got = float(np.asarray(rerun(TELLING_EPSILON)).reshape(()))
        except Exception:
            got = None
        if got is not None:
            candidates = [m for m in candidates
                          if abs(got - model(m, TELLING_EPSILON)) <= tolerance * abs(got) + 1e-15] or candidates
    return either(HINTS[m] for m in candidates)


def check_gradient_check(function):
    name = "gradient_check"
    for x, theta in CASES_1D:
        case = f"x, theta = {x}, {theta}"
        with using(function, forward_propagation=reference("forward_propagation"),
                   backward_propagation=reference("backward_propagation")):
            got = as_number(call(function, name, case, x, theta), name, case, "the difference")
        expected = gradient_check_1d(x, theta)
        if abs(got - expected) > 1e-6 * abs(expected) + 1e-15:
            candidates = [m for m in MISTAKES_1D
                          if abs(got - gradient_check_1d(x, theta, mistake=m)) <= 1e-9 * abs(got) + 1e-15]
            hint = tell_apart(candidates, rerun_1d(function, x, theta),
                              lambda m, epsilon: gradient_check_1d(x, theta, epsilon, mistake=m), 1e-9)
            fail(name, case, f"difference = {got!r}, expected {expected!r}", hint)


def rerun_1d(function, x, theta):
    def rerun(epsilon):
        with using(function, forward_propagation=reference("forward_propagation"),
                   backward_propagation=reference("backward_propagation")):
            with contextlib.redirect_stdout(io.StringIO()):
                return function(x, theta, epsilon)
    return rerun


# ----- N-D ---------------------------------------------------------------------

def random_network(seed, sizes, m):
    rng = np.random.RandomState(seed)
    X = rng.randn(sizes[0], m)
    Y = (rng.rand(m) > 0.5).astype(int)
    return X, Y, random_parameters(rng, sizes)


def network_cases():
    """(label, X, Y, parameters, gradients): the quoted case with the planted and the fixed
    backward pass, then other shapes."""
    forward = reference("forward_propagation_n")
    planted, fixed = reference("backward_propagation_n"), reference("backward_propagation_n_fixed")
    X, Y, p = cases.network_case()
    cache = forward(X, Y, p)[1]
    out = [("the quoted case, planted mistakes", X, Y, p, planted(X, Y, cache)),
           ("the quoted case, mistakes fixed", X, Y, p, fixed(X, Y, cache))]
    for seed, sizes, m in [(21, (3, 4, 2, 1), 5), (22, (2, 6, 3, 1), 8)]:
        X, Y, p = random_network(seed, sizes, m)
        cache = forward(X, Y, p)[1]
        out.append((f"a [{', '.join(map(str, sizes))}] network, planted mistakes", X, Y, p, planted(X, Y, cache)))
    return out


def gradient_check_nd(parameters, gradients, X, Y, epsilon=1e-7, mistake=None):
    """The reference N-D check, or one of the known mistaken versions of it."""
    forward = reference("forward_propagation_n")
    theta, keys = dictionary_to_vector(parameters)
    grad = gradients_to_vector(gradients)
    if mistake == "wrong_order":
        grad = np.concatenate([gradients[f"d{kind}{l}"].reshape(-1, 1)
                               for l in range(len(keys) // 2, 0, -1) for kind in "Wb"])
    gradapprox = np.zeros_like(theta)
    J = forward(X, Y, parameters)[0]
    for i in range(theta.shape[0]):
        j = 0 if mistake == "first_only" else i
        plus = theta if mistake == "in_place" else np.copy(theta)
        plus[j] = plus[j] + epsilon
        J_plus = forward(X, Y, vector_to_dictionary(plus, keys))[0]
        minus = theta if mistake == "in_place" else np.copy(theta)
        if mistake != "plus_for_minus":
            minus[j] = minus[j] - epsilon
        else:
            minus[j] = minus[j] + epsilon
        J_minus = forward(X, Y, vector_to_dictionary(minus, keys))[0]
        if mistake == "plus_for_minus":
            J_minus = J_plus
        gradapprox[i] = (J_plus - J) / epsilon if mistake == "one_sided" else (J_plus - J_minus) / (2 * epsilon)
        if mistake in ESTIMATES:
            gradapprox[i] = ESTIMATES[mistake](J_plus, J_minus, epsilon)
    if mistake == "no_denominator":
        return float(np.linalg.norm(grad - gradapprox))
    if mistake == "norm_of_sum":
        return float(np.linalg.norm(grad - gradapprox) / np.linalg.norm(grad + gradapprox))
    return relative_difference(grad, gradapprox)


def check_gradient_check_n(function):
    name = "gradient_check_n"
    for label, X, Y, p, gradients in network_cases():
        case = label
        with using(function, forward_propagation_n=reference("forward_propagation_n")):
            got = call(function, name, case, {k: v.copy() for k, v in p.items()},
                       {k: v.copy() for k, v in gradients.items()}, X, Y,
                       explain=lambda error: default_keys_hint(error, p))
        got = as_number(got, name, case, "the difference")
        expected = gradient_check_nd(p, gradients, X, Y)
        if abs(got - expected) > 1e-6 * abs(expected):
            candidates = [m for m in HINTS
                          if abs(got - gradient_check_nd(p, gradients, X, Y, mistake=m)) <= 1e-6 * abs(got) + 1e-15]
            hint = tell_apart(candidates, rerun_nd(function, p, gradients, X, Y),
                              lambda m, epsilon: gradient_check_nd(p, gradients, X, Y, epsilon, mistake=m), 1e-6)
            fail(name, case, f"difference = {got!r}, expected {expected!r} (relative error "
                             f"{abs(got - expected) / expected:.2g})", hint)


def rerun_nd(function, p, gradients, X, Y):
    def rerun(epsilon):
        with using(function, forward_propagation_n=reference("forward_propagation_n")):
            with contextlib.redirect_stdout(io.StringIO()):
                return function({k: v.copy() for k, v in p.items()}, {k: v.copy() for k, v in gradients.items()},
                                X, Y, epsilon)
    return rerun


def default_keys_hint(error, parameters):
    """The hint for vector_to_dictionary(theta) called without keys, when `error` looks like it.

    Without keys the helper unpacks theta as the notebook's [4, 5, 3, 1] network, so the quoted case
    passes; theta of any other network fails to reshape (too few entries) or has entries left over.
    The error is read as text: that is all that survives when the student's code runs in another process.
    """
    text = f"{type(error).__name__}: {error}"
    if dictionary_to_vector(parameters)[1] == CHECK_NETWORK_KEYS or not text.startswith("ValueError"):
        return None
    if "cannot reshape array" in text or "the keys describe" in text:
        return ("vector_to_dictionary(theta) without keys reads theta as the notebook's [4, 5, 3, 1] network; "
                "pass the keys that dictionary_to_vector returned: vector_to_dictionary(theta_plus, keys)")
    return None


def check_backward_propagation_n_fixed(function):
    name = "backward_propagation_n_fixed"
    forward = reference("forward_propagation_n")
    correct = reference("backward_propagation_n_fixed")
    for label, X, Y, p, _ in network_cases()[1:]:
        case = label.replace(", planted mistakes", "").replace(", mistakes fixed", "")
        cache = forward(X, Y, p)[1]
        got = call(function, name, case, X, Y, tuple(c.copy() for c in cache))
        if isinstance(got, dict):
            got = {k: v for k, v in got.items() if k[:2] in ("dW", "db")}
        expected = {k: v for k, v in correct(X, Y, cache).items() if k[:2] in ("dW", "db")}
        problem = dict_difference("gradients", got, expected)
        if problem:
            theta, keys = dictionary_to_vector(p)
            wrong = [f"d{name_}" for name_, d in block_differences(
                gradients_to_vector(got), gradients_to_vector(expected), keys).items() if d > 1e-9] \
                if isinstance(got, dict) and set(got) == set(expected) else []
            hint = (f"the gradient check points at {', '.join(wrong)}: compare those lines with the math"
                    if wrong else None)
            fail(name, case, problem, hint)
