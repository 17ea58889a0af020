"""What the grader takes from a notebook's code cell: its imports and definitions, nothing that runs.

Magics and shell lines are dropped, and so is every statement but imports and
function (for the course's own cells, also class) definitions: a cell's
top-level code (training a model, printing, patching a module) never runs
when a cell is graded or the reference solution read.
"""
import ast


class Rejected(Exception):
    """A student's cell holds code that would run when it is merely defined."""


def safe_definitions(source, trusted):
    """The imports and function definitions of a cell, as source text.

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
    return ast.unparse(tree)


def is_literal(node):
    try:
        ast.literal_eval(node)
        return True
    except ValueError:
        return False
