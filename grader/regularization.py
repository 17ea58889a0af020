"""Hidden checks of the Regularization assignment.

Each check runs the quoted case, then other shapes, lambdas and keep_probs
computed by the implementation below (which the tests hold against the
notebook's solution), and names the known mistake that explains a wrong answer.
"""
import numpy as np

from testcases import regularization as cases
from utils.activations import relu, sigmoid
from utils.checks import array_difference, dict_difference
from utils.three_layer_net import backward_propagation, compute_cost, forward_propagation

from grader.checking import call, fail, known_mistakes, must_call_hint, random_parameters, using

# What each graded function must call (a hidden test binds it to a stand-in that gives other answers,
# so code that computes the same thing itself fails), and what it may write out instead of calling.
MUST_CALL = {"compute_cost_with_regularization": ("compute_cost",),
             "backward_propagation_with_regularization": ("backward_propagation",)}
MAY_WRITE_OUT = {"forward_propagation_with_dropout": ("relu", "sigmoid")}  # np.maximum(0, Z) is relu


def random_case(seed, sizes=(4, 5, 3, 1), m=7):
    """X (sizes[0], m), Y (1, m) and 3-layer parameters of other shapes than the quoted case."""
    rng = np.random.RandomState(seed)
    X = rng.randn(sizes[0], m)
    Y = (rng.rand(1, m) > 0.5).astype(int)
    return X, Y, random_parameters(rng, sizes)


EXTRA_CASES = [random_case(seed, sizes, m) for seed, sizes, m in
               [(11, (4, 5, 3, 1), 7), (12, (2, 6, 2, 1), 9), (13, (3, 3, 4, 1), 4)]]


def weights(parameters):
    return [parameters[f"W{l}"] for l in (1, 2, 3)]


# ----- L2 cost ---------------------------------------------------------------

def l2_cost(A3, Y, parameters, lambd, factor=None, biases=False, penalty=lambda W: np.sum(np.square(W)),
            left_out=None, cross_entropy=compute_cost):
    m = Y.shape[1]
    factor = lambd / (2 * m) if factor is None else factor
    squares = sum(penalty(parameters[f"W{l}"]) for l in (1, 2, 3) if l != left_out)
    if biases:
        squares += sum(np.sum(np.square(parameters[f"b{l}"])) for l in (1, 2, 3))
    return cross_entropy(A3, Y) + factor * squares


COST_MISTAKES = {
    "the L2 term needs the factor 1/m: lambd / (2 * m) * (sum of squared weights)":
        lambda A3, Y, p, lambd: l2_cost(A3, Y, p, lambd, factor=lambd / 2),
    "the L2 term is lambd / (2 * m), not lambd / m, times the sum of squared weights":
        lambda A3, Y, p, lambd: l2_cost(A3, Y, p, lambd, factor=lambd / Y.shape[1]),
    "only the weight matrices W1, W2, W3 are regularized, not the biases":
        lambda A3, Y, p, lambd: l2_cost(A3, Y, p, lambd, biases=True),
    "Python reads lambd / 2 * m as (lambd / 2) * m, which multiplies by m: write lambd / (2 * m)":
        lambda A3, Y, p, lambd: l2_cost(A3, Y, p, lambd, factor=lambd / 2 * Y.shape[1]),
    "square each weight, then add the squares: np.sum(np.square(W)), not np.sum(W) ** 2":
        lambda A3, Y, p, lambd: l2_cost(A3, Y, p, lambd, penalty=lambda W: np.sum(W) ** 2),
    "the L2 term uses the squared norm ||W||^2 = np.sum(np.square(W)), not the norm ||W|| itself":
        lambda A3, Y, p, lambd: l2_cost(A3, Y, p, lambd, penalty=np.linalg.norm),
    **{f"the sum of squares covers all three weight matrices: W{l} is left out":
       (lambda l: lambda A3, Y, p, lambd: l2_cost(A3, Y, p, lambd, left_out=l))(l) for l in (1, 2, 3)},
}


def mean_absolute_error(A3, Y):
    """A stand-in for compute_cost: code that computes the cross-entropy itself does not follow it."""
    return float(np.mean(np.abs(A3 - Y)))


