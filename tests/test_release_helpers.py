"""No graded function's answer can be had from a helper shipped in its own release."""
import copy
import json
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from helpers import ROOT
from grader.assignments import ASSIGNMENTS, SHARED_FILES
from grader.course.example_class import solutions
from grader.reference import reference_functions
from testcases import gradient_checking as gc_cases
from testcases import initialization as init_cases
from testcases import optimization as opt_cases
from testcases import regularization as reg_cases

PROBE = Path(__file__).with_name("helper_probe.py")
PARAMETER_GRADIENTS = ("dW1", "db1", "dW2", "db2", "dW3", "db3")


def zeros_like_gradients(parameters):
    return {"d" + name: np.zeros_like(value) for name, value in parameters.items()}


def two_sided_gradient(cost, theta, epsilon=1e-7):
    gradapprox = np.zeros_like(theta)
    for i in range(theta.shape[0]):
        plus, minus = theta.copy(), theta.copy()
        plus[i] += epsilon
        minus[i] -= epsilon
        gradapprox[i] = (cost(plus) - cost(minus)) / (2 * epsilon)
    return gradapprox


def visible_cases(assignment):
    """function -> (pool, part): what the visible case gives a student, and the part its test compares.

    The pool holds the call's arguments and, where the exercise computes something on
    the way (a numerical gradient, say), that value too: a helper that finishes the job
    from there gives the answer away as surely as one that does it all.
    """
    ref = reference_functions(assignment)
    if assignment == "initialization":
        return {"initialize_parameters_zeros": ([init_cases.ZEROS_DIMS], None),
                "initialize_parameters_random": ([init_cases.RANDOM_DIMS], None),
                "initialize_parameters_he": ([init_cases.HE_DIMS], None)}
    if assignment == "regularization":
        X, Y, parameters = reg_cases.forward_case()
        cache = ref["forward_propagation"](X, parameters)[1]
        return {
            "compute_cost_with_regularization": ([*reg_cases.cost_case(), reg_cases.COST_LAMBD], None),
            "backward_propagation_with_regularization": ([X, Y, cache, reg_cases.BACKWARD_LAMBD],
                                                         ("dW1", "dW2", "dW3")),
            "forward_propagation_with_dropout": ([X, parameters, reg_cases.DROPOUT_FORWARD_KEEP_PROB], 0),
            "backward_propagation_with_dropout": ([*reg_cases.dropout_backward_case(),
                                                   reg_cases.DROPOUT_BACKWARD_KEEP_PROB], ("dA1", "dA2")),
        }
    if assignment == "gradient_checking":
        x, theta, epsilon = gc_cases.X_1D, gc_cases.THETA_1D, 1e-7
        gradapprox_1d = (ref["forward_propagation"](x, theta + epsilon)
                         - ref["forward_propagation"](x, theta - epsilon)) / (2 * epsilon)
        X, Y, parameters = gc_cases.network_case()
        cache = ref["forward_propagation_n"](X, Y, parameters)[1]
        gradients = ref["backward_propagation_n"](X, Y, cache)
        theta_n, keys = ref["dictionary_to_vector"](parameters)
        gradapprox = two_sided_gradient(
            lambda t: ref["forward_propagation_n"](X, Y, ref["vector_to_dictionary"](t, keys))[0], theta_n)
        return {
            "forward_propagation": ([x, theta], None),
            "backward_propagation": ([x, theta], None),
            "gradient_check": ([x, theta, epsilon, ref["backward_propagation"](x, theta), gradapprox_1d], None),
            "gradient_check_n": ([parameters, gradients, X, Y, ref["gradients_to_vector"](gradients),
                                  gradapprox, keys], None),
            "backward_propagation_n_fixed": ([X, Y, cache], PARAMETER_GRADIENTS),
        }
    parameters, grads = opt_cases.update_case()
    mini_X, mini_Y = opt_cases.mini_batch_case()
    x, gamma, beta, dout = opt_cases.batchnorm_gradient_case()
    cache = ref["batchnorm_forward"](x, gamma, beta, {"mode": "train"})[1]
    activations, _ = opt_cases.activations_case()
    (lr_arguments, _) = opt_cases.UPDATE_LR_CASE
    return {
        "update_parameters_with_gd": ([parameters, grads, opt_cases.LEARNING_RATE], None),
        "random_mini_batches": ([mini_X, mini_Y, opt_cases.MINI_BATCH_SIZE], None),
        "initialize_velocity": ([parameters], None),
        "update_parameters_with_momentum": ([parameters, grads, zeros_like_gradients(parameters),
                                             opt_cases.MOMENTUM_BETA, opt_cases.LEARNING_RATE], 0),
        "initialize_adam": ([parameters], 0),
        "update_parameters_with_adam": ([parameters, grads, zeros_like_gradients(parameters),
                                         zeros_like_gradients(parameters), opt_cases.ADAM_T], 0),
        "update_lr": (list(lr_arguments), None),
        "schedule_lr_decay": (list(opt_cases.SCHEDULE_LR_CASES[2][0]), None),
        "batchnorm_forward": ([activations, np.ones(3), np.zeros(3), {"mode": "train"}], 0),
        "batchnorm_backward": ([dout, cache], 0),
        "batchnorm_backward_alt": ([dout, cache], 0),
    }


