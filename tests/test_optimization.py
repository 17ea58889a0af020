"""Optimization and batch normalization: quoted values, traces, accuracies, gradient checks."""
import re

import numpy as np
import pytest

from helpers import errors, reference_functions, run_hidden_test, source_cells, text_output
from grader.course.example_class import solutions
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


# ----- batch norm: the backward passes read the student's own cache --------------

# Correct batch-norm code in three layouts of the students' own (issue 23 §2): a dict, a tuple in
# another order, a list holding only x_hat, gamma, std and extras (a float, an int, a string).
FORWARD = '''
def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    N, D = x.shape
    running_mean = bn_param.get("running_mean", np.zeros(D, dtype=x.dtype))
    running_var = bn_param.get("running_var", np.zeros(D, dtype=x.dtype))
    out, cache = None, None
    if mode == "train":
        sample_mean = np.mean(x, axis=0)
        sample_var = np.var(x, axis=0, ddof={ddof})
        x_norm = (x - sample_mean) / np.sqrt(sample_var + eps)
        out = gamma * x_norm + beta
        cache = {cache}
        running_mean = {keep} * running_mean + (1 - {keep}) * sample_mean
        running_var = {keep} * running_var + (1 - {keep}) * sample_var
    else:
        out = gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta
    bn_param["running_mean"] = running_mean
    bn_param["running_var"] = running_var
    return out, cache
'''

LAYOUTS = {
    "dict": ('{"x": x, "x_norm": x_norm, "mu": sample_mean, "var": sample_var, "gamma": gamma, "eps": eps}', '''
def batchnorm_backward(dout, cache):
    x, x_norm, mu, var, gamma, eps = [cache[k] for k in ("x", "x_norm", "mu", "var", "gamma", "eps")]
    N = x.shape[0]
    dbeta = np.sum(dout, axis=0)
    dgamma = np.sum(dout * x_norm, axis=0)
    dx_norm = dout * gamma
    dvar = np.sum(dx_norm * (x - mu), axis=0) * -0.5 * (var + eps) ** -1.5
    dmu = np.sum(-dx_norm / np.sqrt(var + eps), axis=0) + dvar * np.mean(-2 * (x - mu), axis=0)
    dx = dx_norm / np.sqrt(var + eps) + dvar * 2 * (x - mu) / N + dmu / N
    return dx, dgamma, dbeta


def batchnorm_backward_alt(dout, cache):
    x_norm, var, gamma, eps = cache["x_norm"], cache["var"], cache["gamma"], cache["eps"]
    N = dout.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_norm).sum(axis=0)
    dx = gamma / (N * np.sqrt(var + eps)) * (N * dout - dbeta - x_norm * dgamma)
    return dx, dgamma, dbeta
'''),
    "tuple in another order": ("(gamma, 1 / np.sqrt(sample_var + eps), x - sample_mean, x_norm)", '''
def batchnorm_backward(dout, cache):
    gamma, inv_std, x_mu, x_norm = cache
    N, D = dout.shape
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_norm).sum(axis=0)
    dx_norm = dout * gamma
    dinv_std = (dx_norm * x_mu).sum(axis=0)
    dvar = dinv_std * -0.5 * inv_std ** 3
    dx_mu = dx_norm * inv_std + 2 * x_mu * dvar / N
    dx = dx_mu - dx_mu.sum(axis=0) / N
    return dx, dgamma, dbeta


def batchnorm_backward_alt(dout, cache):
    gamma, inv_std, x_mu, x_norm = cache
    N = dout.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_norm).sum(axis=0)
    dx = gamma * inv_std / N * (N * dout - dbeta - x_norm * dgamma)
    return dx, dgamma, dbeta
'''),
    "list with extras": ('[x_norm, gamma, np.sqrt(sample_var + eps), eps, N, mode]', '''
def batchnorm_backward(dout, cache):
    x_hat, gamma, std, eps, N, mode = cache
    dbeta = np.sum(dout, axis=0)
    dgamma = np.sum(dout * x_hat, axis=0)
    dx_hat = dout * gamma
    dx = (dx_hat - np.mean(dx_hat, axis=0) - x_hat * np.mean(dx_hat * x_hat, axis=0)) / std
    return dx, dgamma, dbeta


def batchnorm_backward_alt(dout, cache):
    x_hat, gamma, std, eps, N, mode = cache
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    return gamma / (N * std) * (N * dout - dbeta - x_hat * dgamma), dgamma, dbeta
'''),
}
BACKWARD_TESTS = ("test_batchnorm_forward", "test_batchnorm_backward", "test_batchnorm_backward_alt")


def batchnorm_student(layout, ddof=0, keep="momentum", cache=None):
    """{graded cell: source} of a student writing in `layout` (a mistake in the forward if asked)."""
    own_cache, backward = LAYOUTS[layout]
    backward, alt = backward.split("\n\n\n")
    return {"batchnorm_forward": FORWARD.format(ddof=ddof, keep=keep, cache=cache or own_cache),
            "batchnorm_backward": backward, "batchnorm_backward_alt": alt}


def defined(functions):
    namespace = {"np": np}
    for source in functions.values():
        exec(source, namespace)
    return namespace


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_a_correct_pair_with_its_own_cache_layout_gets_every_point(layout):
    student = batchnorm_student(layout)
    # As grading runs them: the cache crosses from the student's process to the checker and back.
    for grade_id in BACKWARD_TESTS:
        assert run_hidden_test("optimization", grade_id, student) == {"passed": True}, grade_id
    f = defined(student)
    hidden.check_batchnorm_forward(f["batchnorm_forward"])
    hidden.check_batchnorm_backward(f["batchnorm_backward"], forward=f["batchnorm_forward"])
    hidden.check_batchnorm_backward_alt(f["batchnorm_backward_alt"], forward=f["batchnorm_forward"])


