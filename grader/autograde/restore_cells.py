"""Put the assignment's cells back into a submission before nbgrader grades it.

A notebook goes through accidents on its way from the release to the
grader: a test cell copied and pasted (two cells with one grade_id), deleted,
or saved by an editor that strips cell metadata. nbgrader grades none of these
as the student deserves (a duplicate drops the notebook, a missing test cell
needs manual grading). RestoreCells runs first, before nbgrader's own
sanitizing, and matches the submission to the release notebook:

- a cell with the metadata of one of the assignment's cells is that cell;
- a cell without it is recognised by its content: a locked cell by its text,
  a graded cell by the function it defines;
- of two copies of a locked cell the first is kept, of two copies of a graded
  cell the last (it is the definition that wins when the notebook runs);
- a locked cell still missing is re-inserted after the cell that precedes it
  in the release, with the gradebook's source and points (a graded cell with
  the release's stub).

nbgrader's OverwriteCells then restores sources and points from the gradebook
as usual. A notebook in which nothing matches is not this assignment: it fails
alone, saying so.
"""
import ast
import re
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader.utils import is_grade, is_locked, is_solution

GRADED_HEADER = re.compile(r"^\s*#\s*GRADED FUNCTION:\s*(\w+)", re.M)


def grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id") if "nbgrader" in cell.metadata else None


def is_nbgrader_cell(cell):
    return is_grade(cell) or is_solution(cell) or is_locked(cell)


def normalized(text):
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def defined_function(source):
    """The name a graded cell is about: its GRADED FUNCTION header, else its first function."""
    header = GRADED_HEADER.search(source)
    if header:
        return header.group(1)
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    return next((node.name for node in tree.body if isinstance(node, ast.FunctionDef)), None)


def recognise(cell, release_cells):
    """The grade_id of the release cell that `cell`, stripped of its metadata, is, or None."""
    for template in release_cells:
        if template.cell_type != cell.cell_type:
            continue
        if is_solution(template):
            if cell.cell_type == "code" and defined_function(cell.source) == defined_function(template.source):
                return grade_id(template)
        elif is_locked(template) and normalized(cell.source) == normalized(template.source):
            return grade_id(template)
    return None


def restore(cells, release_cells, sources, points):
    """The submission's cells with the release's cells put back (see the module's docstring).

    sources: grade_id -> the gradebook's source of each locked cell; points: grade_id -> max score.
    """
    templates = {grade_id(t): t for t in release_cells if is_nbgrader_cell(t)}
    ids = []
    for cell in cells:
        known = grade_id(cell) if grade_id(cell) in templates and is_nbgrader_cell(cell) else None
        if known is None and not is_nbgrader_cell(cell):
            known = recognise(cell, [templates[i] for i in templates if i not in ids])
            if known is not None:
                cell.metadata["nbgrader"] = dict(templates[known].metadata["nbgrader"])
        ids.append(known)
    if not any(known and (is_solution(templates[known]) or is_grade(templates[known])) for known in ids):
        raise ValueError("no cell of this notebook matches the assignment's notebook: "
                         "is it the right notebook?")
    keep = keep_one_of_each(cells, ids, templates)
    cells = [cell if keep[i] or ids[i] is None or is_solution(templates[ids[i]]) else None
             for i, cell in enumerate(cells)]
    for i, cell in enumerate(cells):
        if cell is not None and ids[i] is not None and not keep[i]:
            del cell.metadata["nbgrader"]  # an earlier copy of a graded cell: plain code now
    kept = [(cell, ids[i] if keep[i] else None) for i, cell in enumerate(cells) if cell is not None]
    return insert_missing(kept, release_cells, templates, sources, points)


def keep_one_of_each(cells, ids, templates):
    """keep[i]: cell i carries its grade_id (first copy of a locked cell, last of a graded one)."""
    keep = [False] * len(cells)
    seen = {}
    for i, known in enumerate(ids):
        if known is None:
            continue
        if known not in seen or is_solution(templates[known]):
            if known in seen:
                keep[seen[known]] = False
            seen[known] = i
            keep[i] = True
    return keep


def insert_missing(kept, release_cells, templates, sources, points):
    present = {known for _, known in kept if known}
    out = list(kept)
    for index, template in enumerate(release_cells):
        known = grade_id(template) if is_nbgrader_cell(template) else None
        if known is None or known in present:
            continue
        cell = missing_cell(template, sources.get(known), points.get(known))
        before = [grade_id(t) for t in release_cells[:index] if is_nbgrader_cell(t)]
        position = max((i + 1 for i, (_, k) in enumerate(out) if k in before), default=0)
        out.insert(position, (cell, known))
        present.add(known)
    return [cell for cell, _ in out]


def missing_cell(template, source, points):
    meta = dict(template.metadata["nbgrader"])
    if points is not None and is_grade(template):
        meta["points"] = points
    text = source if source is not None and is_locked(template) else template.source
    if template.cell_type == "markdown":
        cell = nbformat.v4.new_markdown_cell(text)
    else:
        cell = nbformat.v4.new_code_cell(text)
    cell.metadata["nbgrader"] = meta
    return cell


class RestoreCells(NbGraderPreprocessor):
    """Before nbgrader sanitizes a submission: every cell of the release in it, once."""

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        release = self.release_notebook(info["assignment"], info["notebook"])
        with Gradebook(info["db_url"]) as gradebook:
            entry = gradebook.find_notebook(info["notebook"], info["assignment"])
            sources = {cell.name: cell.source for cell in entry.source_cells if cell.locked}
            points = {cell.name: cell.max_score for cell in entry.grade_cells}
        before = len(nb.cells)
        nb.cells = restore(nb.cells, release.cells, sources, points)
        if len(nb.cells) != before:
            self.log.warning("Restored the assignment's cells of %s (%d cells, now %d)",
                             info["notebook"], before, len(nb.cells))
        return nb, resources

    def release_notebook(self, assignment, notebook):
        coursedir = CourseDirectory(config=self.config)
        folder = Path(coursedir.format_path(coursedir.release_directory, ".", assignment))
        return nbformat.read(folder / f"{notebook}.ipynb", as_version=4)
