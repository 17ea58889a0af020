"""Comparisons for the tests under each exercise.

Each check looks at the datatype first, then the shape, then the values,
and stops at the first kind of difference with a message that says where
to look. A check that passes prints nothing and returns None.

A check given `hints` (from stored_hints) also says which known mistake
gives the student's answer on the visible case, when one does.
"""
import json

import numpy as np


class CheckFailure(AssertionError):
    """A test found a difference; the message says what and where."""

    def _render_traceback_(self):
        # IPython shows this instead of a traceback: the message is the news,
        # the frames of the checking code are not.
        return [f"{type(self).__name__}: {line}" if i == 0 else line
                for i, line in enumerate(str(self).splitlines())]


def array_difference(name, got, expected, rtol=1e-7, atol=1e-8):
    """Describe how array `got` differs from `expected`, or None if it does not."""
    expected = np.asarray(expected)
    if not isinstance(got, np.ndarray):
        return f"{name} should be a numpy array, got {described(got)}" + returned_more(got, expected)
    if got.shape != expected.shape:
        return f"{name} has shape {got.shape}, expected {expected.shape}" + shape_hint(got.shape, expected.shape)
    if not np.issubdtype(got.dtype, np.number):
        return f"{name} has dtype {got.dtype}, expected numbers"
    close = np.isclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)
    if close.all():
        return None
    index = tuple(int(i) for i in np.argwhere(~close)[0])
    g, e = got[index].item(), expected[index].item()
    where = f"{name}[{', '.join(map(str, index))}]" if index else name
    count = f"{int((~close).sum())} of {close.size} entries differ"
    if e == 0:
        # Any error relative to 0 is infinite: a number like 1e+300 would only confuse.
        return f"{where} = {g!r}, expected 0 ({count})"
    relative = abs(g - e) / abs(e)
    if not np.isfinite(relative):
        return f"{where} = {g!r}, expected {e!r} ({count})"
    return f"{where} = {g!r}, expected {e!r} (relative error {relative:.2g}; {count})"


def dict_difference(name, got, expected, **tolerance):
    """Describe how dict `got` of arrays differs from `expected`, or None."""
    if not isinstance(got, dict):
        return f"{name} should be a dict, got {described(got)}" + returned_more(got, expected)
    missing = [key for key in expected if key not in got]
    extra = [key for key in got if key not in expected]
    if missing or extra:
        return keys_difference(name, missing, extra, list(expected))
    for key in expected:
        problem = array_difference(f'{name}["{key}"]', got[key], expected[key], **tolerance)
        if problem:
            return problem
    return None


def described(value):
    """What a value of the wrong type is, briefly: "None", "a tuple of 2 (ndarray of shape (2, 1), dict)"."""
    if value is None:
        return "None (a missing return statement?)"
    if isinstance(value, (tuple, list)):
        items = ", ".join(brief(item) for item in value[:3]) + (", …" if len(value) > 3 else "")
        return f"a {type(value).__name__} of {len(value)}" + (f" ({items})" if value else "")
    return brief(value)


def brief(value):
    if isinstance(value, np.ndarray):
        return f"{type(value).__name__} of shape {value.shape}"
    if isinstance(value, (bool, int, float, np.number)):
        return f"{type(value).__name__} {value!r}"
    return type(value).__name__


def returned_more(got, expected):
    """A hint for a tuple that holds what was expected: the function returned more than asked."""
    if isinstance(got, tuple) and any(type(item) is type(expected) and getattr(item, "shape", None)
                                      == getattr(expected, "shape", None) for item in got):
        return f": return only the {type(expected).__name__ if isinstance(expected, dict) else 'array'}, not a tuple"
    return ""


def shape_hint(got, expected):
    """What a wrong shape suggests: a transpose, a broadcast, a sum that dropped its axis."""
    if len(got) == len(expected) == 2 and got == expected[::-1]:
        return " (transposed?)"
    if not expected:
        return ": expected a single number (float(...) or np.squeeze(...))" if np.prod(got) == 1 else ""
    if len(got) >= len(expected) and all(e in (g, 1) for g, e in zip(got[::-1], expected[::-1])):
        # Only axes of size 1 (or missing leading ones) grew: numpy broadcast two shapes together.
        other = got if len(got) == len(expected) else got[:len(got) - len(expected)] + (1,) * len(expected)
        hint = f": a broadcast? an array of shape {expected} combined with one of shape {other} becomes {got}"
        return hint + (": check each term's shape, and sum with keepdims=True" if 1 in expected else "")
    if len(got) < len(expected) and tuple(g for g in got if g != 1) == tuple(e for e in expected if e != 1):
        return f": a sum lost keepdims=True? (or .reshape({', '.join(map(str, expected))}))"
    return ""


def keys_difference(name, missing, extra, expected):
    quoted = lambda keys: ", ".join(f'"{key}"' for key in keys)  # noqa: E731
    message = f"{name} is missing {quoted(missing)}" if missing else f"{name} has the key"
    if extra:
        message += (" and has " if missing else ("s " if len(extra) > 1 else " ")) + quoted(extra) + " that it should not"
    message += f" (expected {quoted(expected)})"
    near = [(e, m) for e in extra for m in missing if str(e).lower() == str(m).lower()]
    if near:
        message += f'; keys are case-sensitive: "{near[0][1]}", not "{near[0][0]}"'
    return message


def check_arrays(got, expected, name="result", hints=(), **tolerance):
    """Raise CheckFailure unless array `got` matches `expected`."""
    problem = array_difference(name, got, expected, **tolerance)
    if problem:
        raise CheckFailure(with_hint(problem, hints, lambda answer: array_difference(
            name, got, answer, **matching(tolerance))))


def check_dict(got, expected, name="parameters", hints=(), **tolerance):
    """Raise CheckFailure unless dict `got` has the keys and arrays of `expected`."""
    problem = dict_difference(name, got, expected, **tolerance)
    if problem:
        raise CheckFailure(with_hint(problem, hints, lambda answer: dict_difference(
            name, got, answer, **matching(tolerance))))


def matching(tolerance):
    # A mistaken answer is recomputed by other code than the student's, in another
    # order of operations: a check as strict as rtol=1e-9 would miss it.
    return {**tolerance, "rtol": max(tolerance.get("rtol", 1e-7), 1e-6)}


def with_hint(problem, hints, differ):
    """`problem`, plus the hint of every known mistake whose stored answer `differ` finds equal
    to the student's ("either A; or B" when several do: naming one would mislead the other)."""
    found = list(dict.fromkeys(hint for hint, answer in hints if differ(answer) is None))
    if not found:
        return problem
    return f"{problem}\nHint: {found[0] if len(found) == 1 else 'either ' + '; or '.join(found)}"


def stored_hints(path, function, part="result"):
    """The (hint, answer) pairs stored in JSON file `path` for one compared `part` of a
    function's visible test: each known mistake's answer on that visible case."""
    with open(path) as f:
        stored = json.load(f).get(function, {}).get(part, [])
    return [(hint, {key: np.array(value, dtype=float) for key, value in answer.items()}
             if isinstance(answer, dict) else np.array(answer, dtype=float)) for hint, answer in stored]


def print_arrays(arrays):
    """Print each array of a dict the way "Expected output" shows it."""
    for key, value in arrays.items():
        print(f"{key} = {value}")
