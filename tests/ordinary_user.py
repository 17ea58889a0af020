"""A course graded by an ordinary Linux user: the harness of tests/test_ordinary_user.py.

CI runs as root; the instructor here does not. The harness makes an ordinary
user (`course-instructor`, home 0700), puts the course in ~/course as it would
be on that user's machine (the repository's tracked files and release/, owned
by that user, with a copy of this repository's .venv relocated into it, as
`make` would have built it), lays out a class in ~/course/submitted/ and runs
commands as that user with a clean environment.

    instructor = make_instructor()            # the user, idempotent (root only)
    course = instructor.fresh_course()        # ~/course rebuilt from scratch, home reset
    write_class(course, "initialization", students)
    result = instructor.run(["python", "-m", "grader", "grade", ...], cwd=course)

Fixture: `ordinary_instructor` (session scope; skips unless root). Nothing in
here runs code of the course's or of a student's as root: the gradebook is read
with sqlite3, never through nbgrader_config.py (a student may have written into it).
"""
import contextlib
import grp
import hashlib
import os
import pwd
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from grader.assignments import ROOT
from grader.course.example_class import write_submission

USER = "course-instructor"
SOURCE_VENV = ROOT / ".venv"
OUTPUTS = ("autograded", "feedback", "grading_log", "gradebook.db", "grades.csv")


def is_root():
    return os.geteuid() == 0


# ----- the user -------------------------------------------------------------------

def ensure_user(name=USER):
    """The ordinary user `name` with a home of its own (mode 0700); created if missing."""
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", "--user-group", name],
                       check=True, capture_output=True)
        entry = pwd.getpwnam(name)
    home = Path(entry.pw_dir)
    home.mkdir(mode=0o700, exist_ok=True)
    os.chown(home, entry.pw_uid, entry.pw_gid)
    home.chmod(0o700)
    return entry


def open_search_path(target):
    """Search permission (o+x, never read) on every folder above `target`: pyenv's Python lives under
    /root (0700 by default), as grader.autograde.sandbox.open_python_path does for its users."""
    target = Path(os.path.realpath(target))
    for folder in [*reversed(target.parents), target]:
        mode = folder.stat().st_mode
        if folder.is_dir() and not mode & 0o001:
            folder.chmod(mode | 0o001)


def clean_env(entry, venv=None, extra=None):
    """The environment of a fresh login of `entry`: HOME, PATH (the venv's bin first), MPLBACKEND, LANG."""
    path = ([str(venv / "bin")] if venv else []) + ["/usr/local/bin", "/usr/bin", "/bin"]
    env = {"HOME": entry.pw_dir, "USER": entry.pw_name, "LOGNAME": entry.pw_name, "SHELL": "/bin/bash",
           "PATH": ":".join(path), "MPLBACKEND": "Agg", "LANG": "C.UTF-8"}
    if venv:
        env["VIRTUAL_ENV"] = str(venv)
    if os.environ.get("GRADER_SANDBOX"):  # the tier to grade in (GRADER_SANDBOX=landlock: as if namespaces were refused)
        env["GRADER_SANDBOX"] = os.environ["GRADER_SANDBOX"]
    return {**env, **(extra or {})}


def run_as(user, argv, cwd, env=None, timeout=600):
    """Run argv as `user` (name or pwd entry) in `cwd` with exactly `env` (default: clean_env), in a
    session of its own that is killed on timeout. Returns a CompletedProcess (stdout and stderr
    together in .stdout) with .seconds; never raises on a non-zero exit. Its output goes to a file,
    not a pipe, so a process it leaves behind holding that output does not keep this waiting."""
    entry = pwd.getpwnam(user) if isinstance(user, str) else user

    def become():
        os.initgroups(entry.pw_name, entry.pw_gid)
        os.setgid(entry.pw_gid)
        os.setuid(entry.pw_uid)
        os.umask(0o022)

    start = time.monotonic()
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen([str(a) for a in argv], cwd=str(cwd), env=env or clean_env(entry),
                                   preexec_fn=become, start_new_session=True, stdin=subprocess.DEVNULL,
                                   stdout=log, stderr=subprocess.STDOUT)
        try:
            process.wait(timeout=timeout)
            note = ""
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            note = f"\n[harness: killed after {timeout} s]"
        log.seek(0)
        output = log.read().decode(errors="replace") + note
    result = subprocess.CompletedProcess(process.args, process.returncode, output, "")
    result.seconds = time.monotonic() - start
    return result


