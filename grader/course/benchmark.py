"""How much autograding costs on top of the work a notebook does.

    make benchmark        (or: python -m grader.course.benchmark [assignment ...])
    python -m grader.course.benchmark --class [--size 40]
    python -m grader.course.benchmark --fast-class 1000 [--workers 2] [--budget SECONDS]

The first form grades one submission at a time; --class grades a synthetic class
every way (see class_benchmark below); --fast-class grades a large one on the fast path.

For each assignment, in one scratch course directory and in one run:
  autograde   wall time of `nbgrader autograde` for one full (reference) submission
  floor       the same code cells run in one warm Python process: the compute floor
  notebook    the notebook run top to bottom in a fresh kernel (nbclient), as a student does
and the ratio autograde / floor. Each figure is the median of --repeats runs.
"""
import argparse
import contextlib
import io
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
import warnings

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


def floor_time(folder, assignment, repeats, warm_up=True):
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
            with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
                warnings.simplefilter("ignore")  # a kernel shows a mistake's overflow warnings in its notebook
                for source in code:
                    try:  # as in a kernel, a cell that raises (a stub, a mistake) does not stop the rest
                        exec(compile(source, assignment, "exec"), namespace)
                    except Exception:
                        pass
            matplotlib.pyplot.close("all")
        finally:
            sys.path.remove(str(folder))
            os.chdir(here)
    if warm_up:
        run()  # imports, dataset files in the page cache
    return median_time(run, repeats) if repeats else 0.0


def notebook_time(folder, assignment, repeats):
    def run():
        nb = nbformat.read(folder / f"{assignment}.ipynb", as_version=4)
        NotebookClient(nb, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(folder)}}).execute()
    return median_time(run, repeats)


def synthetic_class(size):
    """A scratch course with `size` submissions from the example class, spread over the assignments."""
    per_assignment = size // len(ASSIGNMENTS)

    return scratch_course(tempfile.mkdtemp(prefix="benchmark-class-"), ASSIGNMENTS,
                          lambda a: ordinary_students(a)[:per_assignment])


def timed(run):
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def class_benchmark(size):
    """Every way of grading one synthetic class, side by side, in one run.

    serial       `nbgrader autograde` then `nbgrader generate_feedback`, per assignment
    full         `python -m grader grade` (autograde and feedback) with 1 and 2 workers
    fast         `python -m grader grade --fast` with 1 and 2 workers
    floor        the submissions' code cells run in one warm Python process, one after the
                 other: the work any grader that runs the notebooks has to do
    For each: the wall time, the time spent grading into the gradebook (the tasks' own time,
    summed: without the workers' start) and, on its own, the time spent writing feedback HTML.
    """
    course = synthetic_class(size)
    folders = sorted(p for p in (course / "submitted").glob("*/*") if p.is_dir())
    rows = []
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            serial = {step: sum(timed(lambda: nbgrader(step, a, "--force", root=course, check=False))
                                for a in ASSIGNMENTS) for step in ("autograde", "generate_feedback")}
        rows.append(("serial nbgrader autograde + feedback", sum(serial.values()), serial["autograde"],
                     serial["generate_feedback"]))
        for fast in (False, True):
            for n in (1, 2):
                rows.append((f"{'fast' if fast else 'full'} path, {n} worker{'s' if n > 1 else ''}",
                             *graded_class_time(course, n, fast)))
        floor = warm_floor(folders)
    finally:
        shutil.rmtree(course)
    rows.append(("warm compute floor (one process)", floor, floor, 0.0))
    print_class_table(rows, len(folders), size)


def tier_benchmark(size):
    """The sandbox's tiers side by side: one synthetic class graded on the full and the fast path, one
    worker, in each tier this machine has (the workers take GRADER_SANDBOX from the environment)."""
    from grader.autograde.sandbox import TIERS, tier_refusal
    course = synthetic_class(size)
    notebooks = len([p for p in (course / "submitted").glob("*/*") if p.is_dir()])
    rows, before = {}, os.environ.get("GRADER_SANDBOX")
    try:
        for name in [t for t in TIERS[:-1] if tier_refusal(t) is None]:
            os.environ["GRADER_SANDBOX"] = name
            for fast in (False, True):
                rows[name, fast] = graded_class_time(course, 1, fast)[1] / notebooks
    finally:
        os.environ.pop("GRADER_SANDBOX") if before is None else os.environ.update(GRADER_SANDBOX=before)
        shutil.rmtree(course)
    first = next(iter(rows))[0]
    print(f"sandbox tiers: {notebooks} notebooks, 1 worker; seconds of grading per notebook (ratio to {first})")
    for (name, fast), seconds in rows.items():
        print(f"  {name:<12}{'fast' if fast else 'full'} path {seconds:7.3f}   x{seconds / rows[first, fast]:.3f}")


def graded_class_time(course, workers, fast):
    """(wall seconds, the tasks' summed seconds of grading into the gradebook, and of feedback HTML)."""
    start = time.perf_counter()
    results = grade_class(course, ASSIGNMENTS, workers=workers, force=True, quiet=True, fast=fast)
    wall = time.perf_counter() - start
    failed = [r for r in results if r["status"] != "graded"]
    if failed:
        print(f"  ({len(failed)} failed: {failed[0]['error']})", file=sys.stderr)
    feedback = sum(r.get("feedback_seconds") or 0 for r in results)
    return wall, sum(r.get("seconds") or 0 for r in results) - feedback, feedback


