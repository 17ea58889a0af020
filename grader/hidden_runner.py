"""Run one hidden test in a fresh Python process, away from the student's kernel.

    python -m grader.hidden_runner < job.json

The job names the assignment and holds the notebook's code: the course's
provided cells, the student's graded cells and the hidden test. Only the
definitions are taken from it (imports, and functions whose decorators and
defaults cannot run code), so nothing a student's notebook did to its kernel
(redefining np.allclose, print, the course's helpers, sys.modules) exists
here. Each call of a student's function is wrapped: whatever it changes in
the modules the checks rely on is put back before the check looks at the
answer. Each test runs in a child forked from a process that has imported
the course once, with a time limit of its own. The verdicts are one JSON
line on standard output: {grade_id: {"passed": true} or {"passed": false,
"message": "..."}}.
"""
import ast
import builtins
import contextlib
import functools
import importlib
import io
import json
import os
import re
import select
import signal
import sys

from grader.sandbox import drop_to

WATCHED_PREFIXES = ("numpy", "utils", "testcases", "grader", "builtins", "math")


class Rejected(Exception):
    """A student's cell holds code that would run when it is merely defined."""


def safe_definitions(source, trusted):
    """The imports and function definitions of a cell, as an AST module.

    For a student's cell (trusted=False) a function may not have decorators or
    non-literal default values: both would run code at definition time.
    """
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    tree = ast.parse("\n".join(lines))
    kept = []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            kept.append(node)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if not trusted:
                defaults = node.args.defaults + [d for d in node.args.kw_defaults if d is not None]
                if node.decorator_list or not all(is_literal(d) for d in defaults):
                    raise Rejected(f"{node.name} has a decorator or a default value that is not a "
                                   "plain constant; the autograder only accepts plain definitions")
            kept.append(node)
        elif trusted and isinstance(node, ast.ClassDef):
            kept.append(node)
    tree.body = kept
    return tree


def is_literal(node):
    try:
        ast.literal_eval(node)
        return True
    except ValueError:
        return False


def snapshot():
    """Shallow copies of the namespaces a check relies on, to undo a student's changes."""
    return {name: dict(vars(module)) for name, module in list(sys.modules.items())
            if module is not None and name.split(".")[0] in WATCHED_PREFIXES}, set(sys.modules)


def restore(saved):
    namespaces, module_names = saved
    for name in set(sys.modules) - module_names:
        del sys.modules[name]
    for name, namespace in namespaces.items():
        module = sys.modules.get(name)
        if module is None:
            continue
        current = vars(module)
        for key in set(current) - set(namespace):
            del current[key]
        current.update(namespace)


def guarded(function):
    """The student's function, run quietly, with every change to the watched modules undone."""
    @functools.wraps(function)
    def call(*args, **kwargs):
        saved = snapshot()
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                return function(*args, **kwargs)
        finally:
            restore(saved)
    return call


def build_namespace(provided, student):
    """The notebook's namespace: the course's definitions, then the student's, guarded."""
    namespace = {"__name__": "__notebook__", "__builtins__": builtins}
    for source in provided:
        exec(compile(safe_definitions(source, trusted=True), "<provided>", "exec"), namespace)
    problems = []
    for source in student:
        try:
            tree = safe_definitions(source, trusted=False)
        except SyntaxError as error:
            problems.append(f"a graded cell has a syntax error: {error}")
            continue
        except Rejected as error:
            problems.append(str(error))
            continue
        names = [node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
        try:
            exec(compile(tree, "<your graded cell>", "exec"), namespace)
        except Exception as error:
            problems.append(f"a graded cell failed to run: {type(error).__name__}: {error}")
        for name in names:
            if name in namespace:
                namespace[name] = guarded(namespace[name])
    return namespace, problems


def run_test(namespace, problems, test):
    """The verdict of one hidden test, run in the given namespace."""
    from utils.checks import CheckFailure  # the course's copy: sys.path holds the course root only

    try:
        exec(compile(test, "<hidden test>", "exec"), dict(namespace))
    except CheckFailure as failure:
        return {"passed": False, "message": str(failure)}
    except NameError as error:
        return {"passed": False, "message": "; ".join([f"{error}: define it in its graded cell"] + problems)}
    except Exception as error:
        return {"passed": False, "message": f"the hidden test stopped: {type(error).__name__}: {error}"}
    return {"passed": True}


def run_in_child(namespace, problems, test, timeout, uid=None):
    """Run one test in a forked child, so that a crash, a hang or a tampered module stays there."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        try:
            drop_to(uid)
            verdict = run_test(namespace, problems, test)
            os.write(write_end, json.dumps(verdict).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    ready, _, _ = select.select([read_end], [], [], timeout)
    if not ready:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(read_end)
        return {"passed": False, "message": f"the hidden tests did not finish within {timeout} s "
                                            "(an endless loop in your function?)"}
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    try:
        return json.loads(data)
    except ValueError:
        return {"passed": False, "message": "your function ended the process that was testing it "
                                            f"(exit status {status}: os._exit, a crash or too much memory?)"}


def main():
    """Read a job (provided and student cells, tests by grade_id, timeout); print verdicts by grade_id."""
    job = json.load(sys.stdin)
    result_stream = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    sys.stdout = sys.stderr = io.StringIO()  # nothing a student prints reaches the verdicts
    # Warm imports are shared by every forked test: numpy and the checks the tests name.
    # (The children run as the sandbox user, who cannot read grader/.)
    for module in ["numpy", "utils.checks"] + sorted({name for test in job["tests"].values()
                                      for name in re.findall(r"from (grader\.\w+) import", test)}):
        importlib.import_module(module)
    # Checks that use the reference solution read it from source/: here, as root, once.
    from grader.assignments import ASSIGNMENTS
    for assignment in ASSIGNMENTS:
        checks = sys.modules.get(f"grader.{assignment}")
        if hasattr(checks, "reference_functions"):
            checks.reference_functions(assignment)
    namespace, problems = build_namespace(job["provided"], job["student"])
    verdicts = {grade_id: run_in_child(namespace, problems, test, job.get("timeout", 120), job.get("uid"))
                for grade_id, test in job["tests"].items()}
    result_stream.write(json.dumps(verdicts) + "\n")
    result_stream.flush()


if __name__ == "__main__":
    main()
