"""Hidden checks of the Optimization and Batch normalization assignment.

Each update rule is run on the quoted case and on other shapes and values,
against the implementations below (the tests hold them against the
notebook's solution), and a wrong answer is matched against known mistakes.
"""
import contextlib
import io

import numpy as np

from testcases import optimization as cases
from utils.checks import array_difference, dict_difference

from grader.autograde.hidden_runner import TestStopped
from grader.checking import call, copied, fail, known_mistakes, raised_at, random_parameters


EXTRA = [random_parameters(np.random.RandomState(seed), sizes, with_gradients=True)
         for seed, sizes in ((31, (4, 3, 2, 1)), (32, (2, 6, 1)))]


# ----- gradient descent, momentum, Adam ---------------------------------------

def gd(parameters, grads, lr, sign=-1, skip_last=False):
    last = {f"W{len(parameters) // 2}", f"b{len(parameters) // 2}"} if skip_last else set()
    return {k: v if k in last else v + sign * lr * grads["d" + k] for k, v in parameters.items()}


GD_MISTAKES = {
    "step against the gradient: W - learning_rate * dW": dict(sign=+1),
    "the loop must reach the last layer, range(1, L + 1): the last W and b were never updated": dict(skip_last=True),
}


def check_gd(function):
    name = "update_parameters_with_gd"
    for (p, g), lr in zip([cases.update_case()] + EXTRA, (cases.LEARNING_RATE, 0.1, 0.5)):
        case = f"{len(p) // 2} layers, learning_rate = {lr}"
        got = call(function, name, case, p, g, lr)
        problem = dict_difference("parameters", got, gd(p, g, lr))
        if problem:
            hint = known_mistakes(got, {h: gd(p, g, lr, **k) for h, k in GD_MISTAKES.items()},
                                 lambda a, b: dict_difference("p", a, b))
            fail(name, case, problem, hint)


def zeros_like_grads(parameters):
    return {"d" + k: np.zeros_like(v) for k, v in parameters.items()}


def check_initialize_velocity(function):
    name = "initialize_velocity"
    for p, _ in [cases.update_case()] + EXTRA:
        case = f"parameters of shapes {[v.shape for v in p.values()]}"
        problem = dict_difference("v", call(function, name, case, p), zeros_like_grads(p))
        if problem:
            fail(name, case, problem, "v has one zero array per parameter, keyed dW1, db1, …")


def check_initialize_adam(function):
    name = "initialize_adam"
    for p, _ in [cases.update_case()] + EXTRA:
        case = f"parameters of shapes {[v.shape for v in p.values()]}"
        got = call(function, name, case, p)
        if not (isinstance(got, tuple) and len(got) == 2):
            fail(name, case, "should return the pair (v, s)")
        for label, value in zip("vs", got):
            problem = dict_difference(label, value, zeros_like_grads(p))
            if problem:
                fail(name, case, problem, "v and s each have one zero array per parameter, keyed dW1, db1, …")


def momentum(p, g, v, beta, lr, one_minus_beta=True, old_velocity=False, swap_beta=False, step_with_gradient=False):
    p, v = copied(p), copied(v)
    for k in p:
        d = "d" + k
        new_v = beta * v[d] + ((1 - beta) if one_minus_beta else 1) * g[d]
        if swap_beta:
            new_v = (1 - beta) * v[d] + beta * g[d]
        p[k] = p[k] - lr * (g[d] if step_with_gradient else v[d] if old_velocity else new_v)
        v[d] = new_v
    return p, v


MOMENTUM_MISTAKES = {
    "the velocity is an average: v = beta * v + (1 - beta) * dW": dict(one_minus_beta=False),
    "update v first, then move the parameters with the new v": dict(old_velocity=True),
    "v = beta * v + (1 - beta) * dW: beta weighs the old velocity, 1 - beta the new gradient": dict(swap_beta=True),
    "step with the velocity, W = W - learning_rate * v[\"dW1\"], not with the gradient dW":
        dict(step_with_gradient=True),
}


