"""What decides a grade cannot change behind the grader's back, whatever the sandbox (grader/autograde/tamper.py).

Each tampering a student's code could do once out of a weak sandbox is done here directly, by
the test or by a stand-in worker in the middle of its task: a grader file patched, a line added
to nbgrader_config.py, a .pth file dropped into the environment, a test cell of the gradebook
rewritten with a matching checksum, a score rewritten after its grading was logged. One real
run (the fast path, three submissions) grades a student whose graded function tries two of
them for real: the sandbox stops it, or the checks do.
"""
import json
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from types import SimpleNamespace

import nbformat
import pytest
from nbgrader.utils import compute_checksum

from grader.assignments import ROOT
from grader.autograde import class_grading, tamper
from grader.autograde.class_grading import LOG_DIR, LocalWorker, grade_class, summary
from grader.autograde.gradebook import collect_scores
from grader.autograde.tamper import (GradingStopped, RecordAutoGrades, Watch, changes, recording_scores,
                                     stored_cells, take_snapshot, unexpected_startup_files, watched_files)
from grader.course import commands
from grader.course.example_class import Student
from helpers import build_small_course

ASSIGNMENT = "initialization"
CELLS = {"test_initialize_parameters_zeros": 1.0, "test_initialize_parameters_random": 2.0,
         "test_initialize_parameters_he": 2.0}

# A graded function that tries, from inside its own grading, to give every grade in the gradebook
# full marks and to change the configuration the next notebooks are graded with. Its answer is right.
ATTACKER = '''
def initialize_parameters_zeros(layers_dims):
    import sqlite3
    try:
        with open(COURSE + "/nbgrader_config.py", "a") as config:
            config.write("\\nc.Execute.timeout = 1  # a student was here\\n")
    except OSError:
        pass
    try:
        db = sqlite3.connect(COURSE + "/gradebook.db", timeout=10)
        db.execute("update grade set auto_score = (select max_score from grade_cells where grade_cells.id = grade.cell_id)")
        db.commit()
    except Exception:
        pass
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = np.zeros((layers_dims[l], layers_dims[l - 1]))
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
'''

FULL_MARKS_FOR = """
update grade set auto_score = (select max_score from grade_cells where grade_cells.id = grade.cell_id)
where notebook_id in (select submitted_notebook.id from submitted_notebook join submitted_assignment
                      on submitted_notebook.assignment_id = submitted_assignment.id
                      where submitted_assignment.student_id = ?)
"""


def give_full_marks(database, student):
    """What a process a student left running does to the gradebook, as the instructor's user."""
    with sqlite3.connect(database, timeout=60) as db:
        db.execute(FULL_MARKS_FOR, [student])


def give_extra_credit(database, student, cell, points):
    with sqlite3.connect(database, timeout=60) as db:
        db.execute(FULL_MARKS_FOR.replace("auto_score = (select max_score from grade_cells where grade_cells.id = "
                                          "grade.cell_id)", "extra_credit = ?")
                   + " and cell_id in (select id from base_cell where name = ?)", [points, student, cell])


def repository_copy(target):
    for name in tamper.REPOSITORY_WATCHED:
        shutil.copytree(ROOT / name, target / name, symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "nbgrader_config.py", target)
    return target


