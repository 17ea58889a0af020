"""The course's main job, step by step or all at once.

    python -m grader all        release, collect, autograde, feedback, export, table
    python -m grader release    regenerate release/ from source/
    python -m grader collect    write the example class into submitted/
    python -m grader autograde  grade everything in submitted/
    python -m grader feedback   HTML feedback into feedback/
    python -m grader export     grades.csv
    python -m grader table      print the grade table

Run from the Makefile (`make grade`), which puts the environment on PATH.
"""
import os
import re
import shutil
import subprocess
import sys

from .assignments import ASSIGNMENTS, ROOT, link_shared_files
from . import example_class, grades

SUBMITTED = ROOT / "submitted"


# Warnings nbgrader prints for every submission that carry no news:
# - test cells with hidden tests always "change checksum" (nbgrader issue #1961;
#   autograde restores those cells from the gradebook regardless);
# - every kernel says it talks over loopback TCP;
# - plots have no alt text; ClearHiddenTests ignores an exporter option.
NOISE = re.compile(r"Attribute 'checksum' for cell test_|Kernel is running over TCP"
                   r"|Alternative text is missing|display_data_priority")


def nbgrader(*args, root=ROOT, check=True):
    """Run one nbgrader command in the course directory `root`, minus its noise.

    With check=False a failure is reported and the job goes on (one broken
    submission must not stop the grading of the others).
    """
    print("$ nbgrader", " ".join(args), flush=True)
    process = subprocess.Popen([sys.executable, "-m", "nbgrader", *args, "--log-level=WARN"],
                               cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env={**os.environ, "PYTHONWARNINGS": "ignore:::nbgrader.api"})
    for line in process.stdout:
        if not NOISE.search(line):
            print(line, end="", flush=True)
    if process.wait():
        message = f"nbgrader {' '.join(args)} failed (exit code {process.returncode}); see above"
        if check:
            sys.exit(message)
        print(f"WARNING: {message}. The other submissions were graded.", flush=True)
    return process.returncode


def release():
    for assignment in ASSIGNMENTS:
        link_shared_files(assignment)
        # Start from an empty folder so a file removed from source/ leaves release/ too.
        shutil.rmtree(ROOT / "release" / assignment, ignore_errors=True)
        nbgrader("generate_assignment", assignment, "--force")


def collect():
    shutil.rmtree(SUBMITTED, ignore_errors=True)
    written = example_class.build(ASSIGNMENTS, SUBMITTED)
    print(f"example class: {len(written)} submissions in {SUBMITTED.relative_to(ROOT)}/")


def autograde():
    for assignment in ASSIGNMENTS:
        nbgrader("autograde", assignment, "--force", check=False)


def feedback():
    for assignment in ASSIGNMENTS:
        nbgrader("generate_feedback", assignment, "--force", check=False)


def export():
    nbgrader("export", "--to", str(ROOT / "grades.csv"))


def table():
    print(grades.format_table(grades.collect_scores(ROOT)))


def start_fresh():
    # The example class is graded from scratch each time: same input, same table.
    (ROOT / "gradebook.db").unlink(missing_ok=True)
    shutil.rmtree(ROOT / "feedback", ignore_errors=True)
    for folder in (ROOT / "autograded").iterdir():
        if folder.is_dir():
            shutil.rmtree(folder)


STEPS = {"release": release, "collect": collect, "autograde": autograde,
         "feedback": feedback, "export": export, "table": table}


def main(argv):
    command = argv[0] if argv else "all"
    if command == "all":
        start_fresh()
        for step in STEPS.values():
            step()
    elif command in STEPS:
        STEPS[command]()
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