def test_a_wrong_forward_costs_the_backward_nothing_in_the_notebooks_layout(reference):
    student = {"batchnorm_forward": FORWARD.format(
        ddof=1, keep="momentum", cache="(x_norm, x - sample_mean, np.sqrt(sample_var + eps), gamma)")}
    verdict = run_hidden_test("optimization", "test_batchnorm_forward", student)
    assert not verdict["passed"] and "biased variance" in verdict["message"]
    for grade_id in BACKWARD_TESTS[1:]:
        assert run_hidden_test("optimization", grade_id, student) == {"passed": True}, grade_id


def test_a_wrong_forward_whose_cache_is_still_right_costs_only_the_forward():
    """Running averages weighed the other way round: out and the cache are right."""
    f = defined(batchnorm_student("dict", keep="(1 - momentum)"))
    with pytest.raises(AssertionError, match="the weights are the other way round"):
        hidden.check_batchnorm_forward(f["batchnorm_forward"])
    hidden.check_batchnorm_backward(f["batchnorm_backward"], forward=f["batchnorm_forward"])
    hidden.check_batchnorm_backward_alt(f["batchnorm_backward_alt"], forward=f["batchnorm_forward"])


def test_a_wrong_forward_with_its_own_layout_is_told_which_layout_the_backward_was_given():
    """The unbiased variance: the student's own cache is wrong too, and the backward reads only its own
    layout. The backward fails, saying that the forward is wrong, how, and which cache it was given."""
    student = batchnorm_student("tuple in another order", ddof=1)
    for grade_id in BACKWARD_TESTS[1:]:
        verdict = run_hidden_test("optimization", grade_id, student)
        assert not verdict["passed"]
        message = verdict["message"]
        assert "in the notebook's layout, cache = (x_hat, x_centered, std, gamma)" in message
        assert "Your batchnorm_forward is wrong" in message and "biased variance" in message
        assert "on the cache your forward returned it fails too: dx" in message, message


def test_a_right_forward_and_a_backward_that_reads_another_layout_fail_the_backward():
    """The pair does not work together (the visible test fails too): the backward is told it was given
    its own forward's cache."""
    f = defined(batchnorm_student("dict"))
    with pytest.raises(AssertionError) as failure:
        hidden.check_batchnorm_backward(reference_functions("optimization")["batchnorm_backward"],
                                        forward=f["batchnorm_forward"])
    assert "given the cache your batchnorm_forward returned" in str(failure.value)
    assert "read the cache in the layout your forward stores it in" in str(failure.value)


def test_without_a_working_forward_the_backward_gets_the_notebooks_layout(reference):
    def raises(x, gamma, beta, bn_param):
        raise NotImplementedError()

    for forward in (None, raises):
        hidden.check_batchnorm_backward(reference["batchnorm_backward"], forward=forward)
        with pytest.raises(AssertionError, match=r"notebook's layout, cache = \(x_hat, x_centered, std, gamma\)"):
            hidden.check_batchnorm_backward(defined(batchnorm_student("dict"))["batchnorm_backward"],
                                            forward=forward)


def test_a_cache_that_cannot_reach_the_autograder_falls_back_to_the_notebooks_layout(reference):
    """A namedtuple in the notebook's order: the forward's result cannot cross (its test fails and says
    why); the backward, which unpacks it as a tuple, is graded on the notebook's layout and passes."""
    student = {"batchnorm_forward": "import collections\n" + FORWARD.format(
        ddof=0, keep="momentum", cache="collections.namedtuple('Cache', 'x_hat x_centered std gamma')"
                                       "(x_norm, x - sample_mean, np.sqrt(sample_var + eps), gamma)")}
    verdict = run_hidden_test("optimization", "test_batchnorm_forward", student)
    assert not verdict["passed"] and "Cache" in verdict["message"]
    for grade_id in BACKWARD_TESTS[1:]:
        assert run_hidden_test("optimization", grade_id, student) == {"passed": True}, grade_id
    # Read by name, the same backward fails and hears why its own cache was not used.
    student["batchnorm_backward"] = solutions("optimization")["batchnorm_backward"].replace(
        "x_hat, x_centered, std, gamma = cache", "x_hat, x_centered, std, gamma = cache.x_hat, cache.x_centered, "
        "cache.std, cache.gamma")
    verdict = run_hidden_test("optimization", "test_batchnorm_backward", student)
    assert not verdict["passed"] and "cannot reach the autograder" in verdict["message"], verdict


def test_the_notebook_says_which_graded_output_feeds_which_graded_input():
    text = {cell.metadata["nbgrader"]["grade_id"]: cell.source for cell in source_cells("optimization")
            if cell.cell_type == "markdown"}
    exercise_9 = text["text-34"]
    assert "`cache` is the output of `batchnorm_forward` and the input of both backward functions" in exercise_9
    assert "x_hat, x_centered, std, gamma = cache" in exercise_9 and "your forward returned" in exercise_9
    assert "input of `update_parameters_with_momentum`" in text["text-08"]
    assert "inputs of `update_parameters_with_adam`" in text["text-12"]
