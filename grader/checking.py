"""What every hidden check shares: calling the student's function, naming the known
mistake that explains a wrong answer, reporting a failure, building random cases."""
import contextlib
import inspect
import io

import numpy as np

from utils.checks import CheckFailure


class HiddenTestFailure(CheckFailure):
    """A hidden test failed; the message names the function, case and hint.

    Like every CheckFailure it shows in the notebook (and so in the feedback)
    as its message alone: no traceback, so no line of the hidden test.
    """


def fail(function, case, problem, hint=None):
    """Raise a HiddenTestFailure that reads well in the student's feedback."""
    message = f"{function}, {case}: {problem}"
    if hint:
        message += f"\nHint: {hint}"
    raise HiddenTestFailure(message)


def either(hints):
    """One hint, or "either A; or B" when several known mistakes give the student's numbers.

    Naming only one of them would send the students who made the other looking in the wrong place.
    """
    hints = list(dict.fromkeys(hints))
    return None if not hints else hints[0] if len(hints) == 1 else "either " + "; or ".join(hints)


def copied(value):
    """A copy of plain data deep enough that the student's function cannot change the checker's case."""
    if isinstance(value, dict):
        return {key: copied(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(copied(item) for item in value)
    return value.copy() if isinstance(value, np.ndarray) else value


def call(function, name, case, *args, copy=True, explain=None):
    """The student's function called on (copies of) `args`; whatever it raises fails the test,
    with the hint `explain(error)` gives, if any. What it prints is not the checker's business."""
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            return function(*(copied(a) for a in args) if copy else args)
    except Exception as error:
        fail(name, case, f"raised {type(error).__name__}: {error}", explain(error) if explain else None)


def known_mistakes(got, candidates, compare):
    """The hint of every known mistake whose answer reproduces `got` ({hint: that answer};
    compare(got, answer) is None when they agree), or None."""
    return either([hint for hint, answer in candidates.items() if compare(got, answer) is None])


def random_parameters(rng, sizes, with_gradients=False):
    """W1, b1, ... of a network with layer sizes `sizes`, drawn from `rng` (standard normal);
    with_gradients: also dW1, db1, ..., each drawn right after its parameter."""
    parameters, gradients = {}, {}
    for l in range(1, len(sizes)):
        for name, shape in ((f"W{l}", (sizes[l], sizes[l - 1])), (f"b{l}", (sizes[l], 1))):
            parameters[name] = rng.randn(*shape)
            if with_gradients:
                gradients["d" + name] = rng.randn(*shape)
    return (parameters, gradients) if with_gradients else parameters


@contextlib.contextmanager
def using(function, **replacements):
    """Run `function` with some of the notebook's names bound to the checker's functions.

    The checker binds the reference there (a mistake elsewhere costs only its own function's points)
    or a stand-in that gives other answers (only code that really calls the name follows it).
    """
    if hasattr(function, "overriding"):  # a student's function, in the student's process
        with function.overriding(**replacements):
            yield
        return
    namespace = getattr(inspect.unwrap(function), "__globals__", {})
    saved = {name: namespace[name] for name in replacements if name in namespace}
    namespace.update(replacements)
    try:
        yield
    finally:
        for name in replacements:
            namespace.pop(name, None)
        namespace.update(saved)


def must_call_hint(function, called):
    """The hint for a function that wrote out what it should have called: {name: how to call it}."""
    names = " and ".join(called)
    return (f"{function} must call " + " and ".join(f"{name} ({how})" for name, how in called.items())
            + f": this test replaced {names} with another function, and your result is the one the "
              f"notebook's would give, so your code computes it itself instead of calling it")
