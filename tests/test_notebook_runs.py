"""The runs the notebooks added print their numbers, and the text under them quotes every line."""
import re

import pytest

from helpers import ROOT
from grader.assignments import ASSIGNMENTS, student_readme

# assignment -> the code cells of those runs; each is followed by the markdown that quotes it.
RUNS = {
    "initialization": ["code-22b"],
    "regularization": ["code-23b"],
    "gradient_checking": ["code-23"],
    "optimization": ["code-30b", "code-41b"],
}


def grade_id(cell):
    return cell.metadata["nbgrader"]["grade_id"]


@pytest.mark.parametrize("assignment", RUNS)
def test_new_runs_print_numbers_the_text_quotes(assignment, executed_source):
    cells = executed_source(assignment).cells
    for i, cell in enumerate(cells):
        if grade_id(cell) not in RUNS[assignment]:
            continue
        printed = "".join(out.get("text", "") for out in cell.outputs if out.output_type == "stream")
        lines = [line.strip() for line in printed.splitlines()
                 if line.strip() and not line.startswith("Cost after iteration")]
        assert lines and all(re.search(r"\d\.\d", line) for line in lines), (grade_id(cell), lines)
        quoted = cells[i + 1].source
        assert cells[i + 1].cell_type == "markdown"
        missing = [line for line in lines if not quotes(quoted, line)]
        assert not missing, f"{assignment} {grade_id(cell)}: the text does not quote {missing}"


NUMBER = re.compile(r"[-+]?\d+(?:\.\d*)?(?:e[-+]?\d+)?")


def quotes(text, printed, rtol=0.02):
    """Whether `text` holds the line `printed`: its counts equal, its other numbers within rtol
    (a difference of round-off size, 1e-9 at epsilon = 1e-6, varies in its third digit from CPU to CPU)."""
    words = NUMBER.split(printed)
    pattern = "(" + NUMBER.pattern + ")"
    for match in re.finditer(pattern.join(map(re.escape, words)), text):
        pairs = zip(NUMBER.findall(printed), match.groups())
        if all(a == b if a.lstrip("+-").isdigit() else abs(float(a) - float(b)) <= rtol * abs(float(b))
               for a, b in pairs):
            return True
    return False


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_each_release_has_a_student_readme(assignment):
    readme = (ROOT / "release" / assignment / "README.md").read_text()
    assert readme == student_readme(assignment), "run `make release`"
    assert f"`{assignment}.ipynb`" in readme
    assert "pip install numpy matplotlib jupyter scipy h5py" in readme
    assert "All visible tests passed." in readme and "CS231n" in readme


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_notebooks_credit_the_originals_and_mention_no_older_versions(assignment):
    text = (ROOT / "release" / assignment / f"{assignment}.ipynb").read_text()
    assert "deeplearning.ai" in text and "CS231n" in text
    assert not re.search(r"older version", text, re.I)
