"""Grade a whole class in parallel: every submission in submitted/, autograded with feedback.

    python -m grader grade [assignment ...] [--student ID ...] [--fast] [--workers N]
                           [--scheduler ADDRESS] [--db-url URL] [--force] [--timeout SECONDS]

Each submission is one task (grader/autograde/worker.py). Without --scheduler the tasks
run on N local worker processes (default: one per core); with it, on the Dask
cluster at that address. A task's result is written to grading_log/ as soon
as it ends, so a rerun skips what was graded (unless --force) and finishes
the rest. One submission that crashes, hangs or kills its worker fails alone.
"""
import contextlib
import hashlib
import json
import os
import queue
import select
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from grader.autograde.gradebook import course_config, default_db_url
from grader.autograde.ownership import hand_over
from grader.autograde.sandbox import limits_of_this_platform, require_sandbox, tier
from grader.autograde.tamper import Watch, refuse_unexpected_startup_files
from grader.autograde.worker import SINGLE_THREADED, grade_submission, warm_up

LOG_DIR = "grading_log"


def submissions(root, assignments):
    """(assignment, student) of every submission in submitted/<student>/<assignment>/."""
    found = []
    for folder in sorted((Path(root) / "submitted").glob("*/*")):
        if folder.is_dir() and folder.name in assignments:
            found.append((folder.name, folder.parent.name))
    return found


def fingerprint(root, assignment, student):
    """A hash of the submitted files: a resubmission is graded again."""
    digest = hashlib.sha256()
    folder = Path(root) / "submitted" / student / assignment
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def log_path(root, assignment, student):
    return Path(root) / LOG_DIR / assignment / f"{student}.json"


def already_graded(task):
    path = log_path(task["root"], task["assignment"], task["student"])
    try:
        previous = json.loads(path.read_text())
    except (OSError, ValueError):
        return False
    # A notebook graded without being run is graded again when the full path is asked for.
    return (previous.get("status") == "graded" and previous.get("fingerprint") == task["fingerprint"]
            and not (previous.get("fast") and not task.get("fast")))


def typical_seconds(root, fast=False):
    """Mean grading time per assignment in earlier runs of the same path (fast or full): the
    slowest go first, so no worker is left with a long one at the end while the others wait,
    and the time left is estimated from them."""
    times = {}
    for path in (Path(root) / LOG_DIR).glob("*/*.json"):
        with contextlib.suppress(OSError, ValueError):
            previous = json.loads(path.read_text())
            if previous.get("seconds") and bool(previous.get("fast")) == fast:
                times.setdefault(path.parent.name, []).append(previous["seconds"])
    return {assignment: sum(values) / len(values) for assignment, values in times.items()}


def record(result):
    path = log_path(result["root"], result["assignment"], result["student"])
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_text(json.dumps(result, indent=1))
    partial.replace(path)  # atomic: a killed run never leaves half a record