# ----- the course -----------------------------------------------------------------

def tracked_files(repo=ROOT):
    """Relative paths of the repository's files as they are in its work tree: tracked, and new ones
    not ignored (another engineer's module not committed yet), plus release/ as it is on disk."""
    listed = subprocess.run(["git", "-C", str(repo), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            check=True, capture_output=True).stdout.decode().split("\0")
    files = {name for name in listed if name}
    for path in (repo / "release").rglob("*"):
        if not path.is_dir() and "__pycache__" not in path.parts:
            files.add(str(path.relative_to(repo)))
    return sorted(f for f in files if os.path.lexists(repo / f))


def copy_tree_of(files, source, target):
    for name in files:
        origin, copy = source / name, target / name
        copy.parent.mkdir(parents=True, exist_ok=True)
        if origin.is_symlink():
            os.symlink(os.readlink(origin), copy)
        else:
            shutil.copy2(origin, copy)


def copy_course(target, commit=None, repo=ROOT):
    """The course's files into `target`: the work tree's (tracked_files), or with `commit` the
    files of that commit (git archive), release/ included as committed."""
    target.mkdir(parents=True, exist_ok=True)
    if commit:
        archive = subprocess.run(["git", "-C", str(repo), "archive", "--format=tar", commit],
                                 check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    else:
        copy_tree_of(tracked_files(repo), repo, target)


def relocate_venv(source, target, old_root=ROOT, new_root=None):
    """cp -a of the venv `source` to `target`, its absolute paths rewritten: the shebangs and scripts
    of bin/ (old venv path -> new) and site-packages/course_root.pth (old course root -> new_root).
    pyvenv.cfg keeps `home`, the base Python."""
    subprocess.run(["cp", "-a", str(source), str(target)], check=True)
    old, new = str(source).encode(), str(target).encode()
    for path in (target / "bin").iterdir():
        if path.is_symlink() or not path.is_file():
            continue
        data = path.read_bytes()
        if old in data:
            mode = path.stat().st_mode
            path.write_bytes(data.replace(old, new))
            path.chmod(mode)
    for pth in target.glob("lib/python*/site-packages/course_root.pth"):
        pth.write_text(pth.read_text().replace(str(old_root), str(new_root or target.parent)))


def file_digests(tree, skip=()):
    """Relative path -> sha256 of every file (readlink of every symlink) under `tree`, but for the
    top-level entries whose names start with one of `skip`, and __pycache__ folders."""
    found = {}
    tree = Path(tree)
    for folder, subfolders, files in os.walk(tree):
        here = Path(folder)
        subfolders[:] = [d for d in subfolders if d != "__pycache__"
                         and not (here == tree and d.startswith(tuple(skip)))]
        for name in files:
            path = here / name
            relative = str(path.relative_to(tree))
            if here == tree and name.startswith(tuple(skip)):
                continue
            found[relative] = ("-> " + os.readlink(path) if path.is_symlink()
                               else hashlib.sha256(path.read_bytes()).hexdigest())
    return found


def file_stamps(tree):
    """Relative path -> (size, mtime) of every file outside __pycache__: quick, for the 1 GB venv."""
    found = {}
    for folder, subfolders, files in os.walk(tree):
        subfolders[:] = [d for d in subfolders if d != "__pycache__"]
        for name in files:
            path = Path(folder) / name
            with contextlib.suppress(OSError):
                info = path.lstat()
                found[str(path.relative_to(tree))] = (info.st_size, info.st_mtime_ns)
    return found


def venv_stamps(tree):
    """Path -> (inode, mode, owner, size, mtime, ctime) of every entry under `tree`, __pycache__ too."""
    found = {}
    for folder, subfolders, files in os.walk(tree):
        for name in [*subfolders, *files]:
            info = (Path(folder) / name).lstat()
            found[os.path.join(folder, name)] = (info.st_ino, info.st_mode, info.st_uid, info.st_size,
                                                 info.st_mtime_ns, info.st_ctime_ns)
    return found


def changed(before, after):
    """Paths added, removed or changed between two snapshots."""
    return sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))


