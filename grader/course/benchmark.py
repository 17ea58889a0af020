"""How much autograding costs on top of the work a notebook does.

    make benchmark        (or: python -m grader.course.benchmark [assignment ...])
    python -m grader.course.benchmark --class [--size 40]

The first form grades one submission at a time; --class grades a synthetic class
(see class_benchmark below).

For each assignment, in one scratch course directory and in one run:
  autograde   wall time of `nbgrader autograde` for one full (reference) submission
  floor       the same code cells run in one warm Python process: the compute floor
  notebook    the notebook run top to bottom in a fresh kernel (nbclient), as a student does
and the ratio autograde / floor. Each figure is the median of --repeats runs.
"""
import argparse
import concurrent.futures
import contextlib
import io
import os
import shutil
import statistics
import sys
import tempfile
import time

import matplotlib
import nbformat
from nbclient import NotebookClient

from grader.course.commands import nbgrader
from grader.assignments import ASSIGNMENTS
from grader.course.example_class import Student, scratch_course, students
from grader.autograde.class_grading import grade_class


def reference_course(assignment):
    course = scratch_course(tempfile.mkdtemp(prefix="benchmark-"), [assignment], lambda a: [Student("reference")])
    return course, course / "submitted" / "reference" / assignment


def median_time(run, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def autograde_time(course, assignment, repeats):
    def run():
        with contextlib.redirect_stdout(io.StringIO()):
            nbgrader("autograde", assignment, "--student", "reference", "--force", root=course)
    return median_time(run, repeats)


def floor_time(folder, assignment, repeats):
    """Exec the notebook's code cells in this (warm) process, in the submission's folder."""
    nb = nbformat.read(folder / f"{assignment}.ipynb", as_version=4)
    code = ["\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith("%"))
            for cell in nb.cells if cell.cell_type == "code"]
    matplotlib.use("Agg")
    here = os.getcwd()

    def run():
        # Each assignment folder has its own utils/ and testcases/: import them afresh.
        for name in [n for n in sys.modules if n.split(".")[0] in ("utils", "testcases")]:
            del sys.modules[name]
        os.chdir(folder)
        sys.path.insert(0, str(folder))
        try:
            namespace = {}
            with contextlib.redirect_stdout(io.StringIO()):
                for source in code:
                    exec(compile(source, assignment, "exec"), namespace)
            matplotlib.pyplot.close("all")
        finally:
            sys.path.remove(str(folder))
            os.chdir(here)
    run()  # warm up: imports, dataset files in the page cache
    return median_time(run, repeats)


def notebook_time(folder, assignment, repeats):
    def run():
        nb = nbformat.read(folder / f"{assignment}.ipynb", as_version=4)
        NotebookClient(nb, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(folder)}}).execute()
    return median_time(run, repeats)


def synthetic_class(size):
    """A scratch course with `size` submissions from the example class, spread over the assignments."""
    per_assignment = size // len(ASSIGNMENTS)

    def ordinary(assignment):
        return [s for s in students(assignment) if not s.name.startswith("fault_")][:per_assignment]
    return scratch_course(tempfile.mkdtemp(prefix="benchmark-class-"), ASSIGNMENTS, ordinary)


def timed(run):
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def class_benchmark(size):
    """Serial nbgrader vs the parallel grader on one synthetic class, side by side.

    serial       `nbgrader autograde` then `nbgrader generate_feedback`, per assignment
    parallel     `python -m grader grade` (autograde and feedback) with 1 and 2 workers
    floor        every submitted notebook run top to bottom in a fresh kernel, one or two
                 at a time: the work any notebook grader has to do
    overhead     wall time of the parallel grader with n workers over the floor with n
                 notebooks at a time: what grading adds to each submission
    """
    course = synthetic_class(size)
    folders = sorted(p for p in (course / "submitted").glob("*/*") if p.is_dir())
    quiet = contextlib.redirect_stdout(io.StringIO())
    try:
        with quiet:
            serial_autograde = sum(timed(lambda: nbgrader("autograde", a, "--force", root=course, check=False))
                                   for a in ASSIGNMENTS)
            serial_feedback = sum(timed(lambda: nbgrader("generate_feedback", a, "--force", root=course,
                                                         check=False)) for a in ASSIGNMENTS)
        parallel = {n: timed(lambda: grade_class(course, ASSIGNMENTS, workers=n, force=True, quiet=True))
                    for n in (1, 2)}
        floor = {n: timed(lambda: run_notebooks(folders, n)) for n in (1, 2)}
    finally:
        shutil.rmtree(course)
    serial = serial_autograde + serial_feedback
    print(f"synthetic class: {len(folders)} submissions ({size // len(ASSIGNMENTS)} per assignment), "
          f"{os.cpu_count()} cores; seconds, one run each")
    print(f"  serial nbgrader autograde              {serial_autograde:8.1f}")
    print(f"  serial nbgrader autograde + feedback   {serial:8.1f}")
    for n, seconds in parallel.items():
        print(f"  parallel grader, {n} worker{'s' if n > 1 else ' '}              {seconds:8.1f}"
              f"   speedup vs serial {serial / seconds:4.2f}x   scaling vs 1 worker {parallel[1] / seconds:4.2f}x")
    for n, seconds in floor.items():
        print(f"  compute floor, {n} notebook{'s' if n > 1 else ' '} at a time    {seconds:8.1f}")
    for n, seconds in parallel.items():
        print(f"  per-submission overhead, {n} worker{'s' if n > 1 else ' '}     {seconds / floor[n]:8.2f}x the floor")


def run_notebooks(folders, at_a_time):
    with concurrent.futures.ProcessPoolExecutor(at_a_time) as pool:
        list(pool.map(run_notebook, folders))


def run_notebook(folder):
    nb = nbformat.read(folder / f"{folder.name}.ipynb", as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(folder)}}).execute()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("assignments", nargs="*", default=ASSIGNMENTS)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--class", dest="whole_class", action="store_true", help="grade a synthetic class")
    parser.add_argument("--size", type=int, default=40, help="submissions in the synthetic class")
    args = parser.parse_args(argv)
    if args.whole_class:
        class_benchmark(args.size)
        return
    print(f"{'assignment':<20}{'autograde':>11}{'floor':>9}{'ratio':>8}{'notebook':>10}   (seconds, median of {args.repeats})")
    for assignment in args.assignments:
        course, folder = reference_course(assignment)
        try:
            graded = autograde_time(course, assignment, args.repeats)
            floor = floor_time(folder, assignment, args.repeats)
            whole = notebook_time(folder, assignment, args.repeats)
        finally:
            shutil.rmtree(course)
        print(f"{assignment:<20}{graded:>11.2f}{floor:>9.2f}{graded / floor:>8.2f}{whole:>10.2f}")


if __name__ == "__main__":
    main()
