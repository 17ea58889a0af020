"""Hidden checks of the Gradient checking assignment.

A student's gradient check is graded with the reference forward and backward
passes swapped in for the notebook's, so a mistake in one function costs the
points of that function only.
"""
import contextlib
import io

import numpy as np

from testcases import gradient_checking as cases
from utils.checks import dict_difference
from utils.gradient_check import (block_differences, dictionary_to_vector, gradients_to_vector,
                                  relative_difference, vector_to_dictionary)

from grader.reference import reference_functions
from grader.checking import call, either, fail, must_call_hint, random_parameters, using

# What each graded function must call (a hidden test binds it to a stand-in that gives other answers,
# so code that computes the same thing itself fails), and what it may write out instead of calling.
MUST_CALL = {"gradient_check": ("forward_propagation", "backward_propagation"),
             "gradient_check_n": ("forward_propagation_n",)}
MAY_WRITE_OUT = {"gradient_check_n": ("dictionary_to_vector", "vector_to_dictionary", "gradients_to_vector",
                                      "print_block_differences")}


def reference(name):
    return reference_functions("gradient_checking")[name]


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


def gradient_check_1d(x, theta, epsilon=1e-7, mistake=None, forward=None, backward=None):
    """The reference 1-D check, or one of the known mistaken versions of it, of the cost `forward`
    and the derivative `backward` (the notebook's J(theta) = theta * x and its derivative x by default)."""
    J = (lambda t: t * x) if forward is None else (lambda t: forward(x, t))  # noqa: E731
    J_plus, J_minus = J(theta + epsilon), J(theta - epsilon)
    if mistake == "plus_for_minus":
        J_minus = J(theta + epsilon)
    gradapprox = (J_plus - J(theta)) / epsilon if mistake == "one_sided" else (J_plus - J_minus) / (2 * epsilon)
    if mistake in ESTIMATES:
        gradapprox = ESTIMATES[mistake](J_plus, J_minus, epsilon)
    grad = x if backward is None else backward(x, theta)
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


# Stand-ins for the notebook's forward and backward passes: a check that computes J or its derivative
# itself, instead of calling them, gives the notebook's answer where these give another.
def squared_cost(x, theta):
    return theta ** 2 * x


def shifted_derivative(x, theta):
    return x + theta


# (x, theta, what the hidden test binds forward_propagation and backward_propagation to, and says so)
STAND_IN_CASES_1D = [(2.0, 4.0, "forward_propagation", squared_cost, "J = theta**2 * x"),
                     (-3.0, 0.5, "backward_propagation", shifted_derivative, "dtheta = x + theta")]


def cases_1d():
    """(case, x, theta, forward, backward): the reference's passes, then one stand-in each."""
    forward, backward = reference("forward_propagation"), reference("backward_propagation")
    out = [(f"x, theta = {x}, {theta}", x, theta, forward, backward) for x, theta in CASES_1D]
    for x, theta, replaced, stand_in, meaning in STAND_IN_CASES_1D:
        passes = {"forward_propagation": forward, "backward_propagation": backward, replaced: stand_in}
        out.append((f"x, theta = {x}, {theta}, {replaced} replaced by one that computes {meaning}", x, theta,
                    passes["forward_propagation"], passes["backward_propagation"]))
    return out


MUST_CALL_1D = {"forward_propagation": "J_plus = forward_propagation(x, theta_plus), and J_minus likewise",
                "backward_propagation": "grad = backward_propagation(x, theta)"}


def check_gradient_check(function):
    name = "gradient_check"
    for case, x, theta, forward, backward in cases_1d():
        with using(function, forward_propagation=forward, backward_propagation=backward):
            got = as_number(call(function, name, case, x, theta), name, case, "the difference")
        expected = gradient_check_1d(x, theta, forward=forward, backward=backward)
        if abs(got - expected) > 1e-6 * abs(expected) + 1e-15:
            fail(name, case, f"difference = {got!r}, expected {expected!r}",
                 gradient_check_hint(function, got, x, theta, forward, backward))


