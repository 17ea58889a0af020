"""nbgrader configuration of the course (read by every `nbgrader` command run here)."""
from pathlib import Path

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import GetGrades

from grader.assignments import NEVER_RELEASED
from grader.autograde.preprocessors import (ClearHiddenTestsOfTestCells, WrapLongLines, autograde_preprocessors,
                                           sanitize_preprocessors)

COURSE_ROOT = Path(__file__).resolve().parent

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

c.CourseDirectory.root = str(COURSE_ROOT)
c.CourseDirectory.course_id = "improving-deep-neural-networks"

# The longest cell of a solution runs a few seconds: a student's endless loop stops
# at 30 s, in the kernel and in the hidden tests alike.
c.Execute.timeout = 30
c.RunHiddenTestsApart.timeout = 30

# Deleted, duplicated or stripped cells are put back before nbgrader sanitizes a submission.
c.Autograde.sanitize_preprocessors = sanitize_preprocessors()
# Hidden tests run outside the student's kernel: the checks in one process, the
# student's functions in a sandboxed one.
c.Autograde.autograde_preprocessors = autograde_preprocessors()
# Student code runs in a sandbox (as root, or in user namespaces, or under Landlock); where none can
# be had, autograde refuses. True grades anyway, with student code unconfined: see docs/threat_model.md.
c.Sandbox.allow_unsandboxed = False

# Feedback shows the failure messages of hidden tests, never their code, wrapped to the page.
c.GenerateFeedback.preprocessors = [GetGrades, CSSHTMLHeaderPreprocessor, WrapLongLines,
                                    ClearHiddenTestsOfTestCells]

# Helpers that compute what a graded function must stay out of the release and are
# not copied into submissions (grader/assignments.py INSTRUCTOR_FILES).
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", *NEVER_RELEASED]

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}

# `nbgrader zip_collect` (python -m grader grade --zip-collect) files each notebook of an
# LMS download, downloaded/<assignment>/archive/*.zip, by its name: <student id>_<notebook>.
# Change the pattern to your LMS's file names; the student id must not contain "_".
c.FileNameCollectorPlugin.named_regexp = r"(?:.*/)?(?P<student_id>[^/_]+)_(?P<file_id>[^/]+)$"
