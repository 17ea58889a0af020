"""nbgrader preprocessors that run hidden tests outside the student's kernel.

Autograde runs the student's notebook in a kernel the student's code
controls: it can redefine np.allclose, print or the course's helpers before a
test cell runs. So the hidden part of each test cell is taken out before the
kernel runs the notebook (HideHiddenTests) and run afterwards, one cell at a
time, in a fresh process that sees only the notebook's definitions
(RunHiddenTestsApart, grader/autograde/hidden_runner.py). The cell's outputs are then
what that process said: nothing when the tests pass, the failure message
when they fail, which nbgrader scores as usual.
"""
import atexit
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import tempfile
from pathlib import Path

import nbformat
from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import ClearHiddenTests, Execute, NbGraderPreprocessor
from traitlets import Bool, Integer
from traitlets.config import Configurable
from nbgrader.utils import is_grade, is_locked, is_solution

from grader.assignments import ROOT
from grader.autograde.zygote import WarmProcess, Zygote
from grader.autograde.kernels import AHEAD, KERNEL_NAME, start_ahead, take_kernel
from grader.autograde.sandbox import (become_subreaper, hidden_folders, kill_orphans, kill_processes_of, limit_resources as sandbox_limits,
                                      limits_of_this_platform, private_copy, remove_scratch_of_dead_graders,
                                      require_sandbox, sandbox_home, spare_uid, tier, waiting_homes)

HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS[^\n]*\n(.*?)^[ \t]*### END HIDDEN TESTS[^\n]*\n?", re.S | re.M)


def nbgrader_meta(cell):
    return cell.metadata.get("nbgrader", {})


class HideHiddenTests(NbGraderPreprocessor):
    """Before the kernel runs: keep each test cell's hidden tests aside."""

    def preprocess(self, nb, resources):
        hidden = resources.setdefault("hidden_tests", {})
        for cell in nb.cells:
            if cell.cell_type == "code" and is_grade(cell) and HIDDEN.search(cell.source):
                hidden[nbgrader_meta(cell)["grade_id"]] = cell.source
                cell.source = HIDDEN.sub("", cell.source)
        return nb, resources


class Sandbox(Configurable):
    """Where student code may run (see grader/autograde/sandbox.py)."""

    allow_unsandboxed = Bool(False, help="Grade even where no sandbox can be had: student code then runs "
                             "as you, unconfined (it can change grades, the grader and your files).").tag(config=True)


SAID = []  # whether this process said which sandbox it uses


def check_sandbox(preprocessor):
    """Refuse to run student code unconfined unless allowed; say once per process how it is confined."""
    require_sandbox(Sandbox(parent=preprocessor).allow_unsandboxed)
    if not SAID:
        SAID.append(True)
        if tier() == "landlock":
            become_subreaper()
        preprocessor.log.warning(limits_of_this_platform())


def course_root(preprocessor):
    """The course directory nbgrader was configured with (it defaults to the working directory)."""
    return preprocessor.config.CourseDirectory.get("root") or os.getcwd()