def gradebook_scores(course, student):
    return collect_scores(course)[ASSIGNMENT][student]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """reference, blank and the attacker graded on the fast path, one after the other; right after blank's
    grading is logged, a process it left behind gives it full marks in the gradebook, and after
    reference's, 3 points of extra credit."""
    course = tmp_path_factory.mktemp("tamper") / "course"
    attacker = Student("zz_attacker", functions={
        "initialize_parameters_zeros": ATTACKER.replace("COURSE", repr(str(course))).strip()})
    build_small_course(course, [ASSIGNMENT], lambda a: [Student("reference"), Student("blank", blank=True), attacker])
    pristine = shutil.copy(course / "gradebook.db", course.parent / "pristine.db")
    config = (course / "nbgrader_config.py").read_text()
    forged, record = [], class_grading.record

    def record_then_forge(result):
        record(result)
        if result["status"] == "graded" and result["student"] not in forged:
            forged.append(result["student"])
            if result["student"] == "blank":
                give_full_marks(course / "gradebook.db", "blank")
            elif result["student"] == "reference":
                give_extra_credit(course / "gradebook.db", "reference", "test_initialize_parameters_he", 3)
    with pytest.MonkeyPatch.context() as patch:
        # Engineers editing this repository while the test runs would stop it (rightly): a copy is watched.
        patch.setattr(tamper, "ROOT", repository_copy(course.parent / "repository"))
        patch.setattr(class_grading, "record", record_then_forge)
        patch.setenv("GRADER_ALLOW_UNSANDBOXED", "1")  # no sandbox at all: the checks alone must hold
        try:
            results, stopped = grade_class(course, [ASSIGNMENT], workers=1, fast=True, quiet=True), None
        except GradingStopped as stop:
            results, stopped = stop.results, stop
    assert forged[:2] == ["blank", "reference"]
    return SimpleNamespace(course=course, results={r["student"]: r for r in results}, stopped=stopped,
                           pristine=pristine, config=config)


def test_a_score_rewritten_after_its_grading_was_logged_is_repaired(graded):
    blank = graded.results["blank"]
    assert blank["status"] == "graded"
    assert blank["tampered"] == [f"{cell}: gradebook said {points:g}, grading computed 0: repaired"
                                 for cell, points in CELLS.items()]
    assert gradebook_scores(graded.course, "blank") == dict.fromkeys(CELLS, 0)
    assert blank["score"] == 0
    logged = json.loads((graded.course / LOG_DIR / ASSIGNMENT / "blank.json").read_text())
    assert logged["tampered"] == blank["tampered"] and logged["score"] == 0
    log = (graded.course / LOG_DIR / tamper.TAMPER_LOG).read_text()
    assert "blank/initialization: test_initialize_parameters_he: gradebook said 2, grading computed 0: repaired" in log
    assert "the gradebook scores of 2 submissions were changed behind the grader's back" in summary(
        list(graded.results.values()), 1.0)


def test_what_grading_computed_is_what_nbgrader_wrote(graded):
    """No repair where no score was rewritten: the recorded scores are exactly nbgrader's. Extra credit that
    appeared during the run is named, and left to the instructor."""
    reference = graded.results["reference"]
    assert reference["computed"] == {ASSIGNMENT: CELLS}
    assert reference["tampered"] == ["test_initialize_parameters_he: its extra credit changed during grading "
                                     "(nothing -> 3): left as it is; check it in formgrader"]
    assert gradebook_scores(graded.course, "reference") == dict(CELLS, test_initialize_parameters_he=2 + 3)


def test_a_graded_function_that_writes_the_gradebook_and_the_config_gains_nothing(graded):
    """Whatever the sandbox: either it stopped both writes, or grading stopped at the attacker and blank's
    forged full marks (the attacker's, or the process's of the fixture) were repaired."""
    config = (graded.course / "nbgrader_config.py").read_text()
    if graded.stopped is None:
        assert config == graded.config
        # It ran, and its answer was right.
        assert graded.results["zz_attacker"]["computed"][ASSIGNMENT]["test_initialize_parameters_zeros"] == 1
    else:
        assert config != graded.config
        assert (f"{graded.course}/nbgrader_config.py changed while grading (by the submission of "
                f"zz_attacker/initialization or one graded at the same time): grading stopped") in str(graded.stopped)
        assert graded.results["zz_attacker"]["status"] == "failed"
    assert gradebook_scores(graded.course, "blank") == dict.fromkeys(CELLS, 0)