def check_cost(function):
    name = "compute_cost_with_regularization"
    A3, Y, parameters = cases.cost_case()
    all_cases = [(A3, Y, parameters, cases.COST_LAMBD, cases.COST_EXPECTED)]
    for lambd, (X, Y2, p) in zip((0.3, 1.5, 0.0), EXTRA_CASES):
        A = forward_propagation(X, p)[0]
        all_cases.append((A, Y2, p, lambd, l2_cost(A, Y2, p, lambd)))
    for A3, Y, p, lambd, expected in all_cases:
        case = f"lambd = {lambd}, A3 of shape {A3.shape}"
        check_one_cost(function, name, case, (A3, Y, p, lambd), expected,
                       lambda got: match_mistake(got, COST_MISTAKES, A3, Y, p, lambd))
    A3, Y, p, lambd = *all_cases[1][:3], 0.7
    case = f"lambd = {lambd}, A3 of shape {A3.shape}, compute_cost replaced by one that computes the mean absolute error"
    with using(function, compute_cost=mean_absolute_error):
        check_one_cost(function, name, case, (A3, Y, p, lambd), l2_cost(A3, Y, p, lambd, cross_entropy=mean_absolute_error),
                       lambda got: must_call_hint(name, {"compute_cost": "cross_entropy_cost = compute_cost(A3, Y)"})
                       if abs(got - l2_cost(A3, Y, p, lambd)) < 1e-9 else None)


def check_one_cost(function, name, case, args, expected, hint):
    got = call(function, name, case, *args)
    if not isinstance(got, (float, np.floating)) and not (isinstance(got, np.ndarray) and got.size == 1):
        fail(name, case, f"returned {type(got).__name__}, expected a number")
    problem = array_difference("cost", np.asarray(got, dtype=float).reshape(()), np.asarray(expected),
                               rtol=1e-9, atol=1e-12)
    if problem:
        fail(name, case, problem, hint(float(np.asarray(got, dtype=float).reshape(()))))


# ----- L2 backward -----------------------------------------------------------

def l2_backward(X, Y, cache, lambd, factor=None, biases=False, backward=backward_propagation):
    m = X.shape[1]
    factor = lambd / m if factor is None else factor
    grads = backward(X, Y, cache)
    W = {"W1": cache[2], "W2": cache[6], "W3": cache[10]}
    b = {"b1": cache[3], "b2": cache[7], "b3": cache[11]}
    for l in (1, 2, 3):
        grads[f"dW{l}"] = grads[f"dW{l}"] + factor * W[f"W{l}"]
        if biases:
            grads[f"db{l}"] = grads[f"db{l}"] + factor * b[f"b{l}"]
    return grads


BACKWARD_MISTAKES = {
    "the gradient of the L2 term is (lambd / m) * W: the 1/m is missing":
        lambda X, Y, c, lambd: l2_backward(X, Y, c, lambd, factor=lambd),
    "the gradient of lambd / (2m) * ||W||^2 is (lambd / m) * W, not (lambd / (2m)) * W":
        lambda X, Y, c, lambd: l2_backward(X, Y, c, lambd, factor=lambd / (2 * X.shape[1])),
    "only dW1, dW2, dW3 get the L2 term; the biases are not regularized":
        lambda X, Y, c, lambd: l2_backward(X, Y, c, lambd, biases=True),
    # Both mistakes return the plain cross-entropy gradients: the numbers cannot tell them apart.
    "the gradients have no L2 term: either the new dW was computed but not stored back in gradients "
    "(gradients[\"dW1\"] = ...), or the term was not added at all":
        lambda X, Y, c, lambd: l2_backward(X, Y, c, lambd, factor=0),
    "add the L2 term's gradient (lambd / m) * W to dW: it was subtracted":
        lambda X, Y, c, lambd: l2_backward(X, Y, c, lambd, factor=-lambd / X.shape[1]),
}

GRADIENT_KEYS = ("dW1", "db1", "dW2", "db2", "dW3", "db3")


def doubled_backward(X, Y, cache):
    """A stand-in for backward_propagation: code that computes the gradients itself does not follow it."""
    return {key: 2 * value for key, value in backward_propagation(X, Y, cache).items()}


def check_backward_regularization(function):
    name = "backward_propagation_with_regularization"
    X, Y, p = cases.forward_case()
    all_cases = [(X, Y, p, cases.BACKWARD_LAMBD)]
    all_cases += [(X2, Y2, p2, lambd) for lambd, (X2, Y2, p2) in zip((0.3, 1.5, 0.0), EXTRA_CASES)]
    for X, Y, p, lambd in all_cases:
        cache = forward_propagation(X, p)[1]
        check_one_backward(function, name, f"lambd = {lambd}, X of shape {X.shape}", (X, Y, cache, lambd),
                           l2_backward(X, Y, cache, lambd),
                           lambda got: match_mistake(got, BACKWARD_MISTAKES, X, Y, cache, lambd, keys=GRADIENT_KEYS))
    X, Y, p, lambd = *all_cases[1][:3], 0.7
    cache = forward_propagation(X, p)[1]
    case = f"lambd = {lambd}, X of shape {X.shape}, backward_propagation replaced by one that doubles every gradient"
    written_out = {key: value for key, value in l2_backward(X, Y, cache, lambd).items() if key in GRADIENT_KEYS}
    with using(function, backward_propagation=doubled_backward):
        check_one_backward(function, name, case, (X, Y, cache, lambd),
                           l2_backward(X, Y, cache, lambd, backward=doubled_backward),
                           lambda got: None if dict_difference("gradients", got, written_out) else must_call_hint(
                               name, {"backward_propagation": "gradients = backward_propagation(X, Y, cache)"}))


