"""Run in a copy of a release folder: which shipped helper returns a graded function's answer?

Reads from stdin a pickled list of (function, pool, answer, part): `pool` holds the
values a student has at hand in the visible case (the function's arguments and what
the function computes on the way), `answer` the reference's result and `part` how to
take the compared part of a result (see compared_part). Every function defined in the
folder's utils/ and testcases/ modules is called with every ordering of pool values
that fits its positional parameters; a result whose compared part matches the
answer's is printed as one JSON line {"function", "helper", "arguments"}.
"""
import contextlib
import copy
import importlib
import inspect
import io
import itertools
import json
import pickle
import pkgutil
import sys
import warnings

import numpy as np

sys.path.insert(0, ".")  # this release folder, not the course's utils/

# Plots draw and return Axes, never an answer; calling them thousands of times only costs time.
SKIPPED_MODULES = {"utils.plots"}
MAX_ARGUMENTS = 4


def shipped_functions():
    for package in ("utils", "testcases"):
        for info in pkgutil.iter_modules(importlib.import_module(package).__path__, package + "."):
            if info.name in SKIPPED_MODULES:
                continue
            module = importlib.import_module(info.name)
            for name, value in vars(module).items():
                if inspect.isfunction(value) and value.__module__ == module.__name__:
                    yield f"{module.__name__}.{name}", value


def arities(function):
    parameters = [p for p in inspect.signature(function).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    required = sum(p.default is p.empty for p in parameters)
    return range(required, min(len(parameters), MAX_ARGUMENTS) + 1)


def compared_part(value, part):
    """The part of a result its visible test compares: all of it, element `part`, or keys `part`."""
    if part is None:
        return value
    if isinstance(part, int):
        return value[part]
    return {key: value[key] for key in part}


def close(a, b):
    if isinstance(b, dict):
        return isinstance(a, dict) and a.keys() == b.keys() and all(close(a[k], b[k]) for k in b)
    if isinstance(b, (list, tuple)):
        return isinstance(a, (list, tuple)) and len(a) == len(b) and all(map(close, a, b))
    try:
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    except (TypeError, ValueError):
        return False
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-6, atol=1e-10))


def main():
    cases = pickle.load(sys.stdin.buffer)
    helpers = list(shipped_functions())
    print(json.dumps({"helpers": [name for name, _ in helpers]}), flush=True)
    for function, pool, answer, part in cases:
        expected = compared_part(answer, part)
        for name, helper in helpers:
            for n in arities(helper):
                for order in itertools.permutations(range(len(pool)), n):
                    arguments = copy.deepcopy([pool[i] for i in order])
                    try:
                        with warnings.catch_warnings(), np.errstate(all="ignore"), \
                                contextlib.redirect_stdout(io.StringIO()):
                            warnings.simplefilter("ignore")
                            result = helper(*arguments)
                        found = close(result, expected) or close(compared_part(result, part), expected)
                    except Exception:
                        continue
                    if found:
                        print(json.dumps({"function": function, "helper": name, "arguments": list(order)}),
                              flush=True)


if __name__ == "__main__":
    main()
