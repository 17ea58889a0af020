"""release/ is generated from source/, holds nothing secret, and runs on its own."""
import json
import re
from pathlib import Path

import nbformat
import pytest

from helpers import ROOT, errors, run_notebook
from grader.assignments import ASSIGNMENTS, RUN_SECONDS, SHARED_FILES, notebook
from grader.course import example_class


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_shared_files_are_links_to_the_one_copy(assignment):
    for relative in SHARED_FILES[assignment]:
        link = ROOT / "source" / assignment / relative
        assert link.is_symlink(), f"{link} should be a symlink (run python -m grader release)"
        assert link.resolve() == (ROOT / relative).resolve()


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_matches_a_fresh_generation(assignment, graded_course):
    fresh, committed = graded_course / "release" / assignment, ROOT / "release" / assignment
    files = lambda folder: sorted(p.relative_to(folder) for p in folder.rglob("*")
                                  if p.is_file() and "__pycache__" not in p.parts)
    assert files(fresh) == files(committed), "run `make release` and commit release/"
    for relative in files(fresh):
        if relative.suffix == ".ipynb":
            same = json.loads((fresh / relative).read_text()) == json.loads((committed / relative).read_text())
        else:
            same = (fresh / relative).read_bytes() == (committed / relative).read_bytes()
        assert same, f"release/{assignment}/{relative} is stale: run `make release` and commit it"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_holds_no_solution_and_no_hidden_test(assignment):
    release = notebook(assignment, "release").read_text()
    assert not re.search(r"BEGIN (SOLUTION|HIDDEN TESTS)|END (SOLUTION|HIDDEN TESTS)", release)
    assert not re.search(r"\bgrader\.|import grader|from grader", release)
    source = nbformat.read(notebook(assignment), as_version=4)
    regions = r"### BEGIN (?:SOLUTION|HIDDEN TESTS)\n(.*?)### END[^\n]*"
    # Lines the student is given anyway (the buggy backward pass they copy, say) are no leak.
    given = "\n".join(re.sub(regions, "", cell.source, flags=re.S) for cell in source.cells)
    for cell in source.cells:
        for region in re.findall(regions, cell.source, re.S):
            for line in region.splitlines():
                if len(line.strip()) > 12 and line.strip() not in given:
                    assert json.dumps(line.strip())[1:-1] not in release, f"leaked: {line.strip()}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_runs_on_its_own_and_fails_only_at_the_stubs(assignment, release_copy):
    folder = release_copy(assignment)
    path = folder / f"{assignment}.ipynb"
    nb = nbformat.read(path, as_version=4)
    # Prove the helpers come from the downloaded folder, not from the course.
    nb.cells.append(nbformat.v4.new_code_cell(
        "import utils, testcases; print(utils.__file__); print(testcases.__file__)"))
    nbformat.write(nb, path)
    nb = run_notebook(path)
    found = errors(nb)
    assert found, "the unfilled release should stop at its stubs"
    assert {ename for _, ename, _ in found} == {"NotImplementedError"}, found
    where = nb.cells[-1].outputs[0].text.split()
    assert all(Path(p).is_relative_to(folder) for p in where), where
    stderr = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "stream" and o.name == "stderr"]
    assert stderr == []
    # Each graded function's visible test stops at its stub.
    assert len(found) >= len(example_class.solutions(assignment))


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_reads_well_in_jupyterlab(assignment):
    nb = nbformat.read(notebook(assignment, "release"), as_version=4)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code), "stray output"
    assert f"**Running time:** about {RUN_SECONDS[assignment]} seconds" in nb.cells[0].source
    # JupyterLab's outline: one title, and no level skipped on the way down.
    levels = [len(m) for cell in nb.cells if cell.cell_type == "markdown"
              for m in re.findall(r"^(#+) ", cell.source, re.M)]
    assert levels[0] == 1 and levels.count(1) == 1, levels
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:])), levels
    # Expected-output tables get a header row (an empty one renders as a bare bar).
    assert "| | |" not in "".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")


def test_the_readme_quotes_each_run_time():
    table = (ROOT / "README.md").read_text()
    for assignment, seconds in RUN_SECONDS.items():
        assert f"| `{assignment}` | ~{seconds} s |" in table