@dataclass
class Instructor:
    """The ordinary user that grades, and its course in ~/course."""
    entry: pwd.struct_passwd
    commit: str = None  # grade with this commit's files instead of the work tree's
    timings: dict = field(default_factory=dict)
    venv_stamps: dict = None  # the venv as fresh_course left it (kept in this process, not on disk)

    @property
    def name(self):
        return self.entry.pw_name

    @property
    def home(self):
        return Path(self.entry.pw_dir)

    @property
    def course(self):
        return self.home / "course"

    @property
    def venv(self):
        return self.course / ".venv"

    @property
    def site_packages(self):
        return next(self.venv.glob("lib/python*/site-packages"))

    def env(self, **extra):
        return clean_env(self.entry, self.venv, extra)

    def run(self, argv, cwd=None, env=None, timeout=600):
        return run_as(self.entry, argv, cwd or self.course, env or self.env(), timeout)

    def python(self, *args, **kwargs):
        return self.run([self.venv / "bin" / "python", *args], **kwargs)

    def reset_home(self):
        """An empty home, as useradd left it (the files of /etc/skel), mode 0700."""
        for entry in self.home.iterdir():
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
        skel = Path("/etc/skel")
        if skel.is_dir():
            shutil.copytree(skel, self.home, symlinks=True, dirs_exist_ok=True)
        self.give(self.home)
        self.home.chmod(0o700)

    def give(self, path):
        subprocess.run(["chown", "-R", "--no-dereference", f"{self.entry.pw_uid}:{self.entry.pw_gid}", str(path)],
                       check=True)

    def fresh_course(self, warm=True):
        """Home reset, then ~/course: the repository's files (copy_course: the work tree, or
        self.commit's), a relocated venv, all owned by the user; matplotlib's font cache built once
        as the user (as a first `make grade` would). The venv of the last fresh_course is kept if
        not a file or folder of it changed since (inode, size, times, ctime included, which its owner
        cannot set back, __pycache__ included); else it is made again (cp -a of 1 GB: the slow part)."""
        start = time.monotonic()
        keep = None
        if self.venv_stamps is not None and self.venv.is_dir() and venv_stamps(self.venv) == self.venv_stamps:
            keep = Path(tempfile.mkdtemp(prefix="ordinary-user-venv-"))  # root's, 0700, while the home goes
            self.venv.rename(keep / ".venv")
        self.reset_home()
        copy_course(self.course, self.commit)
        if keep:
            self.give(self.course)  # before the venv is back: chown would change its ctimes
            (keep / ".venv").rename(self.venv)
            keep.rmdir()
        else:
            relocate_venv(SOURCE_VENV, self.venv, ROOT, self.course)
            self.give(self.course)
        self.timings["course"] = time.monotonic() - start
        self.timings["venv"] = "kept" if keep else "copied"
        if warm:
            start = time.monotonic()
            warmed = self.python("-c", "import grader.assignments, nbgrader, matplotlib.pyplot; "
                                 "print(grader.assignments.ROOT)")
            assert warmed.returncode == 0 and warmed.stdout.strip().endswith(str(self.course)), warmed.stdout
            self.timings["warm"] = time.monotonic() - start
        self.venv_stamps = venv_stamps(self.venv)
        return self.course

    def enter_assignment(self, assignment):
        """The assignment entered in the course's gradebook (~/course/gradebook.db) from source/, as
        grading does for one it does not know, without touching release/: its cells can then be read
        before any grading."""
        scratch = Path(tempfile.mkdtemp(prefix="ordinary-user-release-"))
        os.chown(scratch, self.entry.pw_uid, self.entry.pw_gid)
        try:
            done = self.python("-m", "nbgrader", "generate_assignment", assignment, "--force",
                               f"--CourseDirectory.release_directory={scratch}", "--log-level=ERROR")
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        assert done.returncode == 0, done.stdout
        return self.course / "gradebook.db"