def check_one_backward(function, name, case, args, expected, hint):
    expected = {k: v for k, v in expected.items() if k in GRADIENT_KEYS}
    got = call(function, name, case, *args)
    if isinstance(got, dict):
        got = {k: v for k, v in got.items() if k in GRADIENT_KEYS}
    problem = dict_difference("gradients", got, expected)
    if problem:
        fail(name, case, problem, hint(got))


# ----- dropout forward -------------------------------------------------------

def dropout_forward(X, p, keep_prob, keep=lambda r, kp: r < kp, scale=True, output=False,
                    sample=np.random.rand, seed=True, times_keep_prob=False, cache_unmasked=False):
    if seed:
        np.random.seed(1)

    def drop(A):
        D = keep(sample(*A.shape), keep_prob)
        return D, (A * D * keep_prob if times_keep_prob else A * D / keep_prob if scale else A * D)

    Z1 = p["W1"] @ X + p["b1"]
    D1, A1 = drop(relu(Z1))
    Z2 = p["W2"] @ A1 + p["b2"]
    D2, A2 = drop(relu(Z2))
    Z3 = p["W3"] @ A2 + p["b3"]
    A3 = sigmoid(Z3)
    if output:
        A3 = drop(A3)[1]
    if cache_unmasked:
        A1, A2 = relu(Z1), relu(Z2)
    return A3, (Z1, D1, A1, p["W1"], p["b1"], Z2, D2, A2, p["W2"], p["b2"], Z3, A3, p["W3"], p["b3"])


FORWARD_MISTAKES = {
    "after masking, divide by keep_prob (inverted dropout keeps the expected activation unchanged)":
        lambda X, p, kp: dropout_forward(X, p, kp, scale=False),
    "a unit is kept where its random number is below keep_prob: D = (np.random.rand(...) < keep_prob)":
        lambda X, p, kp: dropout_forward(X, p, kp, keep=lambda r, k: r > k),
    "dropout belongs on the hidden layers only, never on the output A3":
        lambda X, p, kp: dropout_forward(X, p, kp, output=True),
    "draw the masks with np.random.rand (uniform on [0, 1)), not np.random.randn":
        lambda X, p, kp: dropout_forward(X, p, kp, sample=np.random.randn),
    "after masking, divide by keep_prob, do not multiply: A1 = A1 * D1 / keep_prob":
        lambda X, p, kp: dropout_forward(X, p, kp, times_keep_prob=True),
}

# A3 is right in these: only the cache shows them.
CACHE_MISTAKES = {
    "cache the A1 and A2 that went into the next layer, after the mask and the division by keep_prob: "
    "the backward pass needs them":
        lambda X, p, kp: dropout_forward(X, p, kp, cache_unmasked=True)[1],
}


def cache_mistake(cache, X, p, kp):
    """The hint of the known mistake that reproduces the cache, or None."""
    return next((hint for hint, mistaken in CACHE_MISTAKES.items()
                 if cache_difference(cache, mistaken(X, p, kp)) is None), None)


def check_dropout_forward(function):
    name = "forward_propagation_with_dropout"
    X, _, p = cases.forward_case()
    all_cases = [(X, p, cases.DROPOUT_FORWARD_KEEP_PROB)]
    all_cases += [(X2, p2, kp) for kp, (X2, _, p2) in zip((0.5, 0.9, 1.0), EXTRA_CASES)]
    for X, p, kp in all_cases:
        case = f"keep_prob = {kp}, X of shape {X.shape}"
        expected_A3, expected_cache = dropout_forward(X, p, kp)
        np.random.seed(2024)  # a forward pass that forgets np.random.seed(1) shows here
        got = call(function, name, case, X, p, kp)
        if not (isinstance(got, tuple) and len(got) == 2):
            fail(name, case, "should return the pair (A3, cache)")
        A3, cache = got
        problem = array_difference("A3", A3, expected_A3)
        if not problem:
            problem = cache_difference(cache, expected_cache)
            if problem:
                fail(name, case, problem, cache_mistake(cache, X, p, kp))
        if problem:
            hint = match_mistake(A3, {h: (lambda m: lambda *a: m(*a)[0])(m) for h, m in FORWARD_MISTAKES.items()},
                                 X, p, kp)
            np.random.seed(2024)
            if not hint and array_difference("A3", A3, dropout_forward(X, p, kp, seed=False)[0]) is None:
                hint = "call np.random.seed(1) at the top of the function, as the starter code does"
            fail(name, case, problem, hint)


