"""Root grading an instructor's course leaves nothing in it that the instructor cannot change.

An ordinary user (made here, deleted at the end) owns a small course in /tmp; root grades it
with `python -m grader grade --root`, then the user grades it again. Without the hand-over
(grader/autograde/ownership.py) root's autograded/, feedback/, grading_log/ and gradebook.db
made the user's run fail with PermissionError.
"""
import contextlib
import grp
import os
import pwd
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from helpers import ROOT, build_small_course
from grader.autograde.class_grading import prepare_gradebook
from grader.autograde.ownership import hand_over, hand_over_tree, owned_by_course_owner
from grader.course.example_class import students

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="handing files to another user needs root (CI runs as root)")

USER = "grader-owner-test"
CLASS = ["reference", "blank", "he_current_layer"]


@pytest.fixture(scope="module")
def owner():
    """(uid, gid) of an ordinary user made for these tests, deleted after them."""
    try:
        entry = pwd.getpwnam(USER)  # left by a killed run
    except KeyError:
        # A leftover group of that name (its user deleted by hand) would make --user-group fail.
        group = ["--gid", USER] if USER in {g.gr_name for g in grp.getgrall()} else ["--user-group"]
        subprocess.run(["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", *group, USER],
                       check=True, capture_output=True)
        entry = pwd.getpwnam(USER)
    try:
        yield entry.pw_uid, entry.pw_gid
    finally:
        subprocess.run(["userdel", USER], check=False, capture_output=True)
        subprocess.run(["groupdel", USER], check=False, capture_output=True)


@pytest.fixture
def scratch(owner):
    """A folder in /tmp the user owns, and a root-owned folder beside it standing for the rest of the machine."""
    top = Path(tempfile.mkdtemp(prefix="grader-owner-"))
    try:
        (top / "course").mkdir()
        (top / "outside").mkdir()
        os.chown(top, *owner)
        os.chown(top / "course", *owner)
        top.chmod(0o755)
        yield top / "course", top / "outside"
    finally:
        shutil.rmtree(top)


def owners(tree):
    """Relative path -> (uid, gid) of every entry under `tree`, symlinks not followed."""
    found = {}
    for folder, dirs, files in os.walk(tree):
        for name in dirs + files:
            path = Path(folder) / name
            info = path.lstat()
            found[str(path.relative_to(tree))] = (info.st_uid, info.st_gid)
    return found


def test_what_root_writes_in_the_course_is_handed_to_its_owner_and_nothing_outside(owner, scratch):
    course, outside = scratch
    secret = outside / "secret"
    secret.write_text("root's")
    (outside / "folder").mkdir()
    (outside / "folder" / "file").write_text("root's")
    shared = outside / "shared"
    shared.write_text("root's, linked into the course")
    with owned_by_course_owner(course):
        (course / "autograded" / "ann").mkdir(parents=True)
        (course / "autograded" / "ann" / "notebook.ipynb").write_text("{}")
        (course / "link_out").symlink_to(secret)
        (course / "folder_out").symlink_to(outside / "folder")
        os.link(shared, course / "hard_link_out")
        os.link(course / "autograded" / "ann" / "notebook.ipynb", course / "hard_link_in")
        (course / "group_kept").write_text("")
        os.chown(course / "group_kept", 0, 4242)
    got = owners(course)
    uid, gid = owner
    assert got.pop("hard_link_out") == (0, 0)
    assert got.pop("group_kept") == (uid, 4242)
    assert set(got.values()) == {(uid, gid)}, got
    assert owners(outside) == dict.fromkeys(["secret", "folder", "folder/file", "shared"], (0, 0))


def test_a_crash_and_sigterm_hand_over_too(owner, scratch):
    course, _ = scratch
    with pytest.raises(RuntimeError), owned_by_course_owner(course):
        (course / "grades.csv").write_text("")
        raise RuntimeError("a command that crashed")
    script = textwrap.dedent(f"""
        import os, signal, time
        from grader.autograde.ownership import owned_by_course_owner
        with owned_by_course_owner({str(course)!r}):
            open({str(course / "class_report.csv")!r}, "w").close()
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(30)
    """)
    stopped = subprocess.run([sys.executable, "-c", script], cwd=ROOT, timeout=60)
    assert stopped.returncode == 128 + signal.SIGTERM
    assert owners(course) == dict.fromkeys(["grades.csv", "class_report.csv"], owner)


def test_outside_paths_and_other_users_courses_are_left_alone(owner, scratch):
    course, outside = scratch
    (outside / "gradebook.db").write_text("")
    hand_over(course, outside / "gradebook.db", course / ".." / "outside" / "gradebook.db")
    assert (outside / "gradebook.db").lstat().st_uid == 0
    os.chown(course, 0, 0)  # root's own course: nothing to hand over
    (course / "feedback").mkdir()
    assert hand_over_tree(course) == []
    assert (course / "feedback").lstat().st_uid == 0


def run_as(owner, argv, home):
    env = {"HOME": str(home), "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "MPLBACKEND": "Agg",
           "LANG": "C.UTF-8"}
    return subprocess.run(argv, cwd=ROOT, env=env, user=owner[0], group=owner[1], extra_groups=[],
                          capture_output=True, text=True, timeout=300)


def test_the_owner_grades_again_after_root_graded_their_course(owner, scratch):
    course, outside = scratch
    build_small_course(course, ["initialization"], lambda a: [s for s in students(a) if s.name in CLASS])
    subprocess.run(["chown", "-R", "--no-dereference", f"{owner[0]}:{owner[1]}", str(course)], check=True)

    # The gradebook is the instructor's from its creation on, not from the end of the run, and so
    # is every journal SQLite opens for it as root (the workers'), while the run goes on.
    os.chown(course / "gradebook.db", 0, 0)  # as root's nbgrader generate_assignment leaves it
    prepare_gradebook(str(course), None, ["initialization"], CLASS)
    with contextlib.closing(sqlite3.connect(course / "gradebook.db")) as connection:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchall()
        assert {end: (course / f"gradebook.db{end}").lstat().st_uid for end in ("", "-wal", "-shm")} \
            == dict.fromkeys(("", "-wal", "-shm"), owner[0])

    grade = [sys.executable, "-m", "grader", "grade", "--root", str(course), "--fast", "--workers", "2",
             "initialization"]
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}", "MPLBACKEND": "Agg"}
    as_root = subprocess.run(grade, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert as_root.returncode == 0 and "graded 3, failed 0" in as_root.stdout, as_root.stdout + as_root.stderr
    left = owners(course)
    for written in ("autograded", "feedback", "grading_log", "gradebook.db"):
        assert written in left
    assert {path: who for path, who in left.items() if who != owner} == {}

    home = outside / "home"
    home.mkdir()
    os.chown(home, *owner)
    again = run_as(owner, [*grade, "--force"], home)
    assert again.returncode == 0 and "graded 3, failed 0" in again.stdout, again.stdout + again.stderr
