"""The steps of the course's main job, and `nbgrader` run quietly in a course directory.

The command line (`python -m grader ...`, see grader/__main__.py) calls these.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from grader.assignments import ASSIGNMENTS, ROOT, link_shared_files
from grader.autograde import gradebook as grades
from grader.autograde.class_grading import LOG_DIR, grade_class, summary
from grader.autograde.tamper import GradingStopped
from grader.autograde.sandbox import NoSandbox, limits_of_this_platform, require_sandbox
from grader.course import class_report, example_class, faults, integrity

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
    written = example_class.build(ASSIGNMENTS, SUBMITTED, chosen=lambda a: example_class.students(a)
                                  + example_class.integrity_students(a))
    print(f"example class: {len(written)} submissions in {SUBMITTED.relative_to(ROOT)}/")


def grade(argv=()):
    parser = argparse.ArgumentParser(prog="python -m grader grade", description=sys.modules[grade_class.__module__].__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("assignments", nargs="*", default=ASSIGNMENTS)
    parser.add_argument("--workers", type=int, help="local worker processes (default: one per core)")
    parser.add_argument("--scheduler", help="address of a Dask scheduler, e.g. tcp://10.0.0.5:8786")
    parser.add_argument("--db-url", help="gradebook URL, e.g. postgresql://user@host/db (default: SQLite)")
    parser.add_argument("--student", action="append", help="grade only this student's submissions (repeatable)")
    parser.add_argument("--force", action="store_true", help="grade again what was graded already")
    parser.add_argument("--fast", action="store_true",
                        help="do not run the notebooks: grade by the hidden tests alone (the same grades)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds one submission may take")
    parser.add_argument("--root", default=ROOT, help="the course directory (default: this repository)")
    parser.add_argument("--allow-unsandboxed", action="store_true",
                        help="grade even where student code cannot be sandboxed (it then runs as you, unconfined)")
    parser.add_argument("--zip-collect", action="store_true",
                        help="first file the LMS download downloaded/<assignment>/archive/ into submitted/")
    args = parser.parse_args(argv)
    if args.allow_unsandboxed:
        os.environ["GRADER_ALLOW_UNSANDBOXED"] = "1"  # the workers inherit it
    try:
        require_sandbox()
    except NoSandbox as refused:
        sys.exit(str(refused))
    if args.zip_collect:
        for assignment in args.assignments:
            if (Path(args.root) / "downloaded" / assignment / "archive").is_dir():
                nbgrader("zip_collect", assignment, "--force", root=args.root)
    start = time.monotonic()
    try:
        results, stopped = grade_class(args.root, args.assignments, workers=args.workers, scheduler=args.scheduler,
                                       db_url=args.db_url, force=args.force, timeout=args.timeout,
                                       fast=args.fast, students=args.student), None
    except GradingStopped as stop:  # what decides a grade changed (grader/autograde/tamper.py)
        results, stopped = stop.results, stop
    for result in results:
        if result["status"] != "graded":
            print(f"FAILED {result['student']}/{result['assignment']}: {result['error']}", flush=True)
        for note in result.get("tampered", ()):
            print(f"TAMPERED {result['student']}/{result['assignment']}: {note}", flush=True)
    print(summary(results, time.monotonic() - start), flush=True)
    if stopped:
        sys.exit(f"ERROR: {stopped}")


def autograde():
    try:
        require_sandbox()
    except NoSandbox as refused:
        sys.exit(str(refused))
    print(limits_of_this_platform(), file=sys.stderr)
    for assignment in ASSIGNMENTS:
        nbgrader("autograde", assignment, "--force", check=False)


def feedback():
    for assignment in ASSIGNMENTS:
        nbgrader("generate_feedback", assignment, "--force", check=False)


def export():
    nbgrader("export", "--to", str(ROOT / "grades.csv"))


def table():
    print(grades.format_table(grades.collect_scores(ROOT)))


def report():
    written = class_report.write(ROOT)
    print("class report:", ", ".join(str(p.relative_to(ROOT)) for p in written))


def start_fresh():
    # The example class is graded from scratch each time: same input, same table.
    (ROOT / "gradebook.db").unlink(missing_ok=True)
    shutil.rmtree(ROOT / "feedback", ignore_errors=True)
    shutil.rmtree(ROOT / LOG_DIR, ignore_errors=True)
    for folder in (ROOT / "autograded").iterdir():
        if folder.is_dir():
            shutil.rmtree(folder)


STEPS = {"release": release, "collect": collect, "grade": grade, "export": export,
         "table": table, "report": report, "integrity": integrity.main}
SERIAL_STEPS = {"autograde": autograde, "feedback": feedback}
WITH_OPTIONS = {"grade": grade, "integrity": integrity.main, "faults": faults.main}
