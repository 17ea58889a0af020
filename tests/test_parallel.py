"""Grading a class in parallel: same scores every way, failures contained, resumable, reported.

The servers are real: a PostgreSQL server (Debian's package, installed by the
Makefile) and a Dask scheduler with two workers, each its own process on loopback.
"""
import csv
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pytest

from helpers import ROOT, build_small_course
from grader.course import class_report
from grader.course.commands import nbgrader
from grader.course.example_class import students
from grader.autograde.gradebook import collect_scores
from grader.autograde.class_grading import LOG_DIR, LocalWorker, grade_class, submissions

# Five submissions of one assignment (full marks, blank, two mistakes, kernel
# tampering) keep the four gradings of the same class short.
ASSIGNMENTS = ["initialization"]
TINY = ["reference", "blank", "he_current_layer", "zeros_hard_coded", "tampering_kernel"]


def tiny_class(assignment):
    return [s for s in students(assignment) if s.name in TINY]
BIN = Path(sys.executable).parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise TimeoutError(f"{what} did not come up within {seconds} s")


@pytest.fixture(scope="module")
def serial_scores(tmp_path_factory):
    """The small class graded by plain nbgrader, one submission after the other."""
    course = tmp_path_factory.mktemp("serial")
    build_small_course(course, ASSIGNMENTS, tiny_class)
    for assignment in ASSIGNMENTS:
        nbgrader("autograde", assignment, root=course)
    return collect_scores(course)


@pytest.fixture(scope="module")
def postgres_url():
    """A PostgreSQL server of its own on a loopback port, with an empty database."""
    binaries = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
    assert binaries, "PostgreSQL is not installed: `make test` installs Debian's postgresql package"
    bin_dir = binaries[-1]
    # Not under pytest's tmp dir: that is private to root, and the server refuses to run as root.
    home = Path(tempfile.mkdtemp(prefix="postgres-"))
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_postgres:
        shutil.chown(home, "postgres")
    port = free_port()
    subprocess.run([*as_postgres, bin_dir / "initdb", "-D", home / "data", "-U", "postgres",
                    "--auth=trust"], check=True, capture_output=True, text=True)
    server = subprocess.Popen([*as_postgres, bin_dir / "postgres", "-D", home / "data", "-h", "127.0.0.1",
                               "-p", str(port), "-k", home], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: subprocess.run([bin_dir / "pg_isready", "-h", "127.0.0.1", "-p", str(port)],
                                        capture_output=True).returncode == 0, 60, "PostgreSQL")
        subprocess.run([bin_dir / "createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "gradebook"],
                       check=True)
        yield f"postgresql://postgres@127.0.0.1:{port}/gradebook"
    finally:
        server.terminate()
        server.wait(30)
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="module")
def dask_scheduler():
    """A Dask scheduler and two single-threaded workers, each its own process."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    quiet = dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    processes = [subprocess.Popen([BIN / "dask", "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                   "--no-dashboard"], **quiet)]
    try:
        wait_for(lambda: socket.socket().connect_ex(("127.0.0.1", port)) == 0, 60, "the Dask scheduler")
        processes += [subprocess.Popen([BIN / "dask", "worker", address, "--nthreads", "1", "--nworkers", "1",
                                        "--host", "127.0.0.1", "--no-dashboard"], **quiet) for _ in range(2)]
        from distributed import Client
        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            process.wait(30)


def graded_scores(tmp_path, **options):
    build_small_course(tmp_path, ASSIGNMENTS, tiny_class)
    results = grade_class(tmp_path, ASSIGNMENTS, quiet=True, **options)
    assert all(r["status"] == "graded" for r in results), [r["error"] for r in results]
    return collect_scores(tmp_path, options.get("db_url"))


def test_serial_and_parallel_sqlite_agree(serial_scores, graded_course):
    # graded_course is the small class of every assignment, graded by two local workers.
    parallel = collect_scores(graded_course)
    assert {a: {s: parallel[a][s] for s in TINY} for a in ASSIGNMENTS} == serial_scores


def test_postgresql_gradebook_agrees(serial_scores, postgres_url, tmp_path):
    assert graded_scores(tmp_path, workers=2, db_url=postgres_url) == serial_scores


def test_dask_cluster_agrees(serial_scores, dask_scheduler, tmp_path):
    assert graded_scores(tmp_path, scheduler=dask_scheduler) == serial_scores


def test_a_killed_run_is_finished_by_the_next(serial_scores, tmp_path):
    build_small_course(tmp_path, ASSIGNMENTS, tiny_class)
    total = len(submissions(tmp_path, ASSIGNMENTS))
    command = [sys.executable, "-m", "grader", "grade", *ASSIGNMENTS, "--workers", "2", "--root", str(tmp_path)]
    run = subprocess.Popen(command, cwd=ROOT,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    records = tmp_path / LOG_DIR
    wait_for(lambda: len(list(records.glob("*/*.json"))) >= 2, 300, "the first results")
    os.killpg(run.pid, signal.SIGKILL)  # the grader, its workers and their kernels, all at once
    run.wait()
    done_before = len(list(records.glob("*/*.json")))
    assert done_before < total
    rerun = subprocess.run(command, cwd=ROOT,
                           capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    assert f"grading {total - done_before} submissions ({done_before} already graded)" in rerun.stderr
    assert collect_scores(tmp_path) == serial_scores


FAKE_WORKER = """
import json, os, sys, time
for line in sys.stdin:
    task = json.loads(line)
    if task.get("warm"):
        print(json.dumps({"warm": True}), flush=True)
        continue
    if task["student"] == "dies":
        os._exit(3)
    if task["student"] == "hangs":
        time.sleep(600)
    print(json.dumps(dict(task, status="graded", score=1.0, error="", seconds=0.0)), flush=True)