class SandboxedExecute(Execute):
    """nbgrader's Execute in the sandbox (grader/autograde/sandbox.py), and not stopped by a dying kernel.

    nbgrader drops a whole notebook when its kernel dies (os._exit, a crash):
    here the cell that killed it gets an error saying so, a new kernel runs the
    cells above again without recording them, and grading goes on below.
    """

    max_restarts = Integer(5, help="Kernel restarts per notebook before the rest is left unrun.").tag(config=True)
    # A kernel busy freeing gigabytes may answer late on IOPub: that must not fail the notebook.
    raise_on_iopub_timeout = False
    # Its private copy is deleted and every process of its user killed afterwards: a graceful
    # shutdown (0.4 s a notebook) would keep nothing.
    shutdown_kernel = "immediate"

    def preprocess(self, nb, resources=None, km=None):
        """Run the notebook in its private copy, in a kernel started ahead of need (kernels.py)."""
        check_sandbox(self)
        folder = resources["metadata"]["path"]
        self.restarts = 0
        kernel_name = self.kernel_name or nb.metadata.get("kernelspec", {}).get("name", "python3")
        kernel = take_kernel(kernel_name, hidden_folders(course_root(self)))
        with private_copy(folder, kernel.uid, kernel.home) as copy:
            resources["metadata"]["path"] = self.copy = str(copy)
            try:
                return super().preprocess(nb, resources, kernel.km)
            finally:
                resources["metadata"]["path"] = folder
                kernel.close(self.kc)  # with what the notebook left running, before its home goes
                self.kc = self.km = None
                end_leftovers()

    async def async_start_new_kernel_client(self):
        """The kernel's client; the kernel started in its home, ahead of the notebook: move it into the copy."""
        kc = await super().async_start_new_kernel_client()
        reply = await self.async_wait_for_reply(
            kc.execute(f"__import__('os').chdir({self.copy!r})", silent=True, store_history=False))
        if reply is None or reply["content"]["status"] != "ok":
            raise RuntimeError("the kernel could not enter the submission's folder")
        return kc

    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    def preprocess_cell(self, cell, resources, index):
        if self.restarts > self.max_restarts:
            if cell.cell_type == "code":
                cell.outputs = [error_output("KernelDied", f"not run: the kernel died {self.max_restarts + 1} "
                                             "times in this notebook, so grading stopped here")]
            return cell, self.resources
        try:
            return super().preprocess_cell(cell, resources, index)
        except CellTimeoutError:
            cell.outputs.append(error_output("CellTimeoutError", "the kernel stopped answering in this cell"))
            if run_sync(self.km.is_alive)():
                return cell, self.resources
            self.restarts += 1
            if self.restarts <= self.max_restarts:
                self.restart_and_replay(index)
            return cell, self.resources
        except DeadKernelError:
            self.restarts += 1
            cell.outputs.append(error_output(
                "KernelDied", "the kernel died while running this cell (os._exit, a crash or too much "
                "memory?). The grader started a new kernel, ran the cells above again and went on."))
            if self.restarts <= self.max_restarts:
                self.restart_and_replay(index)
            return cell, self.resources

    def restart_and_replay(self, index):
        run_sync(self.km.restart_kernel)(now=True)
        self.kc.stop_channels()
        self.start_new_kernel_client()
        for earlier in self.nb.cells[:index]:
            if earlier.cell_type == "code" and not any(o.output_type == "error" for o in earlier.outputs):
                msg_id = self.kc.execute(earlier.source, silent=True, store_history=False, allow_stdin=False)
                try:
                    self.wait_for_reply(msg_id, earlier)
                except (DeadKernelError, TimeoutError):
                    return


class LimitOutputSize(NbGraderPreprocessor):
    """Keep at most `max_chars` characters of printed output per cell.

    nbgrader's LimitOutput counts lines: one 20 MB line passes it whole, into the
    graded notebook and the student's feedback.
    """

    max_chars = Integer(10_000, help="Characters of stream output kept per cell.").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        budget = self.max_chars
        for output in cell.get("outputs", []):
            if output.output_type != "stream":
                continue
            if len(output.text) > budget:
                cut = len(output.text) - budget
                output.text = output.text[:budget] + f"\n... {cut} more characters of output not kept ...\n"
            budget = max(0, budget - len(output.text))
        return cell, resources


class RunHiddenTestsApart(NbGraderPreprocessor):
    """After the kernel ran: run each hidden test in its own fresh, limited process."""

    timeout = Integer(120, help="Seconds a hidden test may run before it fails.").tag(config=True)

    def preprocess(self, nb, resources):
        check_sandbox(self)
        hidden = resources.get("hidden_tests", {})
        provided = [c.source for c in nb.cells if c.cell_type == "code"
                    and is_locked(c) and not is_grade(c)]
        student = [c.source for c in nb.cells if c.cell_type == "code" and is_solution(c)]
        tests = {grade_id: "\n".join(HIDDEN.search(source).group(1).splitlines())
                 for grade_id, source in hidden.items()}
        verdicts = self.run_apart({"provided": provided, "student": student, "tests": tests},
                                  resources["metadata"]["path"]) if tests else {}
        for cell in nb.cells:
            grade_id = nbgrader_meta(cell).get("grade_id")
            if grade_id in hidden:
                cell.source = hidden[grade_id]
                if not verdicts[grade_id]["passed"]:
                    cell.outputs.append(failure_output(verdicts[grade_id]["message"]))
        return nb, resources

    def run_apart(self, job, folder=None):
        """{grade_id: verdict} of every test of the job, the student's functions running in a
        private copy of `folder` (by default, a folder holding the course's public helpers)."""
        spare = take_spare(hidden_folders(course_root(self)))
        try:
            with contextlib.ExitStack() as stack:
                if folder is None:
                    folder = stack.enter_context(public_helpers())
                copy = stack.enter_context(private_copy(folder, spare.uid, spare.home))
                stack.callback(spare.close)  # before its home goes: nothing of the student's may still run
                job = {"timeout": self.timeout, "uid": spare.uid, "folder": str(copy), "hidden": spare.hidden,
                       "tier": tier(),
                       "spare": {"fd": spare.control.fileno(), "pid": spare.process.pid}, **job}
                return self.run_checker(job, [spare.control.fileno()])
        finally:
            spare.close()
            end_leftovers()
            start_spare(spare.hidden)  # for the next notebook: it imports while this one is finished

    def run_checker(self, job, pass_fds=()):
        """The verdicts of a forked child of this process's warm checker (started if need be)."""
        global CHECKER
        crashed = {"passed": False, "message": "the process running the hidden tests failed"}
        if CHECKER is None or not CHECKER.alive():
            CHECKER = WarmChecker()
        try:
            verdicts = CHECKER.run(job, pass_fds, self.timeout * (len(job["tests"]) + 1))
        except (OSError, ValueError, EOFError):  # out of time, or dead: the next job gets a new one
            CHECKER.close()
            CHECKER = None
            verdicts = None
        return verdicts if isinstance(verdicts, dict) else {grade_id: crashed for grade_id in job["tests"]}


