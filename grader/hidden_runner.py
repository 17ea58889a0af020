"""Run one hidden test in a fresh Python process, away from the student's kernel.

    python -m grader.hidden_runner < job.json

The job names the assignment and holds the notebook's code: the course's
provided cells, the student's graded cells and the hidden test. Only the
definitions are taken from it (imports, and functions whose decorators and
defaults cannot run code), so nothing a student's notebook did to its kernel
(redefining np.allclose, print, the course's helpers, sys.modules) exists
here. Each call of a student's function is wrapped: whatever it changes in
the modules the checks rely on is put back before the check looks at the
answer. The verdict is one JSON line on standard output:
{"passed": true} or {"passed": false, "message": "..."}.
"""
import ast
import builtins
import contextlib
import functools
import io
import json
import os
import sys

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


def run(job):
    from utils.checks import CheckFailure  # the course's copy: sys.path holds the course root only

    namespace, problems = build_namespace(job["provided"], job["student"])
    try:
        exec(compile(job["test"], "<hidden test>", "exec"), namespace)
    except CheckFailure as failure:
        return {"passed": False, "message": str(failure)}
    except NameError as error:
        message = f"{error}: define it in its graded cell"
        return {"passed": False, "message": "; ".join([message] + problems)}
    except Exception as error:
        return {"passed": False, "message": f"the hidden test stopped: {type(error).__name__}: {error}"}
    return {"passed": True}


def main():
    job = json.load(sys.stdin)
    result_stream = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    sys.stdout = sys.stderr = io.StringIO()  # nothing a student prints reaches the verdict
    result = run(job)
    result_stream.write(json.dumps(result) + "\n")
    result_stream.flush()


if __name__ == "__main__":
    main()
