"""nbgrader preprocessors that run hidden tests outside the student's kernel.

Autograde runs the student's notebook in a kernel the student's code
controls: it can redefine np.allclose, print or the course's helpers before a
test cell runs. So the hidden part of each test cell is taken out before the
kernel runs the notebook (HideHiddenTests) and run afterwards, one cell at a
time, in a fresh process that sees only the notebook's definitions
(RunHiddenTestsApart, grader/hidden_runner.py). The cell's outputs are then
what that process said: nothing when the tests pass, the failure message
when they fail, which nbgrader scores as usual.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Integer

from .assignments import ROOT

HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS[^\n]*\n(.*?)^[ \t]*### END HIDDEN TESTS[^\n]*\n?", re.S | re.M)
MEMORY_LIMIT = 4 * 1024 ** 3  # bytes of address space for a hidden test's process


def nbgrader_meta(cell):
    return cell.metadata.get("nbgrader", {})


class HideHiddenTests(NbGraderPreprocessor):
    """Before the kernel runs: keep each test cell's hidden tests aside."""

    def preprocess(self, nb, resources):
        hidden = resources.setdefault("hidden_tests", {})
        for cell in nb.cells:
            meta = nbgrader_meta(cell)
            if cell.cell_type == "code" and meta.get("grade") and HIDDEN.search(cell.source):
                hidden[meta["grade_id"]] = cell.source
                cell.source = HIDDEN.sub("", cell.source)
        return nb, resources


class RunHiddenTestsApart(NbGraderPreprocessor):
    """After the kernel ran: run each hidden test in its own fresh, limited process."""

    timeout = Integer(120, help="Seconds a hidden test may run before it fails.").tag(config=True)

    def preprocess(self, nb, resources):
        hidden = resources.get("hidden_tests", {})
        provided = [c.source for c in nb.cells if c.cell_type == "code"
                    and nbgrader_meta(c).get("locked") and not nbgrader_meta(c).get("grade")]
        student = [c.source for c in nb.cells if c.cell_type == "code" and nbgrader_meta(c).get("solution")]
        tests = {grade_id: "\n".join(HIDDEN.search(source).group(1).splitlines())
                 for grade_id, source in hidden.items()}
        verdicts = self.run_apart({"provided": provided, "student": student, "tests": tests}) if tests else {}
        for cell in nb.cells:
            grade_id = nbgrader_meta(cell).get("grade_id")
            if grade_id in hidden:
                cell.source = hidden[grade_id]
                if not verdicts[grade_id]["passed"]:
                    cell.outputs.append(failure_output(verdicts[grade_id]["message"]))
        return nb, resources

    def run_apart(self, job):
        """{grade_id: verdict} of every test of the job, each run apart from the others."""
        job = {**job, "timeout": self.timeout}
        crashed = {"passed": False, "message": "the process running the hidden tests failed"}
        with tempfile.TemporaryDirectory(prefix="hidden-test-") as scratch:
            env = {"PATH": os.environ.get("PATH", ""), "HOME": scratch, "MPLBACKEND": "Agg",
                   "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
                   **{k: v for k, v in os.environ.items() if k.startswith("OPENBLAS_") and k != "OPENBLAS_NUM_THREADS"}}
            try:
                done = subprocess.run([sys.executable, "-I", "-c", RUNNER], input=json.dumps(job),
                                      capture_output=True, text=True, cwd=scratch, env=env,
                                      timeout=self.timeout * (len(job["tests"]) + 1), preexec_fn=limit_resources)
            except subprocess.TimeoutExpired:
                return {grade_id: crashed for grade_id in job["tests"]}
        try:
            return json.loads(done.stdout.strip().splitlines()[-1])
        except (IndexError, ValueError):
            return {grade_id: crashed for grade_id in job["tests"]}


# -I isolates the runner from the environment and the working directory;
# the course root is put on sys.path explicitly, and nothing else.
RUNNER = f"import sys; sys.path.insert(0, {str(ROOT)!r}); from grader.hidden_runner import main; main()"


def limit_resources():
    import resource
    os.setsid()
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_FSIZE, (16 * 1024 ** 2, 16 * 1024 ** 2))


def failure_output(message):
    lines = message.splitlines()
    return NotebookNode(output_type="error", ename="HiddenTestFailure", evalue=message,
                        traceback=[f"HiddenTestFailure: {lines[0]}"] + lines[1:])


def autograde_preprocessors():
    """nbgrader's autograde chain with the hidden tests moved out of the kernel."""
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, Execute, IgnorePattern,
                                        LimitOutput, SaveAutoGrades)
    return [HideHiddenTests, Execute, RunHiddenTestsApart, IgnorePattern, ClearMetadataPreprocessor,
            LimitOutput, SaveAutoGrades, AssignLatePenalties, CheckCellMetadata]
