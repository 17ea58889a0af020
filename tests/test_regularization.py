"""Regularization: quoted unit values, stored cases, the notebook's own accuracies."""
import re

import numpy as np
import pytest

from helpers import errors, reference_functions, text_output
from grader.course import stored_cases
from testcases import regularization as cases
from utils.checks import check_arrays, check_dict
from utils.datasets import load_arrays
from utils.three_layer_net import forward_propagation

# (train, test) accuracies the notebook quotes for its own dataset.
ACCURACIES = {
    "no regularization": (0.9620853080568721, 0.865),
    "L2, lambd = 0.7": (0.9383886255924171, 0.89),
    "dropout, keep_prob = 0.86": (0.9241706161137441, 0.9),
}


@pytest.fixture(scope="module")
def reference():
    return reference_functions("regularization")


def test_cost_with_regularization(reference):
    A3, Y, parameters = cases.cost_case()
    cost = reference["compute_cost_with_regularization"](A3, Y, parameters, cases.COST_LAMBD)
    assert cost == pytest.approx(cases.COST_EXPECTED, rel=1e-12)


def test_backward_with_regularization(reference):
    X, Y, parameters = cases.forward_case()
    grads = reference["backward_propagation_with_regularization"](
        X, Y, forward_propagation(X, parameters)[1], cases.BACKWARD_LAMBD)
    check_dict({k: grads[k] for k in cases.BACKWARD_EXPECTED}, cases.BACKWARD_EXPECTED)


def test_dropout_forward(reference):
    X, _, parameters = cases.forward_case()
    A3, cache = reference["forward_propagation_with_dropout"](X, parameters, cases.DROPOUT_FORWARD_KEEP_PROB)
    check_arrays(A3, cases.DROPOUT_FORWARD_EXPECTED)
    assert len(cache) == len(cases.DROPOUT_CACHE_KEYS)


def test_dropout_backward(reference):
    X, Y, cache = cases.dropout_backward_case()
    grads = reference["backward_propagation_with_dropout"](X, Y, cache, cases.DROPOUT_BACKWARD_KEEP_PROB)
    check_dict({k: grads[k] for k in cases.DROPOUT_BACKWARD_EXPECTED}, cases.DROPOUT_BACKWARD_EXPECTED, atol=1e-7)
    # The report's dA1[0, 2] was computed from a cache typed in rounded.
    assert grads["dA1"][0, 2] == pytest.approx(-0.00188233, abs=1e-7)


def test_stored_dropout_cache_is_what_the_reference_forward_pass_gives(reference):
    path, arrays = stored_cases.build_regularization()
    shipped = load_arrays(path)
    assert list(shipped) == list(arrays)
    for key in arrays:
        assert np.array_equal(shipped[key], arrays[key]), key
    X, _, parameters = cases.forward_case()
    _, cache = reference["forward_propagation_with_dropout"](X, parameters, 0.5)
    stored = cases.dropout_backward_case()[2]
    assert len(stored) == len(cache) == 14
    for got, want in zip(stored, cache):
        assert np.array_equal(got, want)


def test_solution_notebook_runs_clean(executed_source):
    nb = executed_source("regularization")
    assert errors(nb) == []
    assert not [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
                if o.output_type == "stream" and o.name == "stderr"]


def test_solution_notebook_prints_its_accuracies(executed_source):
    text = text_output(executed_source("regularization"))
    trains = [float(x) for x in re.findall(r"train accuracy: (\S+)", text)]
    tests = [float(x) for x in re.findall(r"test accuracy:  (\S+)", text)]
    assert list(zip(trains, tests)) == list(ACCURACIES.values())


def test_the_story_holds(executed_source):
    """What the notebook's text argues, true of the accuracies its runs print."""
    text = text_output(executed_source("regularization"))
    trains = [float(x) for x in re.findall(r"train accuracy: (\S+)", text)]
    tests = [float(x) for x in re.findall(r"test accuracy:  (\S+)", text)]
    (train0, test0), (_, test_l2), (_, test_dropout) = list(zip(trains, tests))[:3]
    assert train0 - test0 > 0.05, "the unregularized model should overfit visibly"
    assert test0 < test_l2 < test_dropout, "L2 and dropout should each raise test accuracy, dropout most"
