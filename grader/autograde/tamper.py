"""Checks that hold whatever the sandbox: what decides a grade cannot change behind the grader's back.

Student code that gets out of a weak sandbox runs as the instructor. What it could change
to grade later notebooks wrongly is the grader's code and data (grader/, utils/,
testcases/, source/), the course's nbgrader_config.py and release, a start-up file of the
Python environment (a .pth runs in every grading process), or the test cells stored in the
gradebook; and it could write scores into the gradebook. So a grading run
(class_grading.grade_class):

- refuses to start while the environment holds a start-up file no installed package ships
  (`unexpected_startup_files`);
- takes a snapshot of all of the above before the first submission and compares it after
  every task and at the end, and stops at the first difference (`Watch`);
- keeps the scores each notebook's grading computed, recorded in the grading process, where no
  student code runs (`RecordAutoGrades`), and after the last task writes them back over any the
  gradebook no longer holds (`Watch.finish`); a submission whose gradebook scores changed after
  its run ended is graded again by the next (`Watch.stale`).
"""
import base64
import contextlib
import datetime
import hashlib
import json
import os
import site
import time
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace

from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader.utils import determine_grade, is_grade

from grader.assignments import ROOT
from grader.autograde.gradebook import default_db_url

REPOSITORY_WATCHED = ("grader", "utils", "testcases", "source")
COURSE_WATCHED = ("source", "release")  # the course's folders of the graded assignments
STARTUP_MODULES = ("sitecustomize.py", "usercustomize.py")
OWN_PTH = "course_root.pth"  # `make env` writes it: one line, this repository
TAMPER_LOG = "tampering.log"
# ext4 stamps ctime in coarse ticks: a file changed this recently may change again within the
# same tick unseen, so it is hashed again at each check instead of trusted by its stat.
SETTLED_SECONDS = 2.0


class GradingStopped(RuntimeError):
    """Grading refused to start or stopped: what it relies on changed. `results`: the tasks that ended."""

    def __init__(self, message, results=()):
        super().__init__(message)
        self.results = list(results)


# ----- files -------------------------------------------------------------------------

_digests = {}