def cache_difference(cache, expected):
    if not isinstance(cache, tuple) or len(cache) != len(expected):
        return ("cache should be the tuple (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3), "
                f"got {type(cache).__name__} of length {len(cache) if hasattr(cache, '__len__') else '?'}")
    for key, got, want in zip(cases.DROPOUT_CACHE_KEYS, cache, expected):
        got = got.astype(float) if isinstance(got, np.ndarray) and got.dtype == bool else got
        problem = array_difference(f"cache entry {key}", got, np.asarray(want, dtype=float))
        if problem:
            return problem
    return None


# ----- dropout backward ------------------------------------------------------

def dropout_backward(X, Y, cache, keep_prob, scale=True, mask=True, times_keep_prob=False, mask_with_A=False):
    m = X.shape[1]
    (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3) = cache

    def undo(dA, D):
        dA = dA * D if mask else dA
        return dA * keep_prob if times_keep_prob else dA / keep_prob if scale else dA

    dZ3 = A3 - Y
    dW3 = 1. / m * dZ3 @ A2.T
    db3 = 1. / m * np.sum(dZ3, axis=1, keepdims=True)
    dA2 = undo(W3.T @ dZ3, A2 if mask_with_A else D2)
    dZ2 = dA2 * (A2 > 0)
    dW2 = 1. / m * dZ2 @ A1.T
    db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True)
    dA1 = undo(W2.T @ dZ2, A1 if mask_with_A else D1)
    dZ1 = dA1 * (A1 > 0)
    dW1 = 1. / m * dZ1 @ X.T
    db1 = 1. / m * np.sum(dZ1, axis=1, keepdims=True)
    return {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
            "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}


BACKWARD_DROPOUT_MISTAKES = {
    "divide dA1 and dA2 by keep_prob too, as the forward pass divided A1 and A2":
        lambda X, Y, c, kp: dropout_backward(X, Y, c, kp, scale=False),
    "multiply dA1 and dA2 by the same masks D1 and D2 the forward pass used":
        lambda X, Y, c, kp: dropout_backward(X, Y, c, kp, mask=False),
    "divide dA1 and dA2 by keep_prob, do not multiply: dA1 = dA1 * D1 / keep_prob":
        lambda X, Y, c, kp: dropout_backward(X, Y, c, kp, times_keep_prob=True),
    "the masks are D1 and D2 from the cache, not the activations A1 and A2: dA2 = dA2 * D2 / keep_prob":
        lambda X, Y, c, kp: dropout_backward(X, Y, c, kp, mask_with_A=True),
}
DROPOUT_GRADIENT_KEYS = GRADIENT_KEYS + ("dA1", "dA2")


def check_dropout_backward(function):
    name = "backward_propagation_with_dropout"
    X, Y, cache = cases.dropout_backward_case()
    all_cases = [(X, Y, cache, cases.DROPOUT_BACKWARD_KEEP_PROB)]
    for kp, (X2, Y2, p2) in zip((0.5, 0.9, 0.7), EXTRA_CASES):
        all_cases.append((X2, Y2, dropout_forward(X2, p2, kp)[1], kp))
    for X, Y, cache, kp in all_cases:
        case = f"keep_prob = {kp}, X of shape {X.shape}"
        expected = {k: v for k, v in dropout_backward(X, Y, cache, kp).items() if k in DROPOUT_GRADIENT_KEYS}
        got = call(function, name, case, X, Y, cache, kp)
        if isinstance(got, dict):
            got = {k: v for k, v in got.items() if k in DROPOUT_GRADIENT_KEYS}
        problem = dict_difference("gradients", got, expected, rtol=1e-7, atol=1e-7)
        if problem:
            fail(name, case, problem,
                 match_mistake(got, BACKWARD_DROPOUT_MISTAKES, X, Y, cache, kp, keys=DROPOUT_GRADIENT_KEYS))


# ----- shared ----------------------------------------------------------------

def match_mistake(got, mistakes, *args, keys=None):
    """The hint of every known mistake ({hint: mistaken(*args)}) that reproduces `got`, or None."""
    return known_mistakes(got, {hint: mistaken(*args) for hint, mistaken in mistakes.items()},
                          lambda got, answer: same_numbers(got, answer, keys))


def same_numbers(got, answer, keys=None):
    """None when `got` holds the numbers of `answer` (a dict: on `keys` only), else what differs."""
    if isinstance(answer, dict):
        answer = {k: v for k, v in answer.items() if keys is None or k in keys}
        if not isinstance(got, dict):
            return "not a dict"
        return dict_difference("x", got, answer, rtol=1e-7, atol=1e-7)
    if not isinstance(got, (np.ndarray, float, np.floating)):
        return "not a number"
    return array_difference("x", np.asarray(got, dtype=float), np.asarray(answer, dtype=float))