def check_momentum(function):
    name = "update_parameters_with_momentum"
    rng = np.random.RandomState(33)
    all_cases = [(*cases.update_case(), None, cases.MOMENTUM_BETA, cases.LEARNING_RATE)]
    all_cases += [(p, g, {d: rng.randn(*x.shape) for d, x in g.items()}, beta, lr)
                  for (p, g), beta, lr in zip(EXTRA, (0.8, 0.95), (0.1, 0.03))]
    for p, g, v, beta, lr in all_cases:
        v = zeros_like_grads(p) if v is None else v
        case = f"{len(p) // 2} layers, beta = {beta}, learning_rate = {lr}"
        got = call(function, name, case, p, g, v, beta, lr)
        if not (isinstance(got, tuple) and len(got) == 2):
            fail(name, case, "should return the pair (parameters, v)")
        expected = momentum(p, g, v, beta, lr)
        problem = dict_difference("parameters", got[0], expected[0]) or dict_difference("v", got[1], expected[1])
        if problem:
            hint = known_mistakes(got, {h: momentum(p, g, v, beta, lr, **k) for h, k in MOMENTUM_MISTAKES.items()},
                               lambda a, b: dict_difference("p", a[0], b[0]) or dict_difference("v", a[1], b[1]))
            fail(name, case, problem, hint)


def adam(p, g, v, s, t, lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8, power=None, s_power=None, correct=True,
         eps_inside=False, t_offset=0, power_of_one_minus=False, square=True, correct_v=True, correct_s=True,
         overwrite=""):
    p, v, s = copied(p), copied(v), copied(s)
    t = t + t_offset
    bias = (lambda beta, n: (1 - beta) ** n) if power_of_one_minus else (lambda beta, n: 1 - beta ** n)
    for k in p:
        d = "d" + k
        v[d] = beta1 * v[d] + (1 - beta1) * g[d]
        s[d] = beta2 * s[d] + (1 - beta2) * (g[d] ** 2 if square else g[d])
        v_hat = v[d] / bias(beta1, t if power is None else power) if correct and correct_v else v[d]
        s_hat = s[d] / bias(beta2, t if s_power is None else s_power) if correct and correct_s else s[d]
        with np.errstate(invalid="ignore"):  # s of unsquared gradients goes negative: NaN, as the student's
            p[k] = p[k] - lr * v_hat / (np.sqrt(s_hat + eps) if eps_inside else np.sqrt(s_hat) + eps)
        if "v" in overwrite:
            v[d] = v_hat
        if "s" in overwrite:
            s[d] = s_hat
    return p, v, s


ADAM_MISTAKES = {
    "the bias correction uses the step number: 1 - beta1 ** t and 1 - beta2 ** t, not a fixed power 2":
        dict(power=2, s_power=2),
    "s_corrected = s / (1 - beta2 ** t): the power t is missing":
        dict(s_power=1),
    "v_corrected = v / (1 - beta1 ** t): the power t is missing":
        dict(power=1),
    "divide v and s by 1 - beta1 ** t and 1 - beta2 ** t (bias correction) before the step":
        dict(correct=False),
    "t counts the steps from 1 (the first step has t = 1): use beta1 ** t, not beta1 ** (t + 1)":
        dict(t_offset=1),
    "the bias correction divides by 1 - beta1 ** t, one minus beta to the power t, not (1 - beta1) ** t":
        dict(power_of_one_minus=True),
    "s averages the squared gradients: s = beta2 * s + (1 - beta2) * np.square(dW)":
        dict(square=False),
    "correct v as well: v_corrected = v / (1 - beta1 ** t) too, and step with v_corrected":
        dict(correct_v=False),
    "correct s as well: s_corrected = s / (1 - beta2 ** t) too, and step with s_corrected":
        dict(correct_s=False),
    "v must stay the uncorrected average for the next step: do not overwrite v, put v / (1 - beta1 ** t) "
    "in v_corrected": dict(overwrite="v"),
    "s must stay the uncorrected average for the next step: do not overwrite s, put s / (1 - beta2 ** t) "
    "in s_corrected": dict(overwrite="s"),
    "v and s must stay the uncorrected averages for the next step: do not overwrite v and s, put the "
    "corrected values in v_corrected and s_corrected": dict(overwrite="vs"),
}


