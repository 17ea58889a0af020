"""A notebook that went through an accident gets every cell of the assignment back, once."""
import copy

import nbformat
import pytest

from grader.assignments import ASSIGNMENTS, notebook
from grader.autograde.restore_cells import grade_id, is_nbgrader_cell, restore


def release(assignment):
    return nbformat.read(notebook(assignment, "release"), as_version=4)


def layout(cells):
    """(grade_id or None, cell type) of each cell, the notebook's shape."""
    return [(grade_id(c) if is_nbgrader_cell(c) else None, c.cell_type) for c in cells]


def restored(assignment, edit):
    nb = release(assignment)
    cells = copy.deepcopy(nb.cells)
    edit(cells)
    sources = {grade_id(c): "SOURCE FROM THE GRADEBOOK" for c in nb.cells if is_nbgrader_cell(c)}
    points = {grade_id(c): 7 for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")}
    return nb, restore(cells, nb.cells, sources, points)


def graded_test_indices(nb):
    return [i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade")]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_an_untouched_notebook_is_unchanged(assignment):
    nb, cells = restored(assignment, lambda cells: None)
    assert cells == nb.cells


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_a_duplicated_test_cell_is_counted_once(assignment):
    nb = release(assignment)
    i = graded_test_indices(nb)[0]
    _, cells = restored(assignment, lambda cells: cells.insert(i + 1, copy.deepcopy(cells[i])))
    assert layout(cells) == layout(nb.cells)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_a_deleted_test_cell_comes_back_in_its_place_with_the_gradebooks_source_and_points(assignment):
    nb = release(assignment)
    i = graded_test_indices(nb)[-1]
    _, cells = restored(assignment, lambda cells: cells.pop(i))
    assert layout(cells) == layout(nb.cells)
    assert cells[i].source == "SOURCE FROM THE GRADEBOOK" and cells[i].metadata["nbgrader"]["points"] == 7


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_stripped_metadata_is_recognised_by_content(assignment):
    nb = release(assignment)

    def strip(cells):
        for cell in cells:
            cell.metadata.pop("nbgrader", None)
            if cell.metadata.get("nbgrader") is None and cell.cell_type == "code" and "GRADED FUNCTION" in cell.source:
                cell.source = cell.source.replace("raise NotImplementedError()", "return None")
    _, cells = restored(assignment, strip)
    assert layout(cells) == layout(nb.cells)


def test_of_two_copies_of_a_graded_cell_the_last_is_graded():
    nb = release("initialization")
    i = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("solution"))

    def paste_answer(cells):
        answer = copy.deepcopy(cells[i])
        answer.source = answer.source.replace("raise NotImplementedError()", "return 'mine'")
        cells.insert(i + 1, answer)
    _, cells = restored("initialization", paste_answer)
    graded = [c for c in cells if grade_id(c) == grade_id(nb.cells[i]) and is_nbgrader_cell(c)]
    assert len(graded) == 1 and "return 'mine'" in graded[0].source
    assert len(cells) == len(nb.cells) + 1  # the first copy stays, as plain code


def test_another_notebook_is_refused_with_the_reason():
    other = release("optimization")
    for cell in other.cells:
        cell.metadata.pop("nbgrader", None)
    with pytest.raises(ValueError, match="right notebook"):
        restore(other.cells, release("initialization").cells, {}, {})
