"""The shared helpers in utils/."""
import warnings

import matplotlib
import numpy as np
import pytest

from grader.checking import random_parameters
from utils import activations, checks, datasets, plots, three_layer_net as net

matplotlib.use("Agg")


def small_network(seed=0, sizes=(3, 4, 2, 1), m=6):
    rng = np.random.RandomState(seed)
    X = rng.randn(sizes[0], m)
    Y = (rng.rand(1, m) > 0.5).astype(float)
    return X, Y, random_parameters(rng, sizes)


def test_activations():
    z = np.array([[-2.0, 0.0, 3.0]])
    assert np.array_equal(activations.relu(z), [[0.0, 0.0, 3.0]])
    assert np.allclose(activations.sigmoid(z), 1 / (1 + np.exp(-z)))


def test_sigmoid_saturates_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert activations.sigmoid(np.array([-1000.0]))[0] == 0.0


def test_forward_shapes_and_cache_order():
    X, Y, p = small_network()
    A3, cache = net.forward_propagation(X, p)
    assert A3.shape == (1, 6)
    assert len(cache) == 12
    assert cache[2] is p["W1"] and cache[9] is A3 and cache[11] is p["b3"]


def test_backward_matches_numerical_gradient():
    X, Y, p = small_network()
    grads = net.backward_propagation(X, Y, net.forward_propagation(X, p)[1])
    eps = 1e-6
    for key, value in p.items():
        numeric = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            old = value[index]
            value[index] = old + eps
            plus = net.compute_cost(net.forward_propagation(X, p)[0], Y)
            value[index] = old - eps
            minus = net.compute_cost(net.forward_propagation(X, p)[0], Y)
            value[index] = old
            numeric[index] = (plus - minus) / (2 * eps)
        assert np.allclose(grads["d" + key], numeric, atol=1e-7), key


def test_cost_is_inf_for_a_confident_wrong_prediction_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert net.compute_cost(np.array([[0.0, 0.5]]), np.array([[1, 1]])) == np.inf
        assert net.compute_cost(np.array([[1.0, 0.0]]), np.array([[1, 0]])) == 0.0


def test_update_and_accuracy():
    X, Y, p = small_network()
    grads = net.backward_propagation(X, Y, net.forward_propagation(X, p)[1])
    before = net.compute_cost(net.forward_propagation(X, p)[0], Y)
    p = net.update_parameters(p, grads, 0.1)
    assert net.compute_cost(net.forward_propagation(X, p)[0], Y) < before
    assert set(np.unique(net.predict(X, p))) <= {0, 1}
    assert 0 <= net.accuracy(X, Y, p) <= 1


def test_checks_report_type_then_shape_then_values():
    assert checks.array_difference("a", [1], np.ones(1)) == "a should be a numpy array, got a list of 1 (int 1)"
    assert checks.array_difference("a", np.ones(2), np.ones(3)) == "a has shape (2,), expected (3,)"
    message = checks.array_difference("a", np.array([[1.0, 2.0]]), np.array([[1.0, 2.5]]))
    assert message.startswith("a[0, 1] = 2.0, expected 2.5") and "1 of 2 entries differ" in message
    assert checks.array_difference("a", np.ones(2), np.ones(2) + 1e-10) is None
    assert checks.dict_difference("p", {}, {"b1": np.zeros(1)}) == 'p is missing "b1" (expected "b1")'
    with pytest.raises(checks.CheckFailure, match="should be a dict"):
        checks.check_dict([], {"W1": np.zeros(1)})


@pytest.mark.parametrize("got, expected, says", [
    (np.ones((2, 3)), np.ones((2, 1)), "a has shape (2, 3), expected (2, 1): a broadcast? an array of shape (2, 1) "
                                       "combined with one of shape (2, 3) becomes (2, 3): check each term's shape, "
                                       "and sum with keepdims=True"),
    (np.ones((3, 3)), np.ones(3), "a has shape (3, 3), expected (3,): a broadcast? an array of shape (3,) "
                                  "combined with one of shape (3, 1) becomes (3, 3)"),
    (np.ones(4), np.ones((4, 1)), "a has shape (4,), expected (4, 1): a sum lost keepdims=True? (or .reshape(4, 1))"),
    (np.ones((3, 2)), np.ones((2, 3)), "a has shape (3, 2), expected (2, 3) (transposed?)"),
    (np.ones((1, 1)), np.ones(()), "a has shape (1, 1), expected (): expected a single number"),
    (np.ones((4, 3)), np.ones((2, 3)), "a has shape (4, 3), expected (2, 3)"),
])
def test_a_wrong_shape_says_what_it_suggests(got, expected, says):
    message = checks.array_difference("a", got, expected)
    assert message.startswith(says), message
    assert message == says or says.endswith("expected a single number"), message


