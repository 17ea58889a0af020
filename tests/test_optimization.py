"""Optimization and batch normalization: quoted values, traces, accuracies, gradient checks."""
import re

import numpy as np
import pytest

from helpers import errors, reference_functions, text_output
from grader import optimization as hidden
from grader.checking import known_mistakes
from testcases import optimization as cases
from utils.checks import check_dict
from utils.numerical_gradient import numerical_gradient_array, rel_error


@pytest.fixture(scope="module")
def reference():
    return reference_functions("optimization")


def test_gd_and_momentum_updates(reference):
    p, g = cases.update_case()
    check_dict(reference["update_parameters_with_gd"](p, g, cases.LEARNING_RATE), cases.GD_EXPECTED)
    p, g = cases.update_case()
    v = reference["initialize_velocity"](p)
    p, v = reference["update_parameters_with_momentum"](p, g, v, cases.MOMENTUM_BETA, cases.LEARNING_RATE)
    check_dict(p, cases.MOMENTUM_EXPECTED)
    check_dict(v, cases.VELOCITY_EXPECTED)


def test_adam_update(reference):
    p, g = cases.update_case()
    v, s = reference["initialize_adam"](p)
    p, v, s = reference["update_parameters_with_adam"](p, g, v, s, cases.ADAM_T)
    check_dict(v, cases.VELOCITY_EXPECTED)
    check_dict(s, cases.ADAM_S_EXPECTED)
    # The quoted parameters put epsilon inside the square root; the textbook step differs by < 5e-7.
    check_dict(p, cases.ADAM_EXPECTED, atol=5e-7)
    assert p["W2"][2, 1] == pytest.approx(-1.09244991, abs=5e-9)
    # A step 0.05% too large (report 000's Adam) is caught at this tolerance.
    p0, _ = cases.update_case()
    too_large = {k: p0[k] + 1.0005 * (p[k] - p0[k]) for k in p}
    with pytest.raises(AssertionError):
        check_dict(too_large, cases.ADAM_EXPECTED, atol=1e-6)


def test_learning_rate_decay(reference):
    args, expected = cases.UPDATE_LR_CASE
    assert reference["update_lr"](*args) == expected
    for args, expected in cases.SCHEDULE_LR_CASES:
        assert reference["schedule_lr_decay"](*args) == pytest.approx(expected, rel=1e-15)


def test_mini_batches_keep_examples_with_their_labels(reference):
    X, Y = cases.mini_batch_case()
    X = np.vstack([X, np.arange(148)])
    Y = np.arange(148).reshape(1, -1)
    batches = reference["random_mini_batches"](X, Y, 64, seed=0)
    assert [x.shape[1] for x, _ in batches] == [64, 64, 20]
    for x, y in batches:
        assert np.array_equal(x[-1], y[0])
    assert sorted(np.concatenate([y[0] for _, y in batches])) == list(range(148))


def test_batchnorm_errors_reproduce_the_report(reference):
    forward, backward = reference["batchnorm_forward"], reference["batchnorm_backward"]
    x, gamma, beta, dout = cases.batchnorm_gradient_case()
    bn_param = {"mode": "train"}
    dx_num = numerical_gradient_array(lambda x: forward(x, gamma, beta, bn_param)[0], x, dout)
    dgamma_num = numerical_gradient_array(lambda a: forward(x, a, beta, bn_param)[0], gamma.copy(), dout)
    dbeta_num = numerical_gradient_array(lambda b: forward(x, gamma, b, bn_param)[0], beta.copy(), dout)
    dx, dgamma, dbeta = backward(dout, forward(x, gamma, beta, bn_param)[1])
    expected = cases.BATCHNORM_ERRORS_EXPECTED
    assert rel_error(dgamma_num, dgamma) == expected["dgamma"]
    assert rel_error(dbeta_num, dbeta) == expected["dbeta"]
    assert rel_error(dx_num, dx) == pytest.approx(expected["dx"], rel=1e-3)


def test_batchnorm_alt_agrees(reference):
    x, gamma, beta, dout = cases.batchnorm_speed_case()
    cache = reference["batchnorm_forward"](x, gamma, beta, {"mode": "train"})[1]
    a, b = reference["batchnorm_backward"](dout, cache), reference["batchnorm_backward_alt"](dout, cache)
    assert rel_error(a[0], b[0]) < 1e-11 and rel_error(a[1], b[1]) == 0 and rel_error(a[2], b[2]) == 0


def test_grader_references_agree_with_the_solution(reference):
    for case, x, gamma, beta, bn_param in hidden.batchnorm_cases():
        param = dict(bn_param)
        out, _ = reference["batchnorm_forward"](x, gamma, beta, param)
        want, want_param = hidden.batchnorm(x, gamma, beta, bn_param)
        assert np.allclose(out, want) and np.allclose(param["running_var"], want_param["running_var"]), case


def test_solution_notebook_prints_the_quoted_traces_and_accuracies(executed_source):
    nb = executed_source("optimization")
    assert errors(nb) == []
    text = text_output(nb)
    runs = text.split("Cost after epoch 0:")[1:]
    assert len(runs) >= 3
    for optimizer, run in zip(("gd", "momentum", "adam"), runs):
        costs = [run.split()[0]] + re.findall(r"Cost after epoch \d+: (\S+)", run)
        assert costs[:len(cases.COST_TRACES[optimizer])] == cases.COST_TRACES[optimizer], optimizer
        assert f"accuracy: {cases.ACCURACIES[optimizer]}\n" in run
    assert re.search(r"Adam\s+94.0%\s+fast drop, then bounces", text)
    assert re.search(r"speedup: \d+\.\d\dx", text)


def test_a_hint_names_every_known_mistake_that_gives_the_same_numbers():
    same = lambda a, b: None if a == b else "differs"  # noqa: E731
    assert known_mistakes(1, {"use X": 2}, same) is None
    assert known_mistakes(1, {"use X": 1, "use Y": 2}, same) == "use X"
    assert known_mistakes(1, {"use X": 1, "use Y": 2, "use Z": 1}, same) == "either use X; or use Z"


def test_adam_with_power_2_at_step_1_hears_of_both_mistakes_that_give_its_numbers():
    def adam_power_2(parameters, grads, v, s, t, learning_rate, beta1, beta2, epsilon):
        return hidden.adam(parameters, grads, v, s, t, learning_rate, beta1, beta2, epsilon, power=2, s_power=2)

    with pytest.raises(AssertionError) as failure:
        hidden.check_adam(adam_power_2)
    message = str(failure.value)
    assert "t = 1" in message and "either" in message
    assert "not a fixed power 2" in message and "t counts the steps from 1" in message