def digest(path, info=None):
    """sha256 of a file's content; unchanged (inode, size, mtime, ctime) keeps a settled file's earlier one,
    since no one but root can set a ctime back."""
    info = info or os.stat(path)
    key = (info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
    known = _digests.get(path)
    if known and known[0] == key:
        return known[1]
    with open(path, "rb") as stream:
        value = hashlib.sha256(stream.read()).hexdigest()
    if time.time() - info.st_ctime > SETTLED_SECONDS:
        _digests[path] = (key, value)
    return value


def tree(top, found=None):
    """Every file and symlink under `top` but Python's caches: path -> digest (a link to a folder: its target)."""
    found = {} if found is None else found
    with contextlib.suppress(FileNotFoundError, NotADirectoryError), os.scandir(top) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if entry.name != "__pycache__":
                    tree(entry.path, found)
            elif entry.is_file():
                found[entry.path] = digest(entry.path, entry.stat())
            elif entry.is_symlink():
                found[entry.path] = "link to " + os.readlink(entry.path)
    return found


def site_directories():
    """The folders whose .pth files every Python process of this environment runs at start."""
    folders = list(site.getsitepackages()) + ([site.getusersitepackages()] if site.ENABLE_USER_SITE else [])
    return [Path(folder) for folder in dict.fromkeys(folders) if Path(folder).is_dir()]


def startup_files(folder):
    with os.scandir(folder) as entries:
        return sorted(Path(entry.path) for entry in entries
                      if entry.name.endswith(".pth") or entry.name in STARTUP_MODULES)


def watched_files(root, assignments, repository=None, sites=None):
    """label -> digest of every file watched (labels: paths in the repository, else absolute)."""
    repository, course = str(Path(repository or ROOT).resolve()), str(Path(root).resolve())
    files = {}
    for name in REPOSITORY_WATCHED:
        files.update(tree(os.path.join(repository, name)))
    for name in COURSE_WATCHED:
        for assignment in assignments:
            files.update(tree(os.path.join(course, name, assignment)))
    for config in {os.path.join(repository, "nbgrader_config.py"), os.path.join(course, "nbgrader_config.py")}:
        if os.path.isfile(config):
            files[config] = digest(config)
    for folder in site_directories() if sites is None else sites:
        files.update({str(path): digest(str(path)) for path in startup_files(folder)})
    inside = repository + os.sep
    return {path.removeprefix(inside): value for path, value in files.items()}


# ----- start-up files ------------------------------------------------------------------

def unexpected_startup_files(sites=None):
    """The environment's start-up files (.pth, sitecustomize) that no installed package's RECORD lists with
    their content, other than `make env`'s course_root.pth naming the repository this code runs from."""
    repository = Path(__file__).resolve().parents[2]
    found = []
    for folder in site_directories() if sites is None else sites:
        shipped = shipped_startup_files(folder)
        for path in startup_files(folder):
            if path.name == OWN_PTH and names_only(path, repository):
                continue
            if path.name not in shipped or shipped[path.name] not in (None, record_hash(path, shipped[path.name])):
                found.append(path)
    return found


def shipped_startup_files(folder):
    """name -> (hash mode, value) or None, of the start-up files the distributions installed in `folder` list."""
    from importlib.metadata import distributions

    shipped = {}
    for distribution in distributions(path=[str(folder)]):
        for file in distribution.files or ():
            if len(file.parts) == 1 and (file.suffix == ".pth" or file.name in STARTUP_MODULES):
                shipped[file.name] = (file.hash.mode, file.hash.value) if file.hash else None
    return shipped


def record_hash(path, recorded):
    """A file's hash as a RECORD writes it (urlsafe base64, no padding), in the recorded hash's mode."""
    mode = recorded[0] if recorded else "sha256"
    value = base64.urlsafe_b64encode(hashlib.new(mode, path.read_bytes()).digest()).rstrip(b"=").decode()
    return (mode, value)


def names_only(path, repository):
    """Whether a .pth holds one line, a folder that is `repository` (a line starting with import would run)."""
    lines = [line.strip() for line in path.read_text(errors="replace").splitlines() if line.strip()]
    return len(lines) == 1 and not lines[0].startswith("import") and Path(lines[0]).resolve() == repository


def refuse_unexpected_startup_files():
    found = unexpected_startup_files()
    if found:
        raise GradingStopped("grading refused: " + ", ".join(map(str, found)) + (
            " is" if len(found) == 1 else " are") + " a start-up file of the Python environment that no installed "
            "package ships; every grading process would run it. Look at it and delete it (or rebuild the "
            "environment: rm -r .venv && make env), then grade again")


# ----- the gradebook -------------------------------------------------------------------

@lru_cache(maxsize=None)
def engine(url):
    """One engine per gradebook (its compiled queries kept), no pool: no connection stays open after a check."""
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    return create_engine(url, poolclass=NullPool, connect_args={"timeout": 60} if url.startswith("sqlite") else {})


def gradebook_url(root):
    """The course's gradebook (a course without nbgrader_config.py has none worth reading: root/gradebook.db)."""
    if (Path(root) / "nbgrader_config.py").is_file():
        return default_db_url(root)
    return f"sqlite:///{Path(root) / 'gradebook.db'}"


def has_gradebook(url):
    return not url.startswith("sqlite:///") or Path(url.removeprefix("sqlite:///").split("?")[0]).is_file()


def tables():
    """nbgrader's gradebook tables (plain SQL rows cost a third of ORM objects: a check runs after every task)."""
    from nbgrader import api

    return SimpleNamespace(**{name: getattr(api, model).__table__ for name, model in (
        ("assignment", "Assignment"), ("notebook", "Notebook"), ("cell", "BaseCell"), ("grade_cell", "GradeCell"),
        ("solution_cell", "SolutionCell"), ("source_cell", "SourceCell"), ("grade", "Grade"),
        ("submission", "SubmittedAssignment"), ("submitted_notebook", "SubmittedNotebook"))})


def rows(url, query):
    if not has_gradebook(url):
        return []
    with engine(url).connect() as connection:
        return connection.execute(query).all()


def stored_cells(url, assignments):
    """label -> fields of every cell the gradebook keeps of `assignments` (what autograde restores and scores by)."""
    from sqlalchemy import select

    t = tables()

    def of_notebooks(*columns):
        return (select(t.assignment.c.name, t.notebook.c.name, *columns)
                .select_from(t.notebook.join(t.assignment, t.notebook.c.assignment_id == t.assignment.c.id))
                .where(t.assignment.c.name.in_(list(assignments))))
    in_notebook = t.cell.c.notebook_id == t.notebook.c.id
    cells = {}

    def fields(assignment, notebook, name):
        return cells.setdefault(f"the gradebook's cell {assignment}/{notebook}/{name}", {})
    for *where, points, kind in rows(url, of_notebooks(t.cell.c.name, t.grade_cell.c.max_score, t.grade_cell.c.cell_type)
                                     .join(t.cell, in_notebook).join(t.grade_cell, t.grade_cell.c.id == t.cell.c.id)):
        fields(*where).update(points=points, graded=kind)
    for where in rows(url, of_notebooks(t.cell.c.name).join(t.cell, in_notebook)
                      .join(t.solution_cell, t.solution_cell.c.id == t.cell.c.id)):
        fields(*where)["solution"] = True
    source = t.source_cell.c
    for *where, text, checksum, locked, kind in rows(url, of_notebooks(source.name, source.source, source.checksum,
                                                                       source.locked, source.cell_type)
                                                     .join(t.source_cell, source.notebook_id == t.notebook.c.id)):
        fields(*where).update(source=hashlib.sha256((text or "").encode()).hexdigest(), checksum=checksum,
                              locked=locked, type=kind)
    return cells


def stored_scores(url, assignments):
    """(assignment, student, notebook, cell) -> (auto_score, manual_score, extra_credit) of every grade."""
    from sqlalchemy import select

    t = tables()
    query = (select(t.assignment.c.name, t.submission.c.student_id, t.notebook.c.name, t.cell.c.name,
                    t.grade.c.auto_score, t.grade.c.manual_score, t.grade.c.extra_credit)
             .select_from(t.grade
                          .join(t.submitted_notebook, t.grade.c.notebook_id == t.submitted_notebook.c.id)
                          .join(t.notebook, t.submitted_notebook.c.notebook_id == t.notebook.c.id)
                          .join(t.submission, t.submitted_notebook.c.assignment_id == t.submission.c.id)
                          .join(t.assignment, t.submission.c.assignment_id == t.assignment.c.id)
                          .join(t.cell, t.grade.c.cell_id == t.cell.c.id))
             .where(t.assignment.c.name.in_(list(assignments))))
    return {tuple(row[:4]): tuple(row[4:]) for row in rows(url, query)}


# ----- snapshots ------------------------------------------------------------------------

def take_snapshot(root, db_url, assignments, repository=None, sites=None):
    """label -> digest or fields of everything that decides a grade besides the submission itself."""
    snapshot = watched_files(root, assignments, repository, sites)
    snapshot.update(stored_cells(db_url or gradebook_url(root), assignments))
    return snapshot


def differences(before, after):
    """(label, how it changed) of each difference between two snapshots."""
    found = []
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if old is None or new is None:
            found.append((key, f"{key} {'appeared' if old is None else 'was removed'}"))
        elif isinstance(old, dict):
            fields = sorted(name for name in old.keys() | new.keys() if old.get(name) != new.get(name))
            found.append((key, f"{key} changed ({', '.join(fields)})"))
        else:
            found.append((key, f"{key} changed"))
    return found


def changes(before, after):
    """What differs between two snapshots, one sentence each."""
    return [text for _, text in differences(before, after)]


def remedy(key, text):
    if key.startswith("the gradebook's cell "):
        assignment = key.removeprefix("the gradebook's cell ").split("/")[0]
        return f"enter its cells again from source/ (nbgrader generate_assignment {assignment} --force, in the course)"
    if text.endswith("appeared"):
        return "delete it"
    if key.endswith(".pth") or os.path.basename(key) in STARTUP_MODULES:
        return "restore it or rebuild the environment (rm -r .venv && make env)"
    if not os.path.isabs(key):  # in the repository
        return f"restore it (git checkout {key.split('/')[0] + '/' if '/' in key else key})"
    return "restore it"


def stop_message(found, who):
    return "\n".join(f"{text} while grading (by {who}): grading stopped; {remedy(key, text)} and grade again"
                     for key, text in found)


# ----- scores ----------------------------------------------------------------------------

COMPUTED = {}  # (assignment, student) -> {notebook: {grade cell: auto_score}}, in the grading process


class RecordAutoGrades(NbGraderPreprocessor):
    """Right after SaveAutoGrades, the score it wrote for each grade cell, kept in this process: the
    gradebook can be written by anyone the instructor's account lets in, this process's memory cannot."""

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        scores = COMPUTED.setdefault((info["assignment"], info["student"]), {}).setdefault(info["notebook"], {})
        for cell in nb.cells:
            if is_grade(cell):
                scores[cell.metadata["nbgrader"]["grade_id"]] = determine_grade(cell, self.log)[0]
        return nb, resources


def recording_scores(chain):
    """An autograde chain with RecordAutoGrades right after its SaveAutoGrades (none: unchanged)."""
    chain = list(chain)
    names = [getattr(step, "__name__", str(step)).rsplit(".", 1)[-1] for step in chain]
    if "SaveAutoGrades" not in names or RecordAutoGrades in chain:
        return chain
    at = names.index("SaveAutoGrades") + 1
    return chain[:at] + [RecordAutoGrades] + chain[at:]


def record_scores_in(config):
    """Record the scores in the autograde chain `config` sets (else nbgrader's own)."""
    from nbgrader.converters import Autograde

    chain = (config.Autograde.autograde_preprocessors if "autograde_preprocessors" in config.Autograde
             else Autograde.class_traits()["autograde_preprocessors"].default_value)
    config.Autograde.autograde_preprocessors = recording_scores(chain)


def same(a, b):
    return a == b or a is not None and b is not None and abs(a - b) < 1e-9


def shown(score):
    return "nothing" if score is None else f"{score:g}"


def score_differences(computed, stored, assignment, student):
    """(notebook, cell, stored auto_score, computed) where the gradebook holds another score than was computed."""
    found = []
    for notebook, cells in computed.items():
        for cell, score in cells.items():
            grade = stored.get((assignment, student, notebook, cell))
            if grade is not None and not same(grade[0], score):
                found.append((notebook, cell, grade[0], score))
    return found


def write_back(url, assignment, student, found):
    """Write the computed auto_scores over the gradebook's; the submission's score after."""
    from nbgrader.api import Gradebook

    with Gradebook(url) as book:
        for notebook, cell, _, score in found:
            book.find_grade(cell, notebook, assignment, student).auto_score = score
        book.db.commit()
        return book.find_submission(assignment, student).score


def other_changes(before, after, result):
    """Manual scores and extra credit of this submission that changed during the run: reported, not repaired
    (an instructor may have set them in formgrader meanwhile)."""
    found = []
    for key, now in after.items():
        if key[:2] == (result["assignment"], result["student"]) and key[3] in result["computed"].get(key[2], {}):
            old = before.get(key, (None, None, None))
            for index, name in ((1, "manual score"), (2, "extra credit")):
                if not same(old[index], now[index]):
                    found.append(f"{key[3]}: its {name} changed during grading ({shown(old[index])} -> "
                                 f"{shown(now[index])}): left as it is; check it in formgrader")
    return found


# ----- the run's guard -------------------------------------------------------------------

class Watch:
    """The snapshot taken before a run's first submission, checked after every task and at the end.

    The files are compared after every task (2-6 ms); the gradebook's cells (5-10 ms, more on a busy
    server) at most once a second and at the end, and when they changed, every task that ended since
    their last check counts as failed too."""

    CELLS_EVERY = 1.0

    def __init__(self, root, db_url, assignments):
        self.root, self.assignments = str(root), list(assignments)
        self.url = db_url or gradebook_url(root)
        self.files = watched_files(self.root, self.assignments)
        self.cells = stored_cells(self.url, self.assignments)
        self.scores_before = stored_scores(self.url, self.assignments)
        self.stopped, self.cells_checked, self.unchecked = "", time.monotonic(), []

    def compare(self, who, cells=True):
        """Stop (and say why) if anything changed; whether the gradebook's cells were compared too."""
        found = differences(self.files, watched_files(self.root, self.assignments))
        cells = cells or bool(found) or time.monotonic() - self.cells_checked >= self.CELLS_EVERY
        changed_cells = differences(self.cells, stored_cells(self.url, self.assignments)) if cells else []
        if cells:
            self.cells_checked = time.monotonic()
        if found or changed_cells:
            self.stopped = stop_message(found + changed_cells, who)
            self.log([self.stopped])
        if changed_cells:
            self.fail(self.unchecked, recorded=True)
        return cells

    def check(self, result):
        """After a task, before it is recorded (under the caller's lock): whether grading may go on. A task
        that ends once something changed counts as failed, so that the next run grades it again."""
        if not self.stopped:
            who = f"the submission of {result['student']}/{result['assignment']} or one graded at the same time"
            self.unchecked = [] if self.compare(who, cells=False) else self.unchecked + [result]
        if self.stopped:
            self.fail([result])
        return not self.stopped

    def fail(self, results, recorded=False):
        from grader.autograde.class_grading import record

        for result in results:
            result.update(status="failed", error="grading stopped: " + self.stopped.splitlines()[0])
            if recorded:
                record(dict(result, score=0))

    def finish(self, results):
        """After the last task: compare once more, repair the scores, and raise if grading stopped."""
        if not self.stopped:
            self.compare("a submission graded in this run, or a process one of them left running")
        self.repair(results)
        if self.stopped:
            raise GradingStopped(self.stopped, results)

    def repair(self, results):
        from grader.autograde.class_grading import record

        after = stored_scores(self.url, self.assignments)
        for result in results:
            if result["status"] != "graded" or not result.get("computed"):
                continue
            found = score_differences(result["computed"], after, result["assignment"], result["student"])
            notes = [f"{cell}: gradebook said {shown(old)}, grading computed {shown(new)}: repaired"
                     for _, cell, old, new in found]
            notes += other_changes(self.scores_before, after, result)
            if found:
                result["score"] = write_back(self.url, result["assignment"], result["student"], found)
            if notes:
                result["tampered"] = notes
                record(result)
                self.log([f"{result['student']}/{result['assignment']}: {note}" for note in notes])

    def stale(self, tasks):
        """Of the tasks already graded, those whose gradebook scores are no longer those their logged grading
        computed (written after that run ended): they are graded again."""
        from grader.autograde.class_grading import log_path

        stored, again = stored_scores(self.url, self.assignments), []
        for task in tasks:
            try:
                logged = json.loads(log_path(self.root, task["assignment"], task["student"]).read_text())
            except (OSError, ValueError):
                continue
            found = score_differences(logged.get("computed") or {}, stored, task["assignment"], task["student"])
            if found:
                again.append(task)
                self.log([f"{task['student']}/{task['assignment']}: {cell}: gradebook said {shown(old)}, its grading "
                          f"computed {shown(new)}: graded again" for _, cell, old, new in found])
        return again

    def log(self, lines):
        from grader.autograde.class_grading import LOG_DIR

        path = Path(self.root) / LOG_DIR / TAMPER_LOG
        path.parent.mkdir(exist_ok=True)
        stamp = datetime.datetime.now().isoformat(timespec="seconds")
        with open(path, "a") as stream:
            stream.writelines(f"{stamp} {line}\n" for text in lines for line in text.splitlines())