def test_a_score_rewritten_after_the_run_is_graded_again_by_the_next(graded, monkeypatch):
    give_full_marks(graded.course / "gradebook.db", "blank")
    started = []
    monkeypatch.setattr(class_grading, "run_local", lambda tasks, *args: started.extend(tasks))
    monkeypatch.setenv("GRADER_ALLOW_UNSANDBOXED", "1")
    grade_class(graded.course, [ASSIGNMENT], workers=1, fast=True, quiet=True)
    assert "blank" in {task["student"] for task in started} and "reference" not in {t["student"] for t in started}
    log = (graded.course / LOG_DIR / tamper.TAMPER_LOG).read_text()
    assert "blank/initialization: test_initialize_parameters_he: gradebook said 2, its grading computed 0: graded again" in log


def test_a_test_cell_rewritten_with_its_checksum_is_seen_and_entered_again(graded, tmp_path):
    course = tmp_path / "course"
    shutil.copytree(graded.course / "source", course / "source")
    (course / "nbgrader_config.py").write_text(graded.config)
    shutil.copy(graded.pristine, course / "gradebook.db")
    url = f"sqlite:///{course / 'gradebook.db'}"
    before = stored_cells(url, [ASSIGNMENT])
    with sqlite3.connect(course / "gradebook.db") as db:
        db.execute("update source_cell set source = 'pass', checksum = ? where name = 'test_initialize_parameters_he'",
                   [forged_checksum("pass")])
        db.execute("update grade_cells set max_score = 50 where id in (select id from base_cell "
                   "where name = 'test_initialize_parameters_random')")
        db.execute("update source_cell set locked = 0 where name = 'test_initialize_parameters_zeros'")
    cell = f"the gradebook's cell {ASSIGNMENT}/{ASSIGNMENT}/test_initialize_parameters_"
    assert changes(before, stored_cells(url, [ASSIGNMENT])) == [
        cell + "he changed (checksum, source)", cell + "random changed (points)", cell + "zeros changed (locked)"]
    # The remedy the stop message gives.
    subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", ASSIGNMENT, "--force",
                    "--log-level=ERROR"], cwd=course, check=True, capture_output=True)
    assert changes(before, stored_cells(url, [ASSIGNMENT])) == []


def forged_checksum(source):
    cell = nbformat.v4.new_code_cell(source, metadata={"nbgrader": {
        "grade": True, "grade_id": "test_initialize_parameters_he", "points": 2, "solution": False, "locked": True}})
    return compute_checksum(cell)


def test_the_snapshot_names_each_change_of_the_files(tmp_path):
    repository, course, site_dir = tmp_path / "repository", tmp_path / "course", tmp_path / "site-packages"
    shutil.copytree(ROOT / "grader", repository / "grader", ignore=shutil.ignore_patterns("__pycache__"))
    (repository / "nbgrader_config.py").write_text("c = get_config()\n")
    (course / "source" / ASSIGNMENT).mkdir(parents=True)
    (course / "source" / ASSIGNMENT / "helper.py").write_text("x = 1\n")
    (course / "nbgrader_config.py").write_text("c = get_config()\n")
    site_dir.mkdir()
    (site_dir / "course_root.pth").write_text(f"{repository}\n")

    def snapshot():
        return take_snapshot(course, f"sqlite:///{tmp_path / 'none.db'}", [ASSIGNMENT], repository, [site_dir])
    before = snapshot()
    assert changes(before, snapshot()) == []
    with open(repository / "grader" / "initialization.py", "a") as patched:
        patched.write("\ncheck_he = lambda function: None\n")
    (repository / "grader" / "checking.py").unlink()
    (repository / "grader" / "extra.py").write_text("")
    (repository / "grader" / "autograde" / "__pycache__").mkdir()
    (repository / "grader" / "autograde" / "__pycache__" / "tamper.cpython-311.pyc").write_bytes(b"cache")
    for config in (repository / "nbgrader_config.py", course / "nbgrader_config.py"):
        config.write_text(config.read_text() + "c.Execute.timeout = 1\n")
    (course / "source" / ASSIGNMENT / "helper.py").write_text("x = 2\n")
    (site_dir / "evil.pth").write_text("import os; os.system('true')\n")
    (site_dir / "course_root.pth").write_text(f"{repository}\nimport os\n")
    assert sorted(changes(before, snapshot())) == sorted([
        "grader/initialization.py changed", "grader/checking.py was removed", "grader/extra.py appeared",
        "nbgrader_config.py changed", f"{course}/nbgrader_config.py changed",
        f"{course}/source/{ASSIGNMENT}/helper.py changed",
        f"{site_dir}/evil.pth appeared", f"{site_dir}/course_root.pth changed"])


