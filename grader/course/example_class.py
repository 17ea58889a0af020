"""Build the example class's submissions from testcases/example_class/.

Every student starts from the release folder of the assignment. `reference`
fills each graded cell with the solution from source/, `blank` changes
nothing, and each file testcases/example_class/<assignment>/<student>.py
replaces the graded cells of the functions it defines (see the README there).
The integrity class (testcases/integrity_class/) is written the same way.
"""
import ast
import hashlib
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.utils import is_grade, is_solution

from grader.assignments import ROOT, notebook
from grader.reference import solution_code

SPEC_DIR = ROOT / "testcases" / "example_class"
INTEGRITY_DIR = ROOT / "testcases" / "integrity_class"


@dataclass
class Student:
    """One submission of the example class: which functions it gets wrong, and how."""
    name: str
    functions: dict = field(default_factory=dict)  # function name -> its source
    files: dict = field(default_factory=dict)      # path in the folder -> new text
    cells: list = field(default_factory=list)      # code cells of the student's own, after the imports
    points: dict = field(default_factory=dict)     # test cell -> points written into its metadata
    hint: str = ""
    blank: bool = False
    # Faults (see testcases/example_class/README.md):
    notebook: str = ""                             # the notebook's file name ("" keeps it, None omits it)
    notebook_text: str = ""                        # raw text written instead of the notebook
    delete: list = field(default_factory=list)     # test cells removed
    move_first: list = field(default_factory=list) # test cells moved to the top
    edit: dict = field(default_factory=dict)       # test cell -> new source
    duplicate: list = field(default_factory=list)  # cells pasted twice (copy and paste)
    strip_metadata: bool = False                   # every cell's metadata dropped by an editor
    notebook_from: str = ""                        # hands in another assignment's notebook instead
    expected: dict = field(default_factory=dict)   # test cell -> points, where the rule below does not apply
    copy_of: "Student" = None                      # whose notebook file this student handed in


def load_student(path):
    source = path.read_text()
    tree = ast.parse(source)
    functions = {node.name: ast.get_source_segment(source, node)
                 for node in tree.body if isinstance(node, ast.FunctionDef)}
    namespace = {}
    exec(compile(tree, str(path), "exec"), namespace)
    return Student(path.stem, functions=functions, files=namespace.get("FILES", {}),
                   cells=namespace.get("CELLS", []), hint=namespace.get("HINT", ""),
                   points=namespace.get("POINTS", {}), notebook=namespace.get("NOTEBOOK", ""),
                   notebook_text=namespace.get("NOTEBOOK_TEXT", ""), delete=namespace.get("DELETE", []),
                   move_first=namespace.get("MOVE_FIRST", []), edit=namespace.get("EDIT", {}),
                   duplicate=namespace.get("DUPLICATE", []),
                   strip_metadata=namespace.get("STRIP_METADATA", False),
                   notebook_from=namespace.get("NOTEBOOK_FROM", ""),
                   expected=namespace.get("EXPECTED", {}),
                   copy_of=load_student(path.with_name(namespace["COPY_OF"] + ".py")) if "COPY_OF" in namespace else None)


def students(assignment):
    """The example class of one assignment: reference, blank, then one per spec file."""
    specs = sorted((SPEC_DIR / assignment).glob("*.py"))
    return [Student("reference"), Student("blank", blank=True)] + [load_student(p) for p in specs]


def integrity_students(assignment):
    """The students planted for the integrity report (testcases/integrity_class/README.md)."""
    return [load_student(p) for p in sorted((INTEGRITY_DIR / assignment).glob("*.py"))]


def solutions(assignment):
    """grade_id -> reference code of every graded cell of the source notebook."""
    nb = nbformat.read(notebook(assignment), as_version=4)
    return {cell.metadata["nbgrader"]["grade_id"]: solution_code(cell.source)
            for cell in nb.cells if is_solution(cell)}


def fill_notebook(assignment, student):
    """The release notebook with the student's answers in its graded cells."""
    if student.copy_of:
        return write_functions(fill_notebook(assignment, student.copy_of), student.functions)
    nb = nbformat.read(notebook(assignment, "release"), as_version=4)
    if student.blank:
        return nb
    reference = solutions(assignment)
    for cell in nb.cells:
        if is_solution(cell):
            cell.source = reference[cell.metadata["nbgrader"]["grade_id"]]
    write_functions(nb, student.functions)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in student.points:
            cell.metadata["nbgrader"]["points"] = student.points[grade_id]
    first_code = next(i for i, cell in enumerate(nb.cells) if cell.cell_type == "code")
    nb.cells[first_code + 1:first_code + 1] = [nbformat.v4.new_code_cell(code.strip(), id=own_cell_id(student.name, i))
                                               for i, code in enumerate(student.cells)]
    return tamper_with_tests(nb, student)