def check_adam(function):
    name = "update_parameters_with_adam"
    rng = np.random.RandomState(34)
    p0, g0 = cases.update_case()
    all_cases = [(p0, g0, zeros_like_grads(p0), zeros_like_grads(p0), cases.ADAM_T, 0.01, 0.9, 0.999)]
    for (p, g), t, lr, b1, b2 in zip(EXTRA, (1, 7), (0.02, 0.005), (0.8, 0.9), (0.99, 0.999)):
        v = {d: 0.1 * rng.randn(*x.shape) for d, x in g.items()}
        s = {d: 0.1 * rng.rand(*x.shape) for d, x in g.items()}
        all_cases.append((p, g, v, s, t, lr, b1, b2))
    for p, g, v, s, t, lr, b1, b2 in all_cases:
        case = f"{len(p) // 2} layers, t = {t}, learning_rate = {lr}, beta1 = {b1}, beta2 = {b2}"
        got = call(function, name, case, p, g, v, s, t, lr, b1, b2, 1e-8)
        if not (isinstance(got, tuple) and len(got) == 3):
            fail(name, case, "should return the triple (parameters, v, s)")
        expected = adam(p, g, v, s, t, lr, b1, b2)
        compare = lambda a, b: (dict_difference("parameters", a[0], b[0], rtol=1e-7, atol=1e-7)  # noqa: E731
                                or dict_difference("v", a[1], b[1]) or dict_difference("s", a[2], b[2]))
        problem = compare(got, expected)
        if problem and compare(got, adam(p, g, v, s, t, lr, b1, b2, eps_inside=True)) is None:
            problem = None  # epsilon inside the square root is a common, harmless variant
        if problem:
            hint = known_mistakes(got, {h: adam(p, g, v, s, t, lr, b1, b2, **k) for h, k in ADAM_MISTAKES.items()},
                               compare)
            fail(name, case, problem, hint)


# ----- mini-batches -----------------------------------------------------------