def gradient_check_hint(function, got, x, theta, forward, backward):
    def close(value, tolerance=1e-9):
        return abs(got - value) <= tolerance * abs(got) + 1e-15

    passes = {"forward": forward, "backward": backward}
    notebooks = {"forward": reference("forward_propagation"), "backward": reference("backward_propagation")}
    written_out = {f"{kind}_propagation": MUST_CALL_1D[f"{kind}_propagation"] for kind in passes
                   if passes[kind] is not notebooks[kind]
                   and close(gradient_check_1d(x, theta, **{**passes, kind: notebooks[kind]}), 1e-6)}
    if written_out:
        return must_call_hint("gradient_check", written_out)
    candidates = [m for m in MISTAKES_1D if close(gradient_check_1d(x, theta, mistake=m, **passes))]
    return tell_apart(candidates, rerun_1d(function, x, theta, forward, backward),
                      lambda m, epsilon: gradient_check_1d(x, theta, epsilon, mistake=m, **passes), 1e-9)


def rerun_1d(function, x, theta, forward, backward):
    def rerun(epsilon):
        with using(function, forward_propagation=forward, backward_propagation=backward):
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


def weight_decayed(forward):
    """A stand-in for forward_propagation_n: the cost of `forward` plus half the sum of the squared weights."""
    def weight_decayed_cost(X, Y, parameters):
        cost, cache = forward(X, Y, parameters)
        squares = sum(float(np.sum(np.square(v))) for k, v in parameters.items() if k.startswith("W"))
        return cost + 0.5 * squares, cache
    return weight_decayed_cost


def gradient_check_cases():
    """(case, X, Y, parameters, gradients, forward): network_cases with the notebook's forward pass,
    then one with a stand-in that gives another cost."""
    forward = reference("forward_propagation_n")
    out = [(*case, forward) for case in network_cases()]
    label, X, Y, p, gradients, _ = out[2]
    out.append((label.replace(", planted mistakes", ", forward_propagation_n replaced by one that adds "
                              "0.5 * (sum of the squared weights) to the cost"), X, Y, p, gradients,
                weight_decayed(forward)))
    return out


def gradient_check_nd(parameters, gradients, X, Y, epsilon=1e-7, mistake=None, forward=None):
    """The reference N-D check, or one of the known mistaken versions of it, with the cost `forward`
    (the notebook's forward_propagation_n by default)."""
    forward = forward or reference("forward_propagation_n")
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
    for case, X, Y, p, gradients, forward in gradient_check_cases():
        with using(function, forward_propagation_n=forward):
            got = call(function, name, case, {k: v.copy() for k, v in p.items()},
                       {k: v.copy() for k, v in gradients.items()}, X, Y)
        got = as_number(got, name, case, "the difference")
        expected = gradient_check_nd(p, gradients, X, Y, forward=forward)
        if abs(got - expected) > 1e-6 * abs(expected):
            fail(name, case, f"difference = {got!r}, expected {expected!r} (relative error "
                             f"{abs(got - expected) / expected:.2g})",
                 gradient_check_n_hint(function, got, p, gradients, X, Y, forward))


def gradient_check_n_hint(function, got, p, gradients, X, Y, forward):
    def close(value):
        return abs(got - value) <= 1e-6 * abs(got) + 1e-15

    if forward is not reference("forward_propagation_n") and close(gradient_check_nd(p, gradients, X, Y)):
        return must_call_hint("gradient_check_n", {
            "forward_propagation_n": "J_plus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_plus, keys))"})
    candidates = [m for m in HINTS if close(gradient_check_nd(p, gradients, X, Y, mistake=m, forward=forward))]
    return tell_apart(candidates, rerun_nd(function, p, gradients, X, Y, forward),
                      lambda m, epsilon: gradient_check_nd(p, gradients, X, Y, epsilon, mistake=m, forward=forward),
                      1e-6)


def rerun_nd(function, p, gradients, X, Y, forward):
    def rerun(epsilon):
        with using(function, forward_propagation_n=forward):
            with contextlib.redirect_stdout(io.StringIO()):
                return function({k: v.copy() for k, v in p.items()}, {k: v.copy() for k, v in gradients.items()},
                                X, Y, epsilon)
    return rerun


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