def write_functions(nb, functions):
    """Put each function's source into the graded cell of that name."""
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if is_solution(cell) and grade_id in functions:
            cell.source = f"# GRADED FUNCTION: {grade_id}\n\n{functions[grade_id]}\n"
    return nb


def own_cell_id(student_name, index):
    """A cell id of the kind JupyterLab gives a new cell, the same on every build (a copier's file keeps it)."""
    digest = hashlib.sha256(f"{student_name}/{index}".encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def tamper_with_tests(nb, student):
    """Delete, move to the top, edit, duplicate or strip cells, as the student's spec says."""
    def grade_id(cell):
        return cell.metadata.get("nbgrader", {}).get("grade_id")
    for cell in nb.cells:
        if grade_id(cell) in student.edit:
            cell.source = student.edit[grade_id(cell)]
    moved = [cell for cell in nb.cells if grade_id(cell) in student.move_first]
    kept = [cell for cell in nb.cells if grade_id(cell) not in student.delete + student.move_first]
    nb.cells = []
    for cell in moved + kept:
        nb.cells.append(cell)
        if grade_id(cell) in student.duplicate:
            pasted = nbformat.from_dict(cell)
            pasted.id = f"{cell.id}-pasted"[:64]
            nb.cells.append(pasted)
    if student.strip_metadata:
        for cell in nb.cells:
            cell.metadata = {}
    return nb


def write_submission(assignment, student, submitted_dir):
    folder = submitted_dir / student.name / assignment
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(ROOT / "release" / assignment, folder)
    path = folder / f"{assignment}.ipynb"
    if student.notebook_from:
        nbformat.write(fill_notebook(student.notebook_from, Student("reference")), path)
    else:
        nbformat.write(fill_notebook(assignment, student), path)
    if student.notebook_text:
        path.write_text(student.notebook_text)
    if student.notebook is None:
        path.unlink()
    elif student.notebook:
        path.rename(folder / student.notebook)
    for relative, text in student.files.items():
        (folder / relative).write_text(text.lstrip("\n"))
    return folder


def build(assignments, submitted_dir, only=None, chosen=students):
    """Write every student's submission of every assignment into submitted_dir."""
    written = []
    for assignment in assignments:
        for student in chosen(assignment):
            if only is None or student.name in only:
                written.append(write_submission(assignment, student, submitted_dir))
    return written


def test_cell_points(assignment):
    """grade_id -> points of every autograded test cell of the source notebook."""
    nb = nbformat.read(notebook(assignment), as_version=4)
    return {cell.metadata["nbgrader"]["grade_id"]: cell.metadata["nbgrader"]["points"]
            for cell in nb.cells if is_grade(cell)}


def expected_scores(assignment):
    """student -> {test cell: points} the example class should be given."""
    points = test_cell_points(assignment)
    expected = {}
    for student in students(assignment):
        broken = set(student.functions)
        expected[student.name] = {
            cell: student.expected.get(cell, 0 if student.blank or cell.removeprefix("test_") in broken else value)
            for cell, value in points.items()}
    return expected


def scratch_course(course, assignments, chosen=students, extra_config=""):
    """A copy of the course in `course`: its config (plus extra_config), source/, each
    assignment generated, and chosen(assignment) of its example class submitted."""
    import contextlib
    import io

    from grader.course.commands import nbgrader  # commands imports this module

    course = Path(course)
    course.mkdir(parents=True, exist_ok=True)
    (course / "nbgrader_config.py").write_text((ROOT / "nbgrader_config.py").read_text() + extra_config)
    shutil.copytree(ROOT / "source", course / "source", symlinks=False, dirs_exist_ok=True)
    for assignment in assignments:
        with contextlib.redirect_stdout(io.StringIO()):
            nbgrader("generate_assignment", assignment, root=course)
        for student in chosen(assignment):
            write_submission(assignment, student, course / "submitted")
    return course
