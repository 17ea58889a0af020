"""How a hidden test reports a failure to the student."""
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
