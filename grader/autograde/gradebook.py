"""Read the gradebook into a table: one row per student, one column per test cell."""
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from grader.assignments import ASSIGNMENTS


def course_config(root):
    """The course's nbgrader_config.py, as nbgrader reads it."""
    from traitlets.config.loader import PyFileConfigLoader

    return PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()


def default_db_url(root):
    """The gradebook nbgrader_config.py names (e.g. PostgreSQL), else root/gradebook.db."""
    return course_config(root).CourseDirectory.get("db_url") or f"sqlite:///{Path(root) / 'gradebook.db'}"


def collect_scores(root, db_url=None):
    """{assignment: {student: {test cell: score}}} for every graded submission."""
    scores = {}
    with Gradebook(db_url or default_db_url(root)) as gradebook:
        for assignment in ASSIGNMENTS:
            try:
                submissions = gradebook.find_assignment(assignment).submissions
            except MissingEntry:
                continue
            for submission in submissions:
                cells = {}
                for nb in submission.notebooks:
                    for grade in nb.grades:
                        if grade.cell.max_score:
                            cells[grade.name] = grade.score
                scores.setdefault(assignment, {})[submission.student.id] = cells
    return scores


def max_points(root, assignment, db_url=None):
    with Gradebook(db_url or default_db_url(root)) as gradebook:
        return {cell.name: cell.max_score
                for nb in gradebook.find_assignment(assignment).notebooks
                for cell in nb.grade_cells}


def format_table(scores):
    lines = []
    for assignment, by_student in scores.items():
        cells = sorted({cell for row in by_student.values() for cell in row})
        short = [cell.removeprefix("test_") for cell in cells]
        width = max(len(s) for s in by_student) + 2
        lines.append(f"\n{assignment}")
        lines.append(f"{'student':<{width}}{'total':>7}  " + "  ".join(short))
        for student in sorted(by_student):
            row = by_student[student]
            total = sum(row.values())
            lines.append(f"{student:<{width}}{total:>7g}  "
                         + "  ".join(f"{row.get(c, 0):>{len(s)}g}" for c, s in zip(cells, short)))
    return "\n".join(lines)