class Progress:
    """One line: done/total, failures, elapsed and estimated time left.

    Each submission is expected to cost its assignment's mean in earlier runs (else its mean
    so far in this run); the time left is the elapsed time scaled by the expected cost of what
    is left over that of what is done, which takes the number of workers and the machine's
    load into account without knowing them."""

    def __init__(self, tasks, typical=None, stream=sys.stderr):
        self.total, self.done, self.failed = len(tasks), 0, 0
        self.left = [task["assignment"] for task in tasks]
        self.finished = []
        self.typical = dict(typical or {})
        self.seen = {}
        self.start = time.monotonic()
        self.stream = stream
        self.live = stream.isatty()

    def update(self, result):
        self.done += 1
        self.failed += result["status"] != "graded"
        with contextlib.suppress(ValueError):
            self.left.remove(result["assignment"])
        self.finished.append(result["assignment"])
        if result.get("seconds"):
            self.seen.setdefault(result["assignment"], []).append(result["seconds"])
        elapsed = time.monotonic() - self.start
        width = 30
        bar = "#" * (width * self.done // self.total)
        line = (f"[{bar:<{width}}] {self.done}/{self.total}  {self.failed} failed  "
                f"{elapsed:.0f}s elapsed, ETA {self.seconds_left(elapsed):.0f}s  ({result['student']}/"
                f"{result['assignment']} {result['status']})")
        print(("\r" + line) if self.live else line, end="" if self.live else "\n",
              file=self.stream, flush=True)

    def seconds_left(self, elapsed):
        every = [s for values in self.seen.values() for s in values]
        fallback = sum(every) / len(every) if every else 1.0

        def cost(assignment):
            seen = self.seen.get(assignment)
            return self.typical.get(assignment) or (sum(seen) / len(seen) if seen else fallback)
        done = sum(cost(a) for a in self.finished)
        return elapsed * sum(cost(a) for a in self.left) / done if done else 0.0

    def close(self):
        if self.live:
            print(file=self.stream)


def summary(results, wall_seconds):
    """The one line `grade` ends with."""
    graded = sum(r["status"] == "graded" for r in results)
    cpu = sum(r.get("cpu_seconds") or 0 for r in results)
    rate = len(results) / wall_seconds * 60 if wall_seconds else 0
    line = (f"graded {graded}, failed {len(results) - graded}, wall time {wall_seconds:.1f} s, "
            f"CPU time {cpu:.1f} s, {rate:.1f} notebooks per minute")
    tampered = sum(bool(r.get("tampered")) for r in results)
    if tampered:
        line += f"; the gradebook scores of {tampered} submissions were changed behind the grader's back (see TAMPERED)"
    if tier() == "none":
        line += " -- WARNING: graded WITHOUT a sandbox: these grades hold only if no student attacked them"
    return line


class LocalWorker:
    """A `python -m grader.autograde.worker` process in its own session (its kernels die with it)."""

    command = [sys.executable, "-m", "grader.autograde.worker"]

    def __init__(self, root, warm=None):
        self.root = Path(root)
        self.warm = warm
        self.process = None

    def start(self):
        log = open(self.root / LOG_DIR / "workers.log", "a")
        self.process = subprocess.Popen(
            self.command, cwd=self.root, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, start_new_session=True,
            env={**os.environ, **SINGLE_THREADED, "MPLBACKEND": "Agg"})
        log.close()
        if self.warm:  # not a task's time: a worker that fails to warm up fails at its first task
            with contextlib.suppress(BrokenPipeError, OSError):
                self.process.stdin.write(json.dumps(self.warm) + "\n")
                self.process.stdin.flush()
                if select.select([self.process.stdout], [], [], 300)[0]:
                    self.process.stdout.readline()

    def run(self, task, timeout):
        """The worker's answer, or a failure if it hangs past `timeout` or dies."""
        if self.process is None or self.process.poll() is not None:
            self.start()
        try:
            self.process.stdin.write(json.dumps(task) + "\n")
            self.process.stdin.flush()
            ready, _, _ = select.select([self.process.stdout], [], [], timeout)
            line = self.process.stdout.readline() if ready else None
        except (BrokenPipeError, OSError):
            line = ""
        if line:
            return json.loads(line)
        reason = (f"timed out after {timeout:.0f} s" if line is None
                  else f"the grading process died (exit code {self.process.poll()})")
        self.stop()
        return dict(task, status="failed", score=None, error=reason, seconds=None)

    def stop(self):
        if self.process and self.process.poll() is None:
            with contextlib.suppress(OSError):
                self.process.stdin.close()  # a worker that is well ends, and cleans up after itself
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(5)
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        if self.process:
            self.process.wait()
        self.process = None


def run_local(tasks, workers, timeout, on_result):
    """Run tasks on `workers` local processes; a task whose worker died is tried once more."""
    todo = queue.Queue()
    for task in tasks:
        todo.put((task, 0))
    if not tasks:
        return

    def serve():
        worker = LocalWorker(tasks[0]["root"], warm_up_task(tasks))
        try:
            while True:
                try:
                    task, tries = todo.get_nowait()
                except queue.Empty:
                    return
                result = worker.run(task, timeout)
                if "process died" in result["error"] and tries == 0:
                    todo.put((task, 1))
                elif on_result(result) is False:  # grading stopped (tamper.py): no further task starts
                    with todo.mutex:
                        todo.queue.clear()
        finally:
            worker.stop()

    threads = [threading.Thread(target=serve, daemon=True) for _ in range(min(workers, len(tasks)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def warm_up_task(tasks):
    """What a worker warms up for before its first task (see worker.warm_up)."""
    return {"warm": True, "root": tasks[0]["root"], "db_url": tasks[0].get("db_url"), "fast": tasks[0].get("fast"),
            "assignments": sorted({task["assignment"] for task in tasks})}


def run_dask(tasks, scheduler, on_result):
    """Run tasks on the Dask cluster at `scheduler`; it reschedules the tasks of a lost worker."""
    from distributed import Client, as_completed

    with Client(scheduler) as client:
        with contextlib.suppress(Exception):  # a worker that cannot warm up fails at its first task
            client.run(warm_up, warm_up_task(tasks))
        futures = {client.submit(grade_submission, task, pure=False, key=f"grade-{task['assignment']}-"
                                 f"{task['student']}-{time.time_ns()}"): task for task in tasks}
        for future in as_completed(futures):
            try:
                result = future.result()
            except Exception as error:  # noqa: BLE001 (a lost task fails alone)
                result = dict(futures[future], status="failed", score=None, seconds=None,
                              error=f"{type(error).__name__}: {error}")
            if on_result(result) is False:  # grading stopped (tamper.py): no further task starts
                client.cancel(list(futures))
                break


def grade_class(root, assignments, workers=None, scheduler=None, db_url=None, force=False,
                timeout=900, quiet=False, fast=False, students=None):
    """Grade every submission of `assignments` not graded yet; returns every task's result.

    fast: grade without running the notebooks (see worker.nbgrader_api); students: only theirs."""
    root = str(Path(root).resolve())
    require_sandbox()
    if not quiet:
        print(limits_of_this_platform(), file=sys.stderr)
    found = submissions(root, assignments)
    refuse_unexpected_startup_files()
    prepare_gradebook(root, db_url, assignments, sorted({student for _, student in found}))
    tasks, skipped = [], []
    for assignment, student in found:
        if students and student not in students:
            continue
        task = dict(root=root, db_url=db_url or "", assignment=assignment, student=student, fast=fast,
                    fingerprint=fingerprint(root, assignment, student))
        (tasks if force or not already_graded(task) else skipped).append(task)
    watch = Watch(root, db_url, assignments)  # what decides a grade, checked after every task (tamper.py)
    again = watch.stale(skipped)
    tasks, skipped = tasks + again, [task for task in skipped if task not in again]
    typical = typical_seconds(root, fast)
    tasks.sort(key=lambda task: -typical.get(task["assignment"], 0))
    (Path(root) / LOG_DIR).mkdir(exist_ok=True)
    if not quiet:
        print(f"grading {len(tasks)} submissions ({len(skipped)} already graded) on "
              + (f"the Dask cluster at {scheduler}" if scheduler else f"{workers or os.cpu_count()} workers"),
              file=sys.stderr)
    progress = Progress(tasks, typical, stream=open(os.devnull, "w") if quiet else sys.stderr)
    results, lock = [], threading.Lock()

    def on_result(result):
        with lock:
            go_on = watch.check(result)
            record(result if result["status"] == "graded" else dict(result, score=0))
            results.append(result)
            progress.update(result)
            return go_on

    if scheduler:
        run_dask(tasks, scheduler, on_result)
    else:
        run_local(tasks, workers or os.cpu_count(), timeout, on_result)
    progress.close()
    watch.finish(results)
    return results


def prepare_gradebook(root, db_url, assignments, students=()):
    """Create the gradebook's tables once, before many workers open it at the same time.

    An assignment the gradebook does not know yet (a new PostgreSQL database, say)
    is entered from source/, as `nbgrader generate_assignment` does, without
    touching release/.
    """
    from nbgrader.api import Gradebook, MissingEntry

    url = db_url or default_db_url(root)
    with Gradebook(url, course_id=course_config(root).CourseDirectory.get("course_id", "default_course")) as book:
        # Two workers grading one student's two assignments would both find the student missing
        # and both insert it: one would fail on the gradebook's unique key. Entered here, once.
        for student in students:
            book.update_or_create_student(student)
        missing = []
        for assignment in assignments:
            try:
                book.find_assignment(assignment)
            except MissingEntry:
                missing.append(assignment)
    with tempfile.TemporaryDirectory() as scratch:
        for assignment in missing:
            subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", assignment, "--force",
                            f"--CourseDirectory.db_url={url}", f"--CourseDirectory.release_directory={scratch}",
                            "--log-level=ERROR"], cwd=root, check=True, capture_output=True)
    if url.startswith("sqlite:///"):
        # WAL lets readers go on while one worker writes; writers wait their turn (grader/autograde/worker.py).
        with sqlite3.connect(url.removeprefix("sqlite:///").split("?")[0], timeout=60) as connection:
            connection.execute("PRAGMA journal_mode=WAL")
        # Root grading an instructor's course: the instructor can use the gradebook while it runs.
        hand_over(root, *(url.removeprefix("sqlite:///").split("?")[0] + end for end in ("", "-wal", "-shm")))
