"""Gradient checking: quoted numbers, packing helpers, backward passes checked numerically."""
import re

import numpy as np
import pytest

from helpers import errors, reference_functions, text_output
from grader import gradient_checking as hidden
from testcases import gradient_checking as cases
from testcases import regularization as regularization_cases
from utils.gradient_check import (dictionary_to_vector, gradients_to_vector, relative_difference,
                                  vector_to_dictionary)
from utils.numerical_gradient import numerical_gradient_array, rel_error
from utils.three_layer_net import forward_propagation


@pytest.fixture(scope="module")
def reference():
    return reference_functions("gradient_checking")


def test_one_dimension(reference):
    assert reference["forward_propagation"](cases.X_1D, cases.THETA_1D) == 8
    assert reference["backward_propagation"](cases.X_1D, cases.THETA_1D) == 2
    assert reference["gradient_check"](cases.X_1D, cases.THETA_1D) == pytest.approx(2.919335883291695e-10, rel=1e-6)


def test_planted_and_fixed_differences(reference):
    X, Y, p = cases.network_case()
    cache = reference["forward_propagation_n"](X, Y, p)[1]
    planted = reference["gradient_check_n"](p, reference["backward_propagation_n"](X, Y, cache), X, Y)
    fixed = reference["gradient_check_n"](p, reference["backward_propagation_n_fixed"](X, Y, cache), X, Y)
    assert planted == pytest.approx(cases.DIFFERENCE_PLANTED_EXPECTED, rel=1e-9)
    assert fixed == pytest.approx(1.19e-7, rel=0.01) and fixed < cases.THRESHOLD


def test_packing_round_trip_in_theta_order():
    X, Y, p = cases.network_case()
    theta, keys = dictionary_to_vector(p)
    assert theta.shape == (47, 1) and [k for k, _ in keys] == ["W1", "b1", "W2", "b2", "W3", "b3"]
    for name, value in vector_to_dictionary(theta, keys).items():
        assert np.array_equal(value, p[name])
    with pytest.raises(TypeError, match="pass the keys"):  # no default layout that fits one network
        vector_to_dictionary(theta)
    grads = {"d" + name: value for name, value in reversed(list(p.items()))}
    grads["dA1"] = np.ones((5, 3))
    assert np.array_equal(gradients_to_vector(grads), theta)
    with pytest.raises(ValueError, match="47 entries"):
        vector_to_dictionary(theta, keys[:-1])


def numerical_difference(cost, parameters, gradients):
    """The shared helper's two-sided numerical gradient of cost(parameters) against gradients."""
    theta, keys = dictionary_to_vector(parameters)
    numeric = numerical_gradient_array(lambda t: np.array(cost(vector_to_dictionary(t, keys))),
                                       theta.copy(), np.array(1.0))
    return relative_difference(gradients_to_vector(gradients), numeric)


def test_fixed_backward_agrees_with_the_shared_numerical_gradient(reference):
    X, Y, p = cases.network_case()
    grads = reference["backward_propagation_n_fixed"](X, Y, reference["forward_propagation_n"](X, Y, p)[1])
    assert numerical_difference(lambda q: reference["forward_propagation_n"](X, Y, q)[0], p, grads) < 2e-7


def test_regularized_backward_agrees_with_the_shared_numerical_gradient():
    regularization = reference_functions("regularization")
    X, Y, p = regularization_cases.forward_case()
    lambd = 0.7
    cost = lambda q: regularization["compute_cost_with_regularization"](  # noqa: E731
        forward_propagation(X, q)[0], Y, q, lambd)
    grads = regularization["backward_propagation_with_regularization"](X, Y, forward_propagation(X, p)[1], lambd)
    assert numerical_difference(cost, p, grads) < 2e-7


def test_rel_error_is_the_batch_norm_measure():
    assert rel_error(np.array([1.0, 2.0]), np.array([1.0, 2.0])) == 0.0


def test_solution_notebook_prints_the_quoted_numbers(executed_source):
    nb = executed_source("gradient_checking")
    assert errors(nb) == []
    text = text_output(nb)
    assert "J = 8\n" in text and "dtheta = 2\n" in text
    assert "The gradient is correct!\ndifference = 2.919335883291695e-10" in text
    planted = re.search(r"There is a mistake in the backward propagation! difference = (\S+)", text)
    assert float(planted.group(1)) == pytest.approx(cases.DIFFERENCE_PLANTED_EXPECTED, rel=1e-9)
    fixed = re.search(r"works perfectly fine! difference = (\S+)", text)
    assert float(fixed.group(1)) == pytest.approx(1.19e-7, rel=0.01)


def test_solution_notebook_names_the_wrong_parameters(executed_source):
    text = text_output(executed_source("gradient_checking"))
    first_report = text.split("There is a mistake in the backward propagation!")[1].split("All visible")[0]
    flagged = re.findall(r"d(\w+)\s+difference = \S+\s+<-- look here", first_report)
    assert flagged == ["b1", "W2"]


def test_a_check_that_takes_no_epsilon_hears_of_both_mistakes_that_give_a_difference_of_1():
    # J_minus at theta + epsilon gives exactly 1, (J_plus - J_minus) / 2 * epsilon 1 - 2e-14: only
    # a run at another epsilon tells them apart, and this function cannot be given one.
    def gradient_check(x, theta):
        return 1.0

    with pytest.raises(AssertionError) as failure:
        hidden.check_gradient_check(gradient_check)
    message = str(failure.value)
    assert "either" in message
    assert hidden.HINTS["plus_for_minus"] in message and hidden.HINTS["times_epsilon"] in message


def test_a_call_without_keys_is_told_at_the_visible_test():
    """No default layout fits the notebook's network, so the visible test already fails such a call."""
    X, Y, p = cases.network_case()
    theta, _ = dictionary_to_vector(p)
    with pytest.raises(TypeError, match=r"vector_to_dictionary\(theta_plus, keys\)"):
        vector_to_dictionary(theta)