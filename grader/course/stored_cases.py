"""Build the stored test cases in testcases/data/ (instructors only).

    python -m grader.course.stored_cases

A case whose input would give a graded function away (the cache of a
dropout forward pass, say) is stored as arrays instead of as code.

The visible tests name known mistakes before hand-in without the code of
the hidden checks: each assignment ships <assignment>_hints.json, which
holds, per graded function and per part its visible test compares, every
known mistake's answer on the visible case with its hint. Those are the
hidden checks' own tables run on inputs the notebook already shows; a
mistaken answer there tells nothing about the hidden cases or the reference.
"""
import json
from pathlib import Path

import numpy as np

from testcases import gradient_checking, initialization, optimization, regularization
from utils.datasets import save_arrays
from utils.three_layer_net import forward_propagation

from grader import gradient_checking as hidden_gradient_checking
from grader import initialization as hidden_initialization
from grader import optimization as hidden_optimization
from grader import regularization as hidden_regularization
from grader.reference import reference_functions


def build_regularization():
    X, _, parameters = regularization.forward_case()
    _, cache = hidden_regularization.dropout_forward(X, parameters, keep_prob=0.5)
    return regularization.CACHE_FILE, {f"dropout_{key}": value.astype(float) if value.dtype == bool else value
                                       for key, value in zip(regularization.DROPOUT_CACHE_KEYS, cache)}


def plain(answer, keys=None):
    """An answer as JSON: a dict of arrays (only `keys`, when given) or one array or number."""
    if isinstance(answer, dict):
        return {key: plain(value) for key, value in answer.items() if keys is None or key in keys}
    return np.asarray(answer, dtype=float).tolist()


def table(mistakes, answer, keys=None):
    """[(hint, answer of that mistake)] for a {hint: how the mistake is made} table."""
    return [(hint, plain(answer(how), keys)) for hint, how in mistakes.items()]


def hints_initialization():
    return {
        "initialize_parameters_random": {"result": table(
            hidden_initialization.RANDOM_MISTAKES, lambda make: make(initialization.RANDOM_DIMS))},
        "initialize_parameters_he": {"result": table(
            hidden_initialization.HE_MISTAKES, lambda make: make(initialization.HE_DIMS))},
    }


def hints_regularization():
    hidden, cases = hidden_regularization, regularization
    A3, Y, parameters = cases.cost_case()
    X, Y_forward, forward_parameters = cases.forward_case()
    cache = forward_propagation(X, forward_parameters)[1]
    X_backward, Y_backward, dropout_cache = cases.dropout_backward_case()
    return {
        "compute_cost_with_regularization": {"result": table(
            hidden.COST_MISTAKES, lambda make: make(A3, Y, parameters, cases.COST_LAMBD))},
        "backward_propagation_with_regularization": {"result": table(
            hidden.BACKWARD_MISTAKES, lambda make: make(X, Y_forward, cache, cases.BACKWARD_LAMBD),
            keys=cases.BACKWARD_EXPECTED)},
        "forward_propagation_with_dropout": {"result": table(
            hidden.FORWARD_MISTAKES, lambda make: make(X, forward_parameters, cases.DROPOUT_FORWARD_KEEP_PROB)[0])},
        "backward_propagation_with_dropout": {"result": table(
            hidden.BACKWARD_DROPOUT_MISTAKES,
            lambda make: make(X_backward, Y_backward, dropout_cache, cases.DROPOUT_BACKWARD_KEEP_PROB),
            keys=cases.DROPOUT_BACKWARD_EXPECTED)},
    }


def hints_gradient_checking():
    hidden, cases = hidden_gradient_checking, gradient_checking
    X, Y, parameters = cases.network_case()
    functions = reference_functions("gradient_checking")
    planted = functions["backward_propagation_n"](X, Y, functions["forward_propagation_n"](X, Y, parameters)[1])
    return {
        "gradient_check": {"result": [(hidden.HINTS[m], hidden.gradient_check_1d(cases.X_1D, cases.THETA_1D, mistake=m))
                                      for m in hidden.MISTAKES_1D]},
        "gradient_check_n": {"result": [(hint, hidden.gradient_check_nd(parameters, planted, X, Y, mistake=m))
                                        for m, hint in hidden.HINTS.items()]},
    }


def adam_steps(how):
    """A mistaken Adam's answers in the visible test: the step at ADAM_T from zero averages,
    then the later steps from where that one left off."""
    hidden, cases = hidden_optimization, optimization
    p, g = cases.update_case()
    zeros = hidden.zeros_like_grads(p)
    first = hidden.adam(p, g, zeros, zeros, cases.ADAM_T, **how)
    later = first
    for t in cases.ADAM_LATER_T:
        later = hidden.adam(later[0], g, later[1], later[2], t, **how)
    return {"parameters": first[0], "v": first[1], "s": first[2], "later": later[0]}


def hints_optimization():
    hidden, cases = hidden_optimization, optimization
    p, g = cases.update_case()
    zeros = hidden.zeros_like_grads(p)
    momentum = {hint: hidden.momentum(p, g, zeros, cases.MOMENTUM_BETA, cases.LEARNING_RATE, **how)
                for hint, how in hidden.MOMENTUM_MISTAKES.items()}
    adam = {hint: adam_steps(how) for hint, how in hidden.ADAM_MISTAKES.items()}
    X, Y = cases.mini_batch_case()
    batches = {hint: hidden.mini_batches(X, Y, cases.MINI_BATCH_SIZE, 0, **how)
               for hint, how in hidden.MINI_BATCH_MISTAKES.items()}
    return {
        "update_parameters_with_gd": {"result": table(
            hidden.GD_MISTAKES, lambda how: hidden.gd(p, g, cases.LEARNING_RATE, **how))},
        "update_parameters_with_momentum": {part: [(hint, plain(answer[i])) for hint, answer in momentum.items()]
                                            for i, part in enumerate(("parameters", "v"))},
        "update_parameters_with_adam": {part: [(hint, plain(answer[part])) for hint, answer in adam.items()]
                                        for part in ("parameters", "v", "s", "later")},
        "random_mini_batches": {part: [(hint, plain(np.hstack([pair[i] for pair in answer])))
                                       for hint, answer in batches.items()] for i, part in enumerate("XY")},
    }


HINT_BUILDERS = {"initialization": hints_initialization, "regularization": hints_regularization,
                 "gradient_checking": hints_gradient_checking, "optimization": hints_optimization}


def hints_file(assignment):
    return Path(__file__).resolve().parents[2] / "testcases" / "data" / f"{assignment}_hints.json"


def hints_text(assignment):
    """The JSON text of an assignment's stored hints, the same on every build."""
    functions = HINT_BUILDERS[assignment]()
    return json.dumps({function: {part: [[hint, answer] for hint, answer in pairs] for part, pairs in parts.items()}
                       for function, parts in functions.items()}, indent=1) + "\n"


BUILDERS = {"regularization": build_regularization}


def main():
    for build in BUILDERS.values():
        path, arrays = build()
        save_arrays(path, arrays)
        print(f"wrote {path}")
    for assignment in HINT_BUILDERS:
        hints_file(assignment).write_text(hints_text(assignment))
        print(f"wrote {hints_file(assignment)}")


if __name__ == "__main__":
    main()