def test_checking_after_a_task_costs_a_few_milliseconds(graded):
    """The files (the repository's grader/, utils/, testcases/, source/, the course's, the .pth files)
    after every task; the gradebook's cells at most once a second."""
    def median_ms(check):
        times = []
        for _ in range(15):
            start = time.perf_counter()
            check()
            times.append(time.perf_counter() - start)
        return statistics.median(times) * 1000
    files = median_ms(lambda: watched_files(graded.course, [ASSIGNMENT]))
    cells = median_ms(lambda: stored_cells(f"sqlite:///{graded.course / 'gradebook.db'}", [ASSIGNMENT]))
    print(f"files {files:.1f} ms, gradebook cells {cells:.1f} ms")
    assert files < 50 and cells < 100, (files, cells)


def dist_info(site_dir, name, files):
    """An installed distribution whose RECORD lists `files` (name -> content) with their hashes."""
    info = site_dir / f"{name}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    lines = []
    for file, text in files.items():
        (site_dir / file).write_text(text)
        lines.append(f"{file},{'='.join(tamper.record_hash(site_dir / file, None))},{len(text)}")
    (info / "RECORD").write_text("\n".join(lines + [f"{info.name}/RECORD,,"]) + "\n")


def test_a_startup_file_no_package_ships_is_refused(tmp_path, monkeypatch):
    site_dir = tmp_path / "site-packages"
    site_dir.mkdir()
    dist_info(site_dir, "shipping", {"shipping.pth": "import shipping\n"})
    (site_dir / "course_root.pth").write_text(f"{ROOT}\n")
    assert unexpected_startup_files([site_dir]) == []
    (site_dir / "evil.pth").write_text("import os\n")
    (site_dir / "sitecustomize.py").write_text("import os\n")
    (site_dir / "shipping.pth").write_text("import shipping; import os\n")
    (site_dir / "course_root.pth").write_text(f"{ROOT}\nimport os\n")
    assert unexpected_startup_files([site_dir]) == [site_dir / name for name in (
        "course_root.pth", "evil.pth", "shipping.pth", "sitecustomize.py")]
    # make env's environment passes.
    assert unexpected_startup_files() == []
    # grade_class refuses before it touches the course.
    monkeypatch.setattr(tamper, "site_directories", lambda: [site_dir])
    monkeypatch.setenv("GRADER_ALLOW_UNSANDBOXED", "1")
    (tmp_path / "course" / "submitted" / "ann" / ASSIGNMENT).mkdir(parents=True)
    with pytest.raises(GradingStopped, match=r"grading refused: .*evil\.pth.* a start-up file of the Python "
                                             r"environment that no installed package ships"):
        grade_class(tmp_path / "course", [ASSIGNMENT], workers=1, quiet=True)
    assert not (tmp_path / "course" / "gradebook.db").exists()


def test_the_scores_are_recorded_right_after_nbgrader_saves_them():
    from nbgrader.preprocessors import AssignLatePenalties, SaveAutoGrades

    from grader.autograde.preprocessors import autograde_preprocessors, fast_autograde_preprocessors

    for chain in (autograde_preprocessors(), fast_autograde_preprocessors()):
        recorded = recording_scores(chain)
        at = recorded.index(SaveAutoGrades)
        assert recorded[at + 1] is RecordAutoGrades and recorded.count(RecordAutoGrades) == 1
        assert [step for step in recorded if step is not RecordAutoGrades] == list(chain)
    assert recording_scores([AssignLatePenalties]) == [AssignLatePenalties]


