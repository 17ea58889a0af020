"""The reference solution, read from the source notebook (its single source of truth)."""
import functools
import re

import nbformat
from nbgrader.utils import is_grade, is_locked, is_solution

from grader.assignments import notebook
from grader.autograde.definitions import safe_definitions

SOLUTION_MARKER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")


def solution_code(cell_source):
    """A source cell's code as a student who got it right would have written it."""
    return "\n".join(line for line in cell_source.splitlines() if not SOLUTION_MARKER.match(line))


@functools.lru_cache(maxsize=None)
def reference_functions(assignment):
    """Namespace of the source notebook's imports, provided functions and solutions."""
    namespace = {}
    for cell in nbformat.read(notebook(assignment), as_version=4).cells:
        if cell.cell_type != "code" or is_grade(cell):
            continue
        if is_solution(cell):
            code = safe_definitions(solution_code(cell.source), trusted=True)
        elif is_locked(cell):
            code = safe_definitions(cell.source, trusted=True)
        else:
            continue
        exec(compile(code, f"<{assignment} reference>", "exec"), namespace)
    return namespace
