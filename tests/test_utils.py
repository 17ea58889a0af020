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
    assert checks.array_difference("a", [1], np.ones(1)) == "a should be a numpy array, got list"
    assert "shape (2,), expected (3,)" in checks.array_difference("a", np.ones(2), np.ones(3))
    message = checks.array_difference("a", np.array([[1.0, 2.0]]), np.array([[1.0, 2.5]]))
    assert message.startswith("a[0, 1] = 2.0, expected 2.5") and "1 of 2 entries differ" in message
    assert checks.array_difference("a", np.ones(2), np.ones(2) + 1e-10) is None
    assert "missing ['b1']" in checks.dict_difference("p", {}, {"b1": np.zeros(1)})
    with pytest.raises(checks.CheckFailure, match="should be a dict"):
        checks.check_dict([], {"W1": np.zeros(1)})


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