def probe(folder, cases):
    """Run tests/helper_probe.py in `folder` on [(function, pool, answer, part)]."""
    process = subprocess.run([sys.executable, str(PROBE)], cwd=folder, input=pickle.dumps(cases),
                             capture_output=True, timeout=600)
    assert process.returncode == 0, process.stderr.decode()
    lines = [json.loads(line) for line in process.stdout.decode().splitlines()]
    return lines[0]["helpers"], lines[1:]


# How many of the pool's values are the function's arguments (the rest were computed on the way).
ARGUMENTS = {"gradient_check": 3, "gradient_check_n": 4}
# dtheta = x: the answer is the argument itself, and relu(2) "returns" it; no helper gives that away.
ANSWER_IS_AN_ARGUMENT = {("gradient_checking", "backward_propagation")}


def answered_cases(assignment):
    ref = reference_functions(assignment)
    cases = []
    for function, (pool, part) in visible_cases(assignment).items():
        answer = ref[function](*copy.deepcopy(pool[:ARGUMENTS.get(function, len(pool))]))
        if (assignment, function) not in ANSWER_IS_AN_ARGUMENT:
            cases.append((function, pool, answer, part))
    return cases


def test_every_graded_function_has_a_visible_case():
    for assignment in ASSIGNMENTS:
        assert set(visible_cases(assignment)) == set(solutions(assignment)), assignment


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_no_shipped_helper_returns_a_graded_answer(assignment, tmp_path):
    folder = shutil.copytree(ROOT / "release" / assignment, tmp_path / assignment)
    helpers, hits = probe(folder, answered_cases(assignment))
    assert helpers, "the probe found no helper to try"
    assert hits == [], [f"{hit['helper']} returns the answer of {hit['function']}" for hit in hits]


def test_the_probe_finds_the_helpers_that_gave_answers_away(tmp_path):
    # Every helper of utils/ in one folder, as each release shipped before it was trimmed.
    folder = tmp_path / "everything"
    for relative in {f for files in SHARED_FILES.values() for f in files} | {"utils/gradient_check.py"}:
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / relative, folder / relative)
    cases = answered_cases("optimization")[:1] + answered_cases("gradient_checking")
    _, hits = probe(folder, cases)
    found = {(hit["function"], hit["helper"]) for hit in hits}
    assert {("update_parameters_with_gd", "utils.three_layer_net.update_parameters"),
            ("backward_propagation_n_fixed", "utils.three_layer_backward.backward_propagation"),
            ("gradient_check", "utils.gradient_check.relative_difference"),
            ("gradient_check_n", "utils.gradient_check.relative_difference")} <= found, found