def make_instructor(name=USER, commit=None):
    """The ordinary user (created if missing), with search permission to the base Python."""
    entry = ensure_user(name)
    open_search_path(sys.base_prefix)
    open_search_path(os.path.realpath(sys.executable))
    return Instructor(entry, commit)


@pytest.fixture(scope="session")
def ordinary_instructor():
    if not is_root():
        pytest.skip("making an ordinary user to grade as needs root (CI runs the suite as root)")
    if not SOURCE_VENV.is_dir():
        pytest.skip(f"no {SOURCE_VENV} to relocate (make test builds it)")
    # ORDINARY_USER_COMMIT=HEAD grades with a commit's files (the "before" of work in progress).
    return make_instructor(commit=os.environ.get("ORDINARY_USER_COMMIT") or None)


# ----- the class ------------------------------------------------------------------

def write_class(course, assignment, chosen, owner=None):
    """Each Student of `chosen` (grader.course.example_class.Student) written into
    course/submitted/<student>/<assignment>/ as the example class is; given to `owner` (an Instructor)."""
    submitted = Path(course) / "submitted"
    folders = [write_submission(assignment, student, submitted) for student in chosen]
    if owner is not None:
        owner.give(submitted)
    return folders


# ----- what grading left ----------------------------------------------------------

def gradebook_rows(course, assignment):
    """{student: {test cell: (auto_score, manual_score, extra_credit)}} of every graded cell, read with
    sqlite3 (grading writes auto_score only)."""
    db = Path(course) / "gradebook.db"
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)) as connection:
        rows = connection.execute("""
            SELECT submitted_assignment.student_id, base_cell.name, grade.auto_score, grade.manual_score,
                   grade.extra_credit, grade_cells.max_score
            FROM grade
            JOIN submitted_notebook ON grade.notebook_id = submitted_notebook.id
            JOIN submitted_assignment ON submitted_notebook.assignment_id = submitted_assignment.id
            JOIN assignment ON submitted_assignment.assignment_id = assignment.id
            JOIN grade_cells ON grade.cell_id = grade_cells.id
            JOIN base_cell ON grade_cells.id = base_cell.id
            WHERE assignment.name = ?""", (assignment,)).fetchall()
    found = {}
    for student, cell, auto, manual, extra, max_score in rows:
        if max_score:
            found.setdefault(student, {})[cell] = (auto, manual, extra)
    return found


def gradebook_scores(course, assignment):
    """{student: {test cell: score}} as nbgrader counts it: a manual score overrides the autograder's,
    extra credit adds."""
    scores = {}
    for student, cells in gradebook_rows(course, assignment).items():
        for cell, (auto, manual, extra) in cells.items():
            score = manual if manual is not None else auto
            scores.setdefault(student, {})[cell] = None if score is None else score + (extra or 0)
    return scores


CELL_TABLES = ("base_cell", "grade_cells", "solution_cells", "source_cell", "task_cells", "notebook", "assignment")


def gradebook_cells(course):
    """Every row of the gradebook's tables that describe the assignment (cells, sources, checksums,
    points): grading reads them and writes none."""
    db = Path(course) / "gradebook.db"
    tables = {}
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)) as connection:
        present = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        for table in CELL_TABLES:
            if table in present:
                tables[table] = sorted(map(repr, connection.execute(f"SELECT * FROM {table}")))
    return tables


def processes_with(marker):
    """(pid, uid, command line) of every process whose command line holds `marker`, but this one."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        with contextlib.suppress(OSError):
            cmdline = Path(entry.path, "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            if marker in cmdline:
                found.append((int(entry.name), os.stat(entry.path).st_uid, cmdline.strip()))
    return found


def kill_processes_with(marker, uid):
    """SIGKILL, by pid, the processes of `uid` whose command line holds `marker` (only those the
    test's students started); returns what was killed."""
    killed = []
    for pid, owner, cmdline in processes_with(marker):
        if owner == uid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
                killed.append((pid, cmdline))
    return killed


def group_name(gid):
    return grp.getgrgid(gid).gr_name