"""


def test_a_dying_or_hanging_submission_fails_alone(tmp_path, monkeypatch):
    worker = tmp_path / "fake_worker.py"
    worker.write_text(FAKE_WORKER)
    monkeypatch.setattr(LocalWorker, "command", [sys.executable, str(worker)])
    students = ["ann", "dies", "bob", "hangs", "cid", "dee"]
    for student in students:
        (tmp_path / "submitted" / student / "initialization").mkdir(parents=True)
    monkeypatch.setattr("grader.autograde.class_grading.prepare_gradebook", lambda *args: None)
    start = time.monotonic()
    results = {r["student"]: r for r in grade_class(tmp_path, ["initialization"], workers=2, timeout=5, quiet=True)}
    assert time.monotonic() - start < 60
    assert {s for s, r in results.items() if r["status"] == "graded"} == {"ann", "bob", "cid", "dee"}
    assert "died" in results["dies"]["error"] and "timed out after 5 s" in results["hangs"]["error"]
    # A rerun tries only the two that failed.
    again = grade_class(tmp_path, ["initialization"], workers=2, timeout=5, quiet=True)
    assert sorted(r["student"] for r in again) == ["dies", "hangs"]
    record = json.loads((tmp_path / LOG_DIR / "initialization" / "hangs.json").read_text())
    assert record["status"] == "failed" and record["score"] == 0


def test_class_report_names_the_commonest_mistakes(graded_course):
    paths = class_report.write(graded_course)
    assert [p.name for p in paths] == ["class_report.csv", "class_report.png", "class_report.html"]
    rows = list(csv.DictReader(open(paths[0])))
    tests = {(r["assignment"], r["test"]): r for r in rows}
    zeros = tests[("initialization", "initialize_parameters_zeros")]
    # In the small class, the blank submission fails every test with NotImplementedError.
    assert int(zeros["passed"]) < int(zeros["submissions"])
    assert "NotImplementedError" in zeros["commonest reasons for failing"]
    he = tests[("initialization", "initialize_parameters_he")]
    assert "Hint:" not in he["commonest reasons for failing"]
    assert any("Xavier" in r["commonest reasons for failing"] or "seed" in r["commonest reasons for failing"]
               for r in rows if r["assignment"] == "initialization")
    assert paths[1].read_bytes().startswith(b"\x89PNG")


def test_an_lms_zip_is_collected_and_graded(tmp_path):
    build_small_course(tmp_path, ASSIGNMENTS, lambda assignment: [])
    archive = tmp_path / "downloaded" / "initialization" / "archive"
    archive.mkdir(parents=True)
    release = (ROOT / "release" / "initialization" / "initialization.ipynb").read_bytes()
    with zipfile.ZipFile(archive / "class.zip", "w") as download:
        for student in ("alice", "bob"):
            download.writestr(f"{student}_initialization.ipynb", release)
    done = subprocess.run([sys.executable, "-m", "grader", "grade", "initialization", "--zip-collect",
                           "--root", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert collect_scores(tmp_path)["initialization"].keys() == {"alice", "bob"}


def test_a_killed_grading_process_leaves_no_scratch_behind():
    """A grading process killed without its exit handlers (a stopped Dask worker) leaves its scratch
    folders in /tmp; the next one to warm up deletes those of dead processes, and only those."""
    import os
    import subprocess
    import tempfile
    from pathlib import Path

    from grader.autograde.sandbox import remove_scratch_of_dead_graders

    dead = subprocess.Popen(["true"])
    dead.wait()
    folders = {kind: Path(tempfile.mkdtemp(prefix=f"{kind}-{pid}-"))
               for kind, pid in (("zygote", dead.pid), ("hidden-test", os.getpid()))}
    spares = Path(tempfile.gettempdir()) / f"grader-spares-{dead.pid}"
    (spares / "sandbox-x").mkdir(parents=True)
    remove_scratch_of_dead_graders()
    assert not folders["zygote"].exists() and not spares.exists()
    assert folders["hidden-test"].exists()
    folders["hidden-test"].rmdir()


def test_every_student_is_in_the_gradebook_before_a_worker_starts(tmp_path, monkeypatch):
    """Two workers grading one student's two assignments at once must not both enter the student:
    one would fail on the gradebook's unique key and that notebook's grades would be lost."""
    from nbgrader.api import Gradebook

    from grader.autograde.gradebook import default_db_url

    build_small_course(tmp_path, ["initialization"], lambda a: [])
    for student in ("ann", "bob"):
        (tmp_path / "submitted" / student / "initialization").mkdir(parents=True)
    seen = []

    def run_local(tasks, workers, timeout, on_result):
        with Gradebook(default_db_url(tmp_path), course_id="improving-deep-neural-networks") as book:
            seen.extend(sorted(student.id for student in book.students))
    monkeypatch.setattr("grader.autograde.class_grading.run_local", run_local)
    grade_class(tmp_path, ["initialization"], quiet=True)
    assert seen == ["ann", "bob"]