def end_leftovers():
    """In the Landlock tier, kill what student code detached (handed to this process, a subreaper):
    every child of this process but its checker, its zygote and the kernel started ahead."""
    if tier() != "landlock":
        return
    keep = [helper.process.pid for helper in (CHECKER, ZYGOTE) if helper is not None]
    keep += [kernel.km.provisioner.process.pid for kernel in AHEAD.values()
             if kernel.km.provisioner is not None and kernel.km.provisioner.process is not None]
    kill_orphans(keep)


def warm_up(assignments, course, fast=False):
    """Start, before the first notebook comes, what a grading process keeps warm: the checker with
    the assignments' checks and reference solutions, the zygote, the first student process and,
    unless on the fast path, the first kernel."""
    global CHECKER
    remove_scratch_of_dead_graders()
    if tier() == "landlock":
        become_subreaper()
    if CHECKER is None or not CHECKER.alive():
        CHECKER = WarmChecker()
    CHECKER.run({"warm": list(assignments), "tests": {}}, (), 120)
    hidden = hidden_folders(course)
    if tuple(hidden) not in SPARE:
        start_spare(hidden)
    if not fast:
        start_ahead(KERNEL_NAME, hidden)


class WarmChecker(WarmProcess):
    """The checker (hidden_runner.serve) in a process of its own, started once per grading
    process: it imports the checks and reads the reference solutions once, and forks a child
    per notebook, which starts warm and takes whatever the job did with it when it exits."""

    def __init__(self):
        super().__init__(SERVER, "hidden-test-", preexec_fn=limits)
        atexit.register(self.close)

    def run(self, job, fds, timeout):
        body = json.dumps(job).encode()
        socket.send_fds(self.channel, [b"%016d" % len(body)], list(fds))
        self.channel.sendall(body)
        self.channel.settimeout(timeout)
        answer = b""
        while not answer.endswith(b"\n"):
            chunk = self.channel.recv(1 << 16)
            if not chunk:
                raise EOFError("the checker ended")
            answer += chunk
        return json.loads(answer)


CHECKER = None  # this grading process's WarmChecker


class SpareStudentProcess:
    """A student process started ahead of need, in a sandbox home of its own, as spare_uid().

    It imports numpy and matplotlib while the grading process does other work, and serves
    one notebook: the checker is handed its control socket, and it is killed afterwards,
    with everything its user runs, before the next one starts.
    """

    def __init__(self, hidden):
        self.uid, self.hidden = spare_uid(), list(hidden)
        self.home = sandbox_home(self.uid, waiting_homes())
        self.closed = False
        try:
            self.process, self.control = zygote().student_process(self.uid, self.hidden, self.home)
        except (OSError, ValueError, EOFError):  # the zygote died: once more, with a new one
            self.process, self.control = zygote(restart=True).student_process(self.uid, self.hidden, self.home)

    def close(self):
        if self.closed:
            return
        self.closed = True
        self.control.close()
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        kill_processes_of(self.uid)


SPARE = {}  # the hidden folders it was started with -> the spare student process
ZYGOTE = None  # this grading process's Zygote, the parent of its spare student processes


def zygote(restart=False):
    """This grading process's Zygote, started if need be."""
    global ZYGOTE
    if ZYGOTE is not None and (restart or not ZYGOTE.alive()):
        ZYGOTE.close()
        ZYGOTE = None
    if ZYGOTE is None:
        ZYGOTE = Zygote()
        atexit.register(ZYGOTE.close)
    return ZYGOTE


@atexit.register
def close_spares():
    for spare in SPARE.values():
        spare.close()


def start_spare(hidden):
    SPARE[tuple(hidden)] = SpareStudentProcess(hidden)