# ----- tampering in the middle of a run, by a stand-in worker --------------------------------------

STUDENTS = ["a_first", "b_attacker", "c_later", "d_later"]

FAKE_WORKER = """
import json, os, sqlite3, sys, time
attack = json.loads(os.environ.get("TAMPER_TEST_ATTACK") or "{}")
for line in sys.stdin:
    task = json.loads(line)
    if task.get("warm"):
        print(json.dumps({"warm": True}), flush=True)
        continue
    time.sleep(attack.get("sleep", {}).get(task["student"], 0))
    if task["student"] == attack.get("student"):
        if "sql" in attack:
            with sqlite3.connect(attack["path"]) as db:
                db.execute(attack["sql"], attack["args"])
        else:
            with open(attack["path"], "a") as target:
                target.write(attack["text"])
    print(json.dumps(dict(task, status="graded", score=1.0, error="", seconds=0.0)), flush=True)
"""


@pytest.fixture
def stand_in(graded, tmp_path, monkeypatch):
    """A course of four submissions whose workers grade nothing, the grader's files in a copy of the repository."""
    repository, course, site_dir = tmp_path / "repository", tmp_path / "course", tmp_path / "site-packages"
    shutil.copytree(ROOT / "grader", repository / "grader", ignore=shutil.ignore_patterns("__pycache__"))
    site_dir.mkdir()
    for student in STUDENTS:
        (course / "submitted" / student / ASSIGNMENT).mkdir(parents=True)
    (course / "nbgrader_config.py").write_text("c = get_config()  # noqa: F821\n")
    shutil.copy(graded.pristine, course / "gradebook.db")
    (tmp_path / "fake_worker.py").write_text(FAKE_WORKER)
    monkeypatch.setattr(LocalWorker, "command", [sys.executable, str(tmp_path / "fake_worker.py")])
    monkeypatch.setattr(class_grading, "prepare_gradebook", lambda *args: None)
    monkeypatch.setattr(tamper, "ROOT", repository)
    monkeypatch.setattr(tamper, "site_directories", lambda: [site_dir])
    monkeypatch.setenv("GRADER_ALLOW_UNSANDBOXED", "1")
    db = course / "gradebook.db"
    return SimpleNamespace(
        course=course, repository=repository, site=site_dir, db=db,
        argv=[ASSIGNMENT, "--root", str(course), "--workers", "1", "--db-url", f"sqlite:///{db}"],
        logged=lambda: {path.stem: json.loads(path.read_text())["status"]
                        for path in (course / LOG_DIR / ASSIGNMENT).glob("*.json")})


def attacks(place):
    he = "test_initialize_parameters_he"
    return {
        "grader file": (dict(path=str(place.repository / "grader" / "initialization.py"), text="\nfail = print\n"),
                        "grader/initialization.py changed", "restore it (git checkout grader/)"),
        "course config": (dict(path=str(place.course / "nbgrader_config.py"), text="\nc.Execute.timeout = 1\n"),
                          f"{place.course}/nbgrader_config.py changed", "restore it"),
        "pth file": (dict(path=str(place.site / "evil.pth"), text="import os\n"),
                     f"{place.site}/evil.pth appeared", "delete it"),
        "gradebook cell": (dict(path=str(place.db), sql=f"update source_cell set source = 'pass', checksum = ? "
                                                        f"where name = '{he}'", args=[forged_checksum("pass")]),
                           f"the gradebook's cell {ASSIGNMENT}/{ASSIGNMENT}/{he} changed (checksum, source)",
                           f"enter its cells again from source/ (nbgrader generate_assignment {ASSIGNMENT} --force, "
                           f"in the course)"),
    }