def mini_batches(X, Y, size, seed, keep_remainder=True, one_permutation=True, shuffle=True):
    np.random.seed(seed)
    m = X.shape[1]
    permutation = np.random.permutation(m) if shuffle else np.arange(m)
    X, Y = X[:, permutation], Y[:, permutation if one_permutation else np.random.permutation(m)]
    ends = list(range(size, m + 1, size))
    if keep_remainder and m % size:
        ends.append(m)
    return [(X[:, end - size if end % size == 0 else (m // size) * size:end],
             Y[:, end - size if end % size == 0 else (m // size) * size:end]) for end in ends]


MINI_BATCH_MISTAKES = {
    "keep the last, smaller mini-batch when m is not a multiple of mini_batch_size": dict(keep_remainder=False),
    "shuffle X and Y with the same permutation, or examples lose their labels": dict(one_permutation=False),
    "shuffle X and Y (one permutation of the m columns, np.random.permutation(m)) before cutting the mini-batches":
        dict(shuffle=False),
}


def batches_difference(got, expected):
    if not isinstance(got, list):
        return f"should return a list of (mini_batch_X, mini_batch_Y) pairs, got {type(got).__name__}"
    if len(got) != len(expected):
        return f"returned {len(got)} mini-batches, expected {len(expected)}"
    for k, (pair, (X, Y)) in enumerate(zip(got, expected)):
        if not (isinstance(pair, tuple) and len(pair) == 2):
            return f"mini-batch {k} should be a pair (mini_batch_X, mini_batch_Y)"
        problem = (array_difference(f"mini-batch {k}'s X", pair[0], X)
                   or array_difference(f"mini-batch {k}'s Y", pair[1], Y))
        if problem:
            return problem
    return None


def check_mini_batches(function):
    name = "random_mini_batches"
    rng = np.random.RandomState(35)
    X, Y = cases.mini_batch_case()
    all_cases = [(X, Y, 64, 0), (rng.randn(2, 128), rng.randint(0, 2, (1, 128)), 32, 3),
                 (rng.randn(4, 10), rng.randint(0, 2, (1, 10)), 64, 5), (rng.randn(3, 50), rng.randint(0, 2, (1, 50)), 16, 11)]
    for X, Y, size, seed in all_cases:
        case = f"m = {X.shape[1]}, mini_batch_size = {size}, seed = {seed}"
        got = call(function, name, case, X, Y, size, seed)
        problem = batches_difference(got, mini_batches(X, Y, size, seed))
        if problem:
            hint = known_mistakes(got, {h: mini_batches(X, Y, size, seed, **k) for h, k in MINI_BATCH_MISTAKES.items()},
                               batches_difference)
            fail(name, case, problem, hint)


# ----- learning-rate decay ----------------------------------------------------

def check_update_lr(function):
    name = "update_lr"
    for args in (cases.UPDATE_LR_CASE[0], (0.1, 0, 1), (0.3, 37, 0.5), (1.0, 1000, 0.01)):
        case = "update_lr" + str(args)
        got = call(function, name, case, *args)
        expected = args[0] / (1 + args[2] * args[1])
        if not isinstance(got, (float, int, np.floating)) or abs(got - expected) > 1e-12 * expected:
            fail(name, case, f"returned {got!r}, expected {expected!r}",
                 "learning_rate0 / (1 + decay_rate * epoch_num)")


def check_schedule_lr_decay(function):
    name = "schedule_lr_decay"
    all_cases = [args for args, _ in cases.SCHEDULE_LR_CASES] + [(0.1, 2999, 1, 1000), (0.2, 7, 2, 3), (0.05, 0, 1, 10)]
    for args in all_cases:
        case = "schedule_lr_decay" + str(args)
        got = call(function, name, case, *args)
        lr0, epoch, rate, interval = args
        expected = lr0 / (1 + rate * (epoch // interval))
        if not isinstance(got, (float, int, np.floating)) or abs(got - expected) > 1e-12 * expected:
            no_floor = lr0 / (1 + rate * epoch / interval)
            hint = ("decay only every time_interval epochs: use np.floor(epoch_num / time_interval)"
                    if isinstance(got, (float, int, np.floating)) and abs(got - no_floor) < 1e-12 else None)
            fail(name, case, f"returned {got!r}, expected {expected!r}", hint)


# ----- batch normalization ----------------------------------------------------

def batchnorm(x, gamma, beta, bn_param, ddof=0, use_eps=True, test_with_batch=False, swap_momentum=False,
              axis=0, update_running=True, eps_outside=False):
    """The reference forward pass (out and the updated bn_param), or a mistaken one."""
    bn_param = copied(bn_param)
    eps, momentum = bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.9)
    D = x.shape[1]
    running_mean = bn_param.get("running_mean", np.zeros(D))
    running_var = bn_param.get("running_var", np.zeros(D))
    if bn_param["mode"] == "train" or test_with_batch:
        # keepdims along axis 1: without it x - mean does not broadcast, and the student sees an error instead
        mean, var = x.mean(axis=axis, keepdims=axis == 1), x.var(axis=axis, ddof=ddof, keepdims=axis == 1)
        if bn_param["mode"] == "train" and update_running:
            keep = 1 - momentum if swap_momentum else momentum
            running_mean = keep * running_mean + (1 - keep) * mean
            running_var = keep * running_var + (1 - keep) * var
    else:
        mean, var = running_mean, running_var
    if eps_outside:
        out = gamma * (x - mean) / (np.sqrt(var) + eps) + beta
    else:
        out = gamma * (x - mean) / np.sqrt(var + (eps if use_eps else 0)) + beta
    bn_param.update(running_mean=running_mean, running_var=running_var)
    return out, bn_param


BATCHNORM_MISTAKES = {
    "in test mode normalize with running_mean and running_var, not the batch's statistics":
        dict(test_with_batch=True),
    "batch norm uses the biased variance, the mean of (x - mean)**2 over N (np.var's default)": dict(ddof=1),
    "add eps to the variance before the square root: sqrt(var + eps)": dict(use_eps=False),
    "running = momentum * running + (1 - momentum) * sample: the weights are the other way round":
        dict(swap_momentum=True),
    "x is (N, D), one example per row: the batch statistics are over the examples, axis=0, not axis=1 "
    "(Part A's layout had the examples in columns)": dict(axis=1),
    "in train mode also update the running averages: running_mean = momentum * running_mean "
    "+ (1 - momentum) * sample_mean, and the same for the variance": dict(update_running=False),
    "eps goes inside the square root: np.sqrt(var + eps), not np.sqrt(var) + eps": dict(eps_outside=True),
}


def batchnorm_cases():
    rng = np.random.RandomState(36)
    x = 3 * rng.randn(7, 4) + 5
    gamma, beta = rng.randn(4), rng.randn(4)
    running = {"running_mean": rng.randn(4), "running_var": rng.rand(4) + 0.5}
    return [("train mode, first call", x, gamma, beta, {"mode": "train"}),
            ("train mode with running averages, eps and momentum given", x, gamma, beta,
             {"mode": "train", "eps": 1e-3, "momentum": 0.7, **running}),
            ("test mode", x, gamma, beta, {"mode": "test", **running})]


def forward_difference(got, want):
    out, param = got
    problem = array_difference("out", out, want[0])
    for key in ("running_mean", "running_var"):
        problem = problem or array_difference(f'bn_param["{key}"]', np.asarray(param.get(key)), want[1][key])
    return problem


def run_forward(function, name, case, x, gamma, beta, bn_param):
    bn_param = copied(bn_param)
    got = call(function, name, case, x.copy(), gamma.copy(), beta.copy(), bn_param, copy=False)
    if not (isinstance(got, tuple) and len(got) == 2):
        fail(name, case, "should return the pair (out, cache)")
    return got[0], bn_param


def check_batchnorm_forward(function):
    name = "batchnorm_forward"
    for case, x, gamma, beta, bn_param in batchnorm_cases():
        got = run_forward(function, name, case, x, gamma, beta, bn_param)
        problem = forward_difference(got, batchnorm(x, gamma, beta, bn_param))
        if problem:
            hint = known_mistakes(got, {h: batchnorm(x, gamma, beta, bn_param, **k)
                                     for h, k in BATCHNORM_MISTAKES.items()}, forward_difference)
            fail(name, case, problem, hint)


def reference_backward(x, gamma, dout, eps=1e-5):
    N = x.shape[0]
    std = np.sqrt(x.var(axis=0) + eps)
    x_hat = (x - x.mean(axis=0)) / std
    dbeta, dgamma = dout.sum(axis=0), (dout * x_hat).sum(axis=0)
    return gamma / (N * std) * (N * dout - dbeta - x_hat * dgamma), dgamma, dbeta


def reference_cache(x, gamma, eps=1e-5):
    """The cache of a correct forward pass, in the order batchnorm_backward's first line unpacks it."""
    x_centered = x - x.mean(axis=0)
    std = np.sqrt(np.mean(x_centered ** 2, axis=0) + eps)
    return x_centered / std, x_centered, std, gamma


# The backward passes read what batchnorm_forward stored: the notebook's layout,
# cache = (x_hat, x_centered, std, gamma), or the student's own. Each case of a
# backward's test runs the student's batchnorm_forward on its x first.
NOTEBOOK_LAYOUT = "cache = (x_hat, x_centered, std, gamma)"


def student_cache(forward, x, gamma, beta):
    """(cache, problem) of the student's batchnorm_forward on x in train mode: problem is None
    when out and the running averages are right, else what is wrong (with the known mistake's
    hint); cache is None where the forward gave none (not defined, raised, no pair)."""
    if forward is None:
        return None, "is not defined"
    bn_param = {"mode": "train"}
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            got = forward(x.copy(), gamma.copy(), beta.copy(), bn_param)
    except TestStopped as stopped:
        if not str(stopped).startswith("batchnorm_forward: "):
            raise  # the student's process is gone: the test cannot go on
        # Its result cannot cross to the checker as plain data (its own test fails for it).
        return None, f"returned what cannot reach the autograder ({str(stopped).split(': ', 1)[1]})"
    except Exception as error:  # noqa: BLE001 (the forward's own test reports it)
        return None, raised(error, forward)
    if not (isinstance(got, tuple) and len(got) == 2):
        return None, "does not return the pair (out, cache)"
    want = batchnorm(x, gamma, beta, bn_param={"mode": "train"})
    problem = forward_difference((got[0], bn_param), want)
    if problem:
        hint = known_mistakes((got[0], bn_param), {h: batchnorm(x, gamma, beta, {"mode": "train"}, **k)
                                                   for h, k in BATCHNORM_MISTAKES.items()}, forward_difference)
        problem = f"is wrong on this x in train mode: {problem}" + (f" ({hint})" if hint else "")
    return got[1], problem


def raised(error, function):
    """What the student's function raised, and at which line of the student's cell (as call() says it)."""
    where = raised_at(error, function)
    return f"raised {type(error).__name__}" + (f": {error}" if str(error) else "") + (f" {where}" if where else "")


def backward_difference(function, dout, cache, x, gamma):
    """What is wrong with the student's backward pass on `cache` (None if nothing), and the hint
    of a known mistake."""
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            got = function(dout.copy(), copied(cache))
    except Exception as error:  # noqa: BLE001 (reported as the test's failure)
        return raised(error, function), None
    if not (isinstance(got, tuple) and len(got) == 3):
        return "should return the triple (dx, dgamma, dbeta)", None
    for label, g, e in zip(("dx", "dgamma", "dbeta"), got, reference_backward(x, gamma, dout)):
        problem = array_difference(label, g, e, rtol=1e-6, atol=1e-9)
        if problem:
            hint = None
            if label == "dx" and array_difference("dx", g, dout * gamma / np.sqrt(x.var(axis=0) + 1e-5)) is None:
                hint = "x also reaches the output through the batch mean and variance: add those paths"
            return problem, hint
    return None, None


def check_backward_pass(function, name, forward=None):
    """Where the student's batchnorm_forward is right, the backward pass is graded on the cache it
    returned, whatever its layout; where it is wrong, on a correct cache in the notebook's layout
    (or on its own cache, if that gives the right gradients): a mistake in the forward costs that
    function's points only."""
    rng = np.random.RandomState(37)
    x, gamma, beta, dout = cases.batchnorm_gradient_case()
    all_cases = [("the quoted case (4, 5)", x, gamma, beta, dout),
                 ("x of shape (9, 3)", 2 * rng.randn(9, 3) - 1, rng.randn(3), rng.randn(3), rng.randn(9, 3))]
    for case, x, gamma, beta, dout in all_cases:
        own, forward_problem = student_cache(forward, x, gamma, beta)
        if forward_problem is None:
            problem, hint = backward_difference(function, dout, own, x, gamma)
            if problem:
                fail(name, f"{case}, given the cache your batchnorm_forward returned", problem, hint or (
                    f"your batchnorm_forward is right on this x, so {name} was given the cache it returned: "
                    "read the cache in the layout your forward stores it in"))
            continue
        problem, hint = backward_difference(function, dout, reference_cache(x, gamma), x, gamma)
        if problem is None:
            continue
        also = ""
        if own is not None:
            own_problem, _ = backward_difference(function, dout, own, x, gamma)
            if own_problem is None:
                continue  # the forward's mistake left its cache right
            also = f"; on the cache your forward returned it fails too: {own_problem}"
        fail(name, f"{case}, given a cache in the notebook's layout", problem, (
            (hint + ". " if hint else "") + f"Your batchnorm_forward {forward_problem}. So this test gave {name} "
            f"a correct cache in the notebook's layout, {NOTEBOOK_LAYOUT}, the layout the graded cell's first line "
            f"unpacks{also}. Fix batchnorm_forward first: where it is right, {name} is given your own cache"))


def check_batchnorm_backward(function, forward=None):
    check_backward_pass(function, "batchnorm_backward", forward)


def check_batchnorm_backward_alt(function, forward=None):
    check_backward_pass(function, "batchnorm_backward_alt", forward)
