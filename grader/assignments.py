"""The course's assignments and the shared files each one ships with.

source/<assignment>/ holds symlinks to these files, so there is one copy of
every helper in the repository; nbgrader copies the targets into release/
(a student's folder then works on its own) and over each submission at
autograde (a student's edited helper is replaced by the instructor's).
"""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

COMMON = ["utils/__init__.py", "utils/activations.py", "utils/checks.py", "testcases/__init__.py"]
WHOLE_NET = ["utils/three_layer_forward.py", "utils/three_layer_backward.py", "utils/three_layer_net.py"]
TRAINING = ["utils/datasets.py", "utils/plots.py"]

# What each release ships: the helpers its notebook's given code calls, and none
# that returns what one of its graded functions must compute (tests/test_release_helpers.py).
# Optimization asks for a gradient-descent step, so it gets the network without
# three_layer_net.update_parameters; gradient checking asks for a fixed backward
# pass and for the relative difference, so it gets neither the backward pass nor
# utils/gradient_check.py.
SHARED_FILES = {
    "initialization": COMMON + WHOLE_NET + TRAINING + ["utils/data/circles.h5", "testcases/initialization.py",
                                                       "testcases/data/initialization_hints.json"],
    "regularization": COMMON + WHOLE_NET + TRAINING + ["utils/data/wavy.h5", "testcases/regularization.py",
                                                       "testcases/data/regularization.h5",
                                                       "testcases/data/regularization_hints.json"],
    "gradient_checking": COMMON + ["utils/three_layer_forward.py", "utils/parameter_vector.py",
                                   "utils/block_report.py", "testcases/gradient_checking.py",
                                   "testcases/data/gradient_checking_hints.json"],
    "optimization": COMMON + ["utils/three_layer_forward.py", "utils/three_layer_backward.py",
                              "utils/numerical_gradient.py"] + TRAINING
                    + ["utils/data/moons.h5", "testcases/optimization.py", "testcases/data/optimization_hints.json"],
}

# Linked into source/<assignment>/ too, never released (nbgrader_config.py ignores
# them): the hidden tests import them, and in a plain run of a source notebook
# they run in its kernel, which imports `utils` from the notebook's folder.
INSTRUCTOR_FILES = {
    "gradient_checking": ["utils/gradient_check.py"],
}
NEVER_RELEASED = sorted({Path(f).name for files in INSTRUCTOR_FILES.values() for f in files})

ASSIGNMENTS = list(SHARED_FILES)

# Seconds the solution notebook takes top to bottom on 2 cores: each notebook's first
# cell and the README's table quote these.
RUN_SECONDS = {"initialization": 8, "regularization": 14, "gradient_checking": 3, "optimization": 22}


def notebook(assignment, folder="source"):
    return ROOT / folder / assignment / f"{assignment}.ipynb"


TITLES = {"initialization": "Initialization", "regularization": "Regularization",
          "gradient_checking": "Gradient checking", "optimization": "Optimization methods and batch normalization"}
# What each assignment takes from the two originals, for its README's credits.
ORIGINALS = {
    "initialization": "the original course's Initialization assignment",
    "regularization": "the original course's Regularization assignment",
    "gradient_checking": "the original course's Gradient Checking assignment",
    "optimization": "the original course's Optimization Methods assignment and CS231n's batch normalization exercises",
}


def student_readme(assignment):
    """The README.md of an assignment's release folder, from the one template grader/course/student_readme.md."""
    return (ROOT / "grader" / "course" / "student_readme.md").read_text().format(
        title=TITLES[assignment], assignment=assignment, original=ORIGINALS[assignment])


def link_shared_files(assignment):
    """(Re)create source/<assignment>/'s symlinks to the shared files it needs (removing stale ones)
    and its student README, which nbgrader then copies into the release."""
    folder = ROOT / "source" / assignment
    wanted = SHARED_FILES[assignment] + INSTRUCTOR_FILES.get(assignment, [])
    for link in [*folder.rglob("*")]:
        # A helper dropped from the list must leave the release too.
        if link.is_symlink() and link.relative_to(folder).as_posix() not in wanted:
            link.unlink()
    for relative in wanted:
        link = folder / relative
        link.parent.mkdir(parents=True, exist_ok=True)
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(Path(*[".."] * (len(Path(relative).parts) + 1)) / relative)
    (folder / "README.md").write_text(student_readme(assignment))


if __name__ == "__main__":
    for name in ASSIGNMENTS:
        link_shared_files(name)