@pytest.mark.parametrize("kind", ["grader file", "course config", "pth file", "gradebook cell"])
def test_tampering_during_a_task_stops_grading_loudly(stand_in, kind, monkeypatch, capsys):
    attack, what, remedy = attacks(stand_in)[kind]
    monkeypatch.setenv("TAMPER_TEST_ATTACK", json.dumps(dict(attack, student="b_attacker")))
    monkeypatch.setattr(Watch, "CELLS_EVERY", 0.0)
    with pytest.raises(SystemExit) as stopped:
        commands.grade(stand_in.argv)
    message = (f"{what} while grading (by the submission of b_attacker/initialization or one graded at the same "
               f"time): grading stopped; {remedy} and grade again")
    assert message in str(stopped.value.code)
    assert stand_in.logged() == {"a_first": "graded", "b_attacker": "failed"}  # the others never started
    assert f"FAILED b_attacker/initialization: grading stopped: {what}" in capsys.readouterr().out
    assert message in (stand_in.course / LOG_DIR / tamper.TAMPER_LOG).read_text()


def test_once_restored_grading_goes_on(stand_in, monkeypatch):
    patched = stand_in.repository / "grader" / "initialization.py"
    original = patched.read_text()
    attack, _, _ = attacks(stand_in)["grader file"]
    monkeypatch.setenv("TAMPER_TEST_ATTACK", json.dumps(dict(attack, student="b_attacker")))
    with pytest.raises(SystemExit):
        commands.grade(stand_in.argv)
    patched.write_text(original)
    monkeypatch.delenv("TAMPER_TEST_ATTACK")
    commands.grade(stand_in.argv)
    assert stand_in.logged() == dict.fromkeys(STUDENTS, "graded")


def test_a_task_still_running_when_grading_stops_counts_as_failed(stand_in, monkeypatch):
    """Two workers: c_later starts while b_attacker's task still runs, and ends after grading stopped."""
    attack, _, _ = attacks(stand_in)["grader file"]
    monkeypatch.setenv("TAMPER_TEST_ATTACK", json.dumps(dict(attack, student="b_attacker",
                                                             sleep={"b_attacker": 1.0, "c_later": 2.0})))
    with pytest.raises(GradingStopped):
        grade_class(stand_in.course, [ASSIGNMENT], workers=2, quiet=True, db_url=f"sqlite:///{stand_in.db}")
    assert stand_in.logged() == {"a_first": "graded", "b_attacker": "failed", "c_later": "failed"}


def test_cells_changed_between_two_checks_fail_every_task_since_the_last(stand_in, monkeypatch):
    attack, what, _ = attacks(stand_in)["gradebook cell"]
    monkeypatch.setenv("TAMPER_TEST_ATTACK", json.dumps(dict(attack, student="b_attacker")))
    monkeypatch.setattr(Watch, "CELLS_EVERY", 3600.0)
    with pytest.raises(GradingStopped) as stopped:
        grade_class(stand_in.course, [ASSIGNMENT], workers=1, quiet=True, db_url=f"sqlite:///{stand_in.db}")
    assert (f"{what} while grading (by a submission graded in this run, or a process one of them left running)"
            in str(stopped.value))
    # None of them was checked against the gradebook's cells: each is graded again by the next run.
    assert stand_in.logged() == dict.fromkeys(STUDENTS, "failed")
    assert {r["status"] for r in stopped.value.results} == {"failed"}


def test_grade_prints_each_changed_score_and_counts_them(monkeypatch, capsys, tmp_path):
    note = "test_initialize_parameters_he: gradebook said 2, grading computed 0: repaired"
    results = [{"student": "blank", "assignment": ASSIGNMENT, "status": "graded", "tampered": [note]},
               {"student": "reference", "assignment": ASSIGNMENT, "status": "graded"}]
    monkeypatch.setattr(commands, "grade_class", lambda *args, **kwargs: results)
    monkeypatch.setenv("GRADER_ALLOW_UNSANDBOXED", "1")
    commands.grade([ASSIGNMENT, "--root", str(tmp_path)])
    out = capsys.readouterr().out
    assert f"TAMPERED blank/initialization: {note}\n" in out
    assert "the gradebook scores of 1 submissions were changed behind the grader's back (see TAMPERED)" in out
