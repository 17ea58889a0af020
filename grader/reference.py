"""The reference solution, read from the source notebook (its single source of truth)."""
import ast
import functools

import nbformat

from .assignments import notebook
from .example_class import solution_code


def definitions_only(source):
    """The imports and definitions of a cell, without its magics or statements that run things."""
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    tree = ast.parse("\n".join(lines))
    tree.body = [node for node in tree.body
                 if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef))]
    return tree


@functools.lru_cache(maxsize=None)
def reference_functions(assignment):
    """Namespace of the source notebook's imports, provided functions and solutions."""
    namespace = {}
    for cell in nbformat.read(notebook(assignment), as_version=4).cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or meta.get("grade"):
            continue
        if meta.get("solution"):
            code = definitions_only(solution_code(cell.source))
        elif meta.get("locked"):
            code = definitions_only(cell.source)
        else:
            continue
        exec(compile(code, f"<{assignment} reference>", "exec"), namespace)
    return namespace
