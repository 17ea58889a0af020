"""What every hidden check shares: calling the student's function, naming the known
mistake that explains a wrong answer, reporting a failure, building random cases."""
import contextlib
import inspect
import io
import linecache
import re

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
    naming the student's line that raised, with the hint `explain(error)` gives, or else the hint
    for that kind of Python error, if any. What it prints is not the checker's business."""
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            return function(*(copied(a) for a in args) if copy else args)
    except Exception as error:
        where = raised_at(error, function)
        # The line on a line of its own: the first line, the same for every student who made this
        # mistake, is what the class report counts.
        fail(name, case, f"raised {type(error).__name__}: {error}" + (f"\n{where}" if where else ""),
             (explain(error) if explain else None) or python_error_hint(error))


def raised_at(error, function=None):
    """ "at line N of your graded cell: `the line`" for the innermost line of the student's cell
    that `error` went through, or "".

    An exception from the student's process (hidden_runner.py) comes rebuilt with the line that
    process found (`student_line`). In the kernel, the line is read off the traceback: the frames
    in the file the kernel compiled the student's cell to (where `function` was defined). A frame
    of the checker's, of numpy's or of the hidden test's cell is never quoted: a line of the
    student's cell that called into them is.
    """
    line = getattr(error, "student_line", None)
    if line is None:
        code = getattr(inspect.unwrap(function), "__code__", None)
        line = code and innermost_line(error.__traceback__, code.co_filename)
    if not line:
        return ""
    number, text = line
    return f"at line {number} of your graded cell" + (f": `{text}`" if text else "")


def innermost_line(traceback, filename):
    """(line number, stripped text) of the innermost frame of `traceback` in `filename`, or None."""
    found = None
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == filename:
            found = traceback.tb_lineno
        traceback = traceback.tb_next
    return found and (found, linecache.getline(filename, found).strip())


# Python's and numpy's own words for a mistake, and what the student should look at.
PYTHON_ERRORS = [
    (TypeError, r"Cannot interpret .* as a data type",
     "np.zeros and np.ones take the shape as one tuple: np.zeros((a, b)), not np.zeros(a, b)"),
    (UnboundLocalError, r"",
     "the variable is assigned only inside a loop or an if that did not run in this case"),
    (ValueError, r"operands could not be broadcast together",
     "two arrays of shapes that do not fit met in one operation: print the shape of each term"),
    (ValueError, r"shapes .* not aligned|matmul: Input operand",
     "the factors of a matrix product do not fit: A @ B needs A.shape[1] == B.shape[0] "
     "(check their order and transposes)"),
    (TypeError, r'can only concatenate str \(not "int"\) to str',
     'build the key with str(l): "W" + str(l)'),
    (KeyError, r"'d?[Wb]0'",
     "layers are numbered from 1 (W1, b1, ...): loop over range(1, L + 1), or use l + 1 in the keys"),
    (KeyError, r"'d?[Wb][1-9][0-9]*'",
     "there is no such layer: the dict holds a W and a b for each layer, so it has len(parameters) // 2 layers; "
     "check the loop's range"),
]


def python_error_hint(error):
    for kind, pattern, hint in PYTHON_ERRORS:
        if isinstance(error, kind) and re.search(pattern, str(error)):
            return hint
    return None


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