def test_a_wrong_type_says_what_came_back():
    A = np.ones((2, 3))
    assert checks.array_difference("A3", (A, {"D1": A}), A) == (
        "A3 should be a numpy array, got a tuple of 2 (ndarray of shape (2, 3), dict): return only the array, not a tuple")
    assert checks.array_difference("A3", None, A) == "A3 should be a numpy array, got None (a missing return statement?)"
    assert checks.array_difference("cost", 0.5, np.ones(1)) == "cost should be a numpy array, got float 0.5"
    assert checks.dict_difference("parameters", ({"W1": A}, {"dW1": A}), {"W1": A}) == (
        "parameters should be a dict, got a tuple of 2 (dict, dict): return only the dict, not a tuple")


def test_a_dict_with_other_keys_names_them():
    expected = {"dW1": 0, "db1": 0, "dW2": 0, "db2": 0}
    assert checks.dict_difference("v", {"dw1": 0, "db1": 0, "dw2": 0, "db2": 0}, expected) == (
        'v is missing "dW1", "dW2" and has "dw1", "dw2" that it should not (expected "dW1", "db1", "dW2", "db2"); '
        'keys are case-sensitive: "dW1", not "dw1"')
    assert checks.dict_difference("v", {"dW1": 0, "db1": 0}, expected) == (
        'v is missing "dW2", "db2" (expected "dW1", "db1", "dW2", "db2")')
    assert checks.dict_difference("p", {"W1": 0, "cache": 0}, {"W1": 0}) == 'p has the key "cache" that it should not (expected "W1")'


def test_a_visible_test_shows_the_shape_hint():
    with pytest.raises(checks.CheckFailure, match=r'parameters\["b1"\] has shape \(2, 3\), expected \(2, 1\): a broadcast\?'):
        checks.check_dict({"W1": np.ones((2, 3)), "b1": np.ones((2, 3))}, {"W1": np.ones((2, 3)), "b1": np.ones((2, 1))})


def test_a_difference_from_zero_says_expected_0_not_a_huge_relative_error():
    message = checks.array_difference("dW3", np.array([[0.0, 0.5]]), np.zeros((1, 2)))
    assert message == "dW3[0, 1] = 0.5, expected 0 (1 of 2 entries differ)"
    message = checks.array_difference("db1", np.array([3.0, 0.5]), np.array([2.0, 0.0]))
    assert message == "db1[0] = 3.0, expected 2.0 (relative error 0.5; 2 of 2 entries differ)"


def test_a_nan_is_not_given_a_relative_error():
    message = checks.array_difference("W1", np.array([np.nan, 1.0]), np.array([2.0, 1.0]))
    assert message == "W1[0] = nan, expected 2.0 (1 of 2 entries differ)"


def test_a_single_number_is_named_without_an_empty_index():
    message = checks.array_difference("cost", np.array(1.5), np.array(1.0))
    assert message == "cost = 1.5, expected 1.0 (relative error 0.5; 1 of 1 entries differ)"


def test_check_failure_renders_as_its_message_only():
    failure = checks.CheckFailure("W1 is wrong\nHint: look here")
    assert failure._render_traceback_() == ["CheckFailure: W1 is wrong", "Hint: look here"]


def test_missing_dataset_says_where_it_should_be(monkeypatch, tmp_path):
    monkeypatch.setattr(datasets, "DATA_DIR", tmp_path)
    with pytest.raises(FileNotFoundError, match="ships with the assignment folder"):
        datasets.load_dataset("circles")


def test_plots_draw(tmp_path):
    train_X, train_Y, _, _ = datasets.load_circles()
    plots.plot_run([0.7, np.inf, 0.3], 1000, lambda P: (P[0:1] > 0).astype(int), train_X, train_Y, "t")
    ax = plots.plot_decision_boundary(lambda P: (P[0:1] > 0).astype(int), train_X, train_Y, "t")
    ax.figure.savefig(tmp_path / "boundary.png")
    assert (tmp_path / "boundary.png").stat().st_size > 1000


def test_numerical_gradient_array_of_a_product():
    from utils.numerical_gradient import numerical_gradient_array, rel_error
    rng = np.random.RandomState(1)
    x, w, dout = rng.randn(3, 4), rng.randn(4, 2), rng.randn(3, 2)
    numeric = numerical_gradient_array(lambda x: x @ w, x, dout)
    assert rel_error(numeric, dout @ w.T) < 1e-8
    assert rel_error(np.ones(2), np.ones(2) * 1.1) == pytest.approx(0.1 / 2.1)