def take_spare(hidden):
    """The student process started ahead for these hidden folders, else a new one (it is used once)."""
    spare = SPARE.pop(tuple(hidden), None)
    if spare is None or spare.process.poll() is not None:
        if spare:
            spare.close()
        spare = SpareStudentProcess(hidden)
    return spare


# -I isolates the runner from the environment and the working directory;
# the course root is put on sys.path explicitly, and nothing else.
SERVER = (f"import sys; sys.path.insert(0, {str(ROOT)!r}); from grader.autograde.hidden_runner import serve; "
          "serve(int(sys.argv[1]))")


def limits():
    os.setsid()
    sandbox_limits()


@contextlib.contextmanager
def public_helpers():
    """A folder with the course's helpers that every student has (utils/, testcases/)."""
    with tempfile.TemporaryDirectory(prefix="helpers-") as scratch:
        for name in ("utils", "testcases"):
            shutil.copytree(ROOT / name, Path(scratch) / name, ignore=shutil.ignore_patterns("example_class"))
        yield scratch


def error_output(ename, message):
    lines = message.splitlines()
    return NotebookNode(output_type="error", ename=ename, evalue=message,
                        traceback=[f"{ename}: {lines[0]}"] + lines[1:])


def failure_output(message):
    return error_output("HiddenTestFailure", message)


class ClearTestCellOutputs(NbGraderPreprocessor):
    """Empty the outputs of the test cells only (the fast path keeps the student's other outputs).

    nbgrader scores a test cell by its outputs: an error the student saw there
    would cost the points, a number written there would be taken as partial
    credit. Only what the hidden tests say may be found there when it is scored.
    """

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and is_grade(cell):
            cell.outputs = []
            cell.execution_count = None
        return cell, resources


NOT_RERUN = ("**This notebook was not run again for grading.** Your points come from the hidden tests, "
             "run on your graded functions; the outputs below are your own, as you handed them in, "
             "and each test cell shows what its tests said.")


class NoteNotRerun(NbGraderPreprocessor):
    """Say at the top of the graded notebook (and so of its feedback) that the outputs are the student's."""

    def preprocess(self, nb, resources):
        nb.cells.insert(0, nbformat.v4.new_markdown_cell(NOT_RERUN))
        return nb, resources


class ClearHiddenTestsOfTestCells(ClearHiddenTests):
    """Feedback: hidden tests cleared from the test cells only. A student's cell holds the student's
    own text: a `### BEGIN HIDDEN TESTS` pasted there (with no END) made nbgrader's ClearHiddenTests
    raise, and that student got no feedback at all."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or not is_grade(cell) or is_solution(cell):
            return cell, resources
        return super().preprocess_cell(cell, resources, index)


class WrapLongLines(NbGraderPreprocessor):
    """Feedback: long output lines (a failed test's message and hint) wrap to the page instead of
    running off its right edge. Runs after CSSHTMLHeaderPreprocessor, whose CSS the page inlines."""

    css = "div.output_area pre { white-space: pre-wrap; overflow-wrap: break-word; word-break: normal; }"

    def preprocess(self, nb, resources):
        resources.setdefault("inlining", {}).setdefault("css", []).append(self.css)
        return nb, resources


def sanitize_preprocessors():
    """nbgrader's sanitizing chain, after the assignment's cells are put back (restore_cells.py)."""
    from nbgrader.preprocessors import (CheckCellMetadata, ClearOutput, DeduplicateIds, OverwriteCells,
                                        OverwriteKernelspec)

    from grader.autograde.restore_cells import RestoreCells
    return [RestoreCells, ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells, CheckCellMetadata]


def autograde_preprocessors():
    """nbgrader's autograde chain with the hidden tests moved out of the kernel."""
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, IgnorePattern,
                                        LimitOutput, SaveAutoGrades)
    return [HideHiddenTests, SandboxedExecute, RunHiddenTestsApart, IgnorePattern, ClearMetadataPreprocessor,
            LimitOutput, LimitOutputSize, SaveAutoGrades, AssignLatePenalties, CheckCellMetadata]


def fast_sanitize_preprocessors():
    """Sanitizing for the fast path: the student's outputs stay, but not under a test cell."""
    return [ClearTestCellOutputs if pp.__name__ == "ClearOutput" else pp for pp in sanitize_preprocessors()]


def fast_autograde_preprocessors():
    """The autograde chain without the kernel: the hidden tests alone decide, as they do in the full one."""
    return [NoteNotRerun] + [pp for pp in autograde_preprocessors() if pp is not SandboxedExecute]