def warm_floor(folders):
    """Seconds to run every submission's code cells in this process (each assignment warmed up once)."""
    warmed, total = set(), 0.0
    for folder in folders:
        if folder.name not in warmed:
            floor_time(folder, folder.name, 0)  # imports and datasets, not timed
            warmed.add(folder.name)
        total += floor_time(folder, folder.name, 1, warm_up=False)
    return total


def print_class_table(rows, notebooks, size):
    full_submissions = notebooks / len(ASSIGNMENTS)
    print(f"synthetic class: {notebooks} notebooks ({size // len(ASSIGNMENTS)} per assignment), "
          f"{os.cpu_count()} cores; seconds, one run each, on a machine others may be using")
    print(f"  {'':38}{'wall':>7}{'gradebook':>11}{'feedback':>10}   per full submission:{'gradebook':>11}"
          f"{'feedback':>10}{'x floor':>9}")
    per_submission = {name: gradebook / full_submissions for name, _, gradebook, _ in rows}
    floor = per_submission[rows[-1][0]]
    for name, wall, gradebook, feedback in rows:
        print(f"  {name:<38}{wall:7.1f}{gradebook:11.1f}{feedback:10.1f}{'':22}{per_submission[name]:11.2f}"
              f"{feedback / full_submissions:10.2f}{per_submission[name] / floor:9.2f}")
    print("  gradebook: grading into the gradebook, summed over the tasks (the workers' start not counted:\n"
          "  it is in the wall time); feedback: writing the feedback HTML, summed over the tasks")
    for n in (1, 2):
        workers = f"{n} worker{'s' if n > 1 else ''}"
        full, fast = per_submission[f"full path, {workers}"], per_submission[f"fast path, {workers}"]
        print(f"  {workers}: per full submission the fast path costs 1/{full / fast:.1f} of the full path; "
              f"the full path is {full / floor:.2f}x the warm compute floor")


def fast_class_benchmark(size, workers, budget):
    """The fast path on a synthetic class of `size` submissions (the example class's ordinary
    students, renamed s00000, s00001, ...), graded in batches until done or past `budget` s."""
    course, pending = renamed_class(size)
    graded, failed, cpu, feedback = 0, 0, 0.0, 0.0
    start = time.perf_counter()
    try:
        for batch in range(0, len(pending), 100):
            if time.perf_counter() - start > budget:
                break
            for folder in pending[batch:batch + 100]:
                target = course / "submitted" / folder.parent.name
                target.mkdir(parents=True, exist_ok=True)
                shutil.move(folder, target / folder.name)
            results = grade_class(course, ASSIGNMENTS, workers=workers, quiet=True, fast=True)
            graded += sum(r["status"] == "graded" for r in results)
            failed += sum(r["status"] != "graded" for r in results)
            cpu += sum(r.get("cpu_seconds") or 0 for r in results)
            feedback += sum(r.get("feedback_seconds") or 0 for r in results)
        wall = time.perf_counter() - start
    finally:
        shutil.rmtree(course)
        shutil.rmtree(course.parent / (course.name + "-waiting"), ignore_errors=True)
    peak = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    done = graded + failed
    print(f"fast path, synthetic class of {size} submissions on {workers} workers"
          + ("" if done == size else f" (stopped after {budget:.0f} s: {done} graded)"))
    print(f"  graded {graded}, failed {failed}, wall {wall:.0f} s, {done / wall * 60:.0f} notebooks per minute")
    print(f"  per notebook: {wall / done * workers:.2f} worker-seconds, {cpu / done:.2f} CPU seconds "
          f"({feedback / done:.2f} s of it feedback HTML)")
    print(f"  peak memory of one process (largest of this one and its workers): {peak / 1024:.0f} MB")


def renamed_class(size):
    """A scratch course, and `size` submission folders waiting beside it (copies of the example
    class's ordinary students under new ids), over the four assignments in turn."""
    course = scratch_course(tempfile.mkdtemp(prefix="benchmark-fast-"), ASSIGNMENTS, ordinary_students)
    originals = {a: sorted((course / "submitted").glob(f"*/{a}")) for a in ASSIGNMENTS}
    waiting = course.parent / (course.name + "-waiting")
    pending = []
    for i in range(size):
        assignment = ASSIGNMENTS[i % len(ASSIGNMENTS)]
        source = originals[assignment][(i // len(ASSIGNMENTS)) % len(originals[assignment])]
        pending.append(waiting / f"s{i:05d}" / assignment)
        shutil.copytree(source, pending[-1])
    shutil.rmtree(course / "submitted")
    (course / "submitted").mkdir()
    return course, pending


def ordinary_students(assignment):
    return [s for s in students(assignment) if not s.name.startswith("fault_")]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("assignments", nargs="*", default=ASSIGNMENTS)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--class", dest="whole_class", action="store_true", help="grade a synthetic class")
    parser.add_argument("--size", type=int, default=40, help="submissions in the synthetic class")
    parser.add_argument("--tiers", action="store_true", help="grade a synthetic class in each sandbox tier")
    parser.add_argument("--fast-class", type=int, metavar="N", help="grade a synthetic class of N on the fast path")
    parser.add_argument("--workers", type=int, default=2, help="workers of --fast-class")
    parser.add_argument("--budget", type=float, default=3600, help="seconds --fast-class may run before it stops")
    args = parser.parse_args(argv)
    if args.whole_class:
        class_benchmark(args.size)
    if args.tiers:
        tier_benchmark(args.size)
    if args.fast_class:
        fast_class_benchmark(args.fast_class, args.workers, args.budget)
    if args.whole_class or args.fast_class or args.tiers:
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
