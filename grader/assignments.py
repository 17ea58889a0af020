"""The course's assignments and the shared files each one ships with.

source/<assignment>/ holds symlinks to these files, so there is one copy of
every helper in the repository; nbgrader copies the targets into release/
(a student's folder then works on its own) and over each submission at
autograde (a student's edited helper is replaced by the instructor's).
"""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

UTILS = ["utils/__init__.py", "utils/activations.py", "utils/checks.py", "utils/gradient_check.py",
         "utils/datasets.py", "utils/plots.py", "utils/three_layer_net.py"]

SHARED_FILES = {
    "initialization": UTILS + ["utils/data/circles.h5",
                               "testcases/__init__.py", "testcases/initialization.py"],
    "regularization": UTILS + ["utils/data/wavy.h5", "testcases/__init__.py",
                               "testcases/regularization.py", "testcases/data/regularization.h5"],
    "gradient_checking": UTILS + ["testcases/__init__.py", "testcases/gradient_checking.py"],
    "optimization": UTILS + ["utils/data/moons.h5", "testcases/__init__.py", "testcases/optimization.py"],
}

ASSIGNMENTS = list(SHARED_FILES)


def notebook(assignment, folder="source"):
    return ROOT / folder / assignment / f"{assignment}.ipynb"


def link_shared_files(assignment):
    """(Re)create source/<assignment>/'s symlinks to the shared files it needs."""
    folder = ROOT / "source" / assignment
    for relative in SHARED_FILES[assignment]:
        link = folder / relative
        link.parent.mkdir(parents=True, exist_ok=True)
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(Path(*[".."] * (len(Path(relative).parts) + 1)) / relative)


if __name__ == "__main__":
    for name in ASSIGNMENTS:
        link_shared_files(name)
