"""The course as students and instructors see it: JupyterLab and formgrader in Chromium.

One JupyterLab server (nbgrader's extensions included) runs on loopback over a
scratch copy of the graded example course, with its own HOME and Jupyter dirs
so no user configuration leaks in. Playwright drives Debian's chromium
(`make test` installs it; a browser is never downloaded). Screenshots of each
step go to $BROWSER_ARTIFACTS, by default tests/artifacts/ (git-ignored).
"""
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from helpers import ROOT, small_class
from grader.assignments import ASSIGNMENTS, notebook
from grader.course import example_class  # not `from`: pytest would collect its test_cell_points
from grader.course.example_class import Student, expected_scores, fill_notebook

CHROMIUM = Path("/usr/bin/chromium")
# Without the networking flags chromium keeps dialing Google services, which a
# closed network answers slowly enough to stall page loads.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(os.environ.get("BROWSER_ARTIFACTS", ROOT / "tests" / "artifacts"))
VALIDATED = "initialization"  # run filled in and validated: quick, and it plots its training runs

try:
    from playwright.sync_api import sync_playwright, expect
except ImportError:  # pragma: no cover (requirements.txt pins it)
    sync_playwright = None

pytestmark = pytest.mark.skipif(
    sync_playwright is None or not CHROMIUM.exists(),
    reason=f"needs playwright and {CHROMIUM} (`make test` installs it with apt; it could not here)")

SECOND = 1000  # Playwright counts milliseconds


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """A JupyterLab server on 127.0.0.1 serving `root`, with a token."""

    def __init__(self, root, scratch):
        self.root, self.port, self.token = root, free_port(), secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        home = scratch / "home"
        settings = scratch / "lab-settings"
        # Windowing off keeps every cell in the DOM, so cells can be counted;
        # no news or update checks on a closed network.
        write_json(settings / "@jupyterlab/notebook-extension/tracker.jupyterlab-settings",
                   {"windowingMode": "none"})
        write_json(settings / "@jupyterlab/apputils-extension/notification.jupyterlab-settings",
                   {"fetchNews": "false", "checkForUpdates": False})
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "IPYTHON", "MPLBACKEND"))}
        env.update(HOME=str(home), JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_DATA_DIR=str(home / "data"),
                   JUPYTER_RUNTIME_DIR=str(home / "runtime"), IPYTHONDIR=str(home / "ipython"),
                   PATH=f"{Path(sys.executable).parent}:{env.get('PATH', '')}")
        self.log = open(scratch / "jupyterlab.log", "w")
        # nbgrader's server extensions read nbgrader_config.py from the working directory.
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={self.port}",
             f"--IdentityProvider.token={self.token}", "--ServerApp.allow_root=True",
             f"--ServerApp.root_dir={root}", f"--LabApp.user_settings_dir={settings}",
             f"--LabApp.workspaces_dir={scratch / 'workspaces'}"],
            cwd=root, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while self.api("status") is None:
            assert self.process.poll() is None, f"JupyterLab exited; see {self.log.name}"
            assert time.monotonic() < deadline, f"JupyterLab did not start; see {self.log.name}"
            time.sleep(0.5)

    def api(self, path, method="GET"):
        request = urllib.request.Request(f"{self.url}/api/{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                body = response.read()
                return json.loads(body) if body else {}
        except OSError:
            return None

    def page_url(self, path):
        return f"{self.url}/{path}{'&' if '?' in path else '?'}token={self.token}"

    def shut_down_kernels(self):
        for kernel in self.api("kernels") or []:
            self.api(f"kernels/{kernel['id']}", method="DELETE")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def write_json(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))


@pytest.fixture(scope="module")
def course(graded_course, tmp_path_factory):
    """A copy of the graded course plus the students' folders: releases, and one filled in."""
    course = tmp_path_factory.mktemp("browser") / "course"
    shutil.copytree(graded_course, course)
    for assignment in ASSIGNMENTS:
        shutil.copytree(ROOT / "release" / assignment, course / "student" / assignment)
    filled = course / "filled" / VALIDATED
    shutil.copytree(ROOT / "release" / VALIDATED, filled)
    nbformat.write(fill_notebook(VALIDATED, Student("reference")), filled / f"{VALIDATED}.ipynb")
    return course


@pytest.fixture(scope="module")
def lab(course):
    server = Lab(course, course.parent)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, lab):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60 * SECOND)
    yield page
    context.close()
    lab.shut_down_kernels()  # two cores: one kernel at a time


def shot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png")


# --- JupyterLab, as a student uses it ---------------------------------------

def open_notebook(page, lab, path):
    page.goto(lab.page_url(f"lab/tree/{path}?reset"))
    page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for()
    wait_idle(page)


def wait_idle(page, timeout=120):
    """Wait until the kernel is idle and no cell is queued or running."""
    page.wait_for_function(
        """() => {
            const indicator = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator');
            const busy = [...document.querySelectorAll('.jp-InputPrompt')].some(p => p.textContent.includes('*'));
            return indicator && indicator.dataset.status === 'idle' && !busy;
        }""", timeout=timeout * SECOND, polling=250)


def show_outline(page):
    """Toggle JupyterLab's outline (table of contents) panel; its entries, top first."""
    page.locator('.jp-SideBar [data-id="table-of-contents"]').click()
    entries = page.locator(".jp-TableOfContents-content .jp-tocItem-content")
    entries.first.wait_for(state="attached")
    return [text.strip() for text in entries.all_inner_texts()]


def code_prompts(page):
    return page.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()


def run_menu(page, item):
    page.locator(".lm-MenuBar-item", has_text="Run").first.click()
    page.get_by_role("menuitem", name=item, exact=False).first.click()


def run_every_cell(page):
    """Run All, and after each error go on from the next cell, as a student would.

    JupyterLab stops a run at the first error, and a stub raises on purpose.
    """
    command, start = "Run All Cells", 0
    for _ in range(100):
        page.locator(".jp-CodeCell .jp-InputPrompt").nth(start).click()
        run_menu(page, command)
        # The run has begun once its first cell leaves "[ ]:"; only then can idle mean done.
        page.wait_for_function("i => document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')[i]"
                               ".textContent.trim() !== '[ ]:'", arg=start)
        wait_idle(page)
        pending = [i for i, prompt in enumerate(code_prompts(page)) if not re.fullmatch(r"\[\d+\]:", prompt.strip())]
        if not pending:
            return
        command, start = "Run Selected Cell and All Below", pending[0]
    pytest.fail("cells never all ran")


def cell_report(page):
    """Per code cell: its error lines (the 'Name: message' line of each traceback) and images."""
    return page.evaluate("""() => [...document.querySelectorAll('.jp-CodeCell')].map(cell => ({
        errors: [...cell.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
                .map(e => e.innerText.trim().split('\\n').pop()),
        images: [...cell.querySelectorAll('.jp-OutputArea-output img')].map(img => ({
                loaded: img.complete && img.naturalWidth > 0,
                fits: img.getBoundingClientRect().width <= cell.getBoundingClientRect().width})),
    }))""")


def scroll_to(page, selector):
    page.locator(selector).first.scroll_into_view_if_needed()
    page.wait_for_timeout(300)  # let the layout settle before the screenshot


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_student_runs_the_release(page, lab, assignment):
    open_notebook(page, lab, f"student/{assignment}/{assignment}.ipynb")
    title = nbformat.read(notebook(assignment, "release"), as_version=4).cells[0].source.splitlines()[0]
    outline = show_outline(page)
    assert outline[0] == title.lstrip("# ") and "1. Setup" in outline, outline
    shot(page, f"{assignment}-1-opened-with-outline")
    show_outline(page)  # toggles it closed
    run_every_cell(page)
    report = cell_report(page)
    errors = [e for cell in report for e in cell["errors"]]
    assert errors, "the unfilled release should stop at its stubs"
    assert all(e.startswith("NotImplementedError") for e in errors), errors
    assert len(errors) >= len(example_class.solutions(assignment)), "each graded function's test should stop"
    images = [image for cell in report for image in cell["images"]]
    assert all(i["loaded"] and i["fits"] for i in images), images
    if "plt." in notebook(assignment, "release").read_text():
        assert images, "the plots drawn before the first stub should show"
        scroll_to(page, ".jp-OutputArea-output img")
        shot(page, f"{assignment}-2-first-plot")
    scroll_to(page, '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
    shot(page, f"{assignment}-3-first-stub-error")


def test_student_fills_in_and_validates(page, lab):
    open_notebook(page, lab, f"filled/{VALIDATED}/{VALIDATED}.ipynb")
    run_every_cell(page)
    report = cell_report(page)
    assert [e for cell in report for e in cell["errors"]] == []
    images = [image for cell in report for image in cell["images"]]
    assert images and all(i["loaded"] and i["fits"] for i in images), images
    page.locator(".jp-OutputArea-output img").last.scroll_into_view_if_needed()
    shot(page, f"{VALIDATED}-filled-4-ran")
    page.locator(".validate-button").click()
    message = page.locator("#validation-message")
    expect(message).to_contain_text("Success! Your notebook passes all the tests.", timeout=120 * SECOND)
    shot(page, f"{VALIDATED}-filled-5-validated")


# --- formgrader, as an instructor uses it -----------------------------------

def test_instructor_sees_assignments_scores_and_feedback(page, lab):
    page.goto(lab.page_url("formgrader"))
    for assignment in ASSIGNMENTS:
        expect(page.locator("table").first).to_contain_text(assignment)
    shot(page, "formgrader-1-assignments")

    total = sum(sum(example_class.test_cell_points(a).values()) for a in ASSIGNMENTS)
    page.goto(lab.page_url("formgrader/manage_students"))
    expect(page.locator("table tr", has_text="reference")).to_contain_text(f"{total} / {total}")
    expect(page.locator("table tr", has_text="blank")).to_contain_text(f"0 / {total}")
    shot(page, "formgrader-2-students")

    # A student with a mistake and a hint, so the feedback has something to show.
    student = next(s for s in small_class("initialization") if s.hint and not s.name.startswith(("tamper", "fault")))
    score = sum(expected_scores("initialization")[student.name].values())
    most = sum(example_class.test_cell_points("initialization").values())
    assert score < most
    page.goto(lab.page_url(f"formgrader/manage_students/{student.name}"))
    expect(page.locator("table tr", has_text="initialization")).to_contain_text(f"{score:g} / {most:g}")
    shot(page, "formgrader-3-one-student")

    page.goto(lab.page_url(f"files/feedback/{student.name}/initialization/initialization.html"))
    expect(page.locator("body")).to_contain_text(f"initialization (Score: {score:.1f} / {most:.1f})")
    failure = page.locator(".output_error, .output_stderr, pre", has_text=student.hint).first
    failure.scroll_into_view_if_needed()
    expect(failure).to_be_visible()
    shot(page, "formgrader-4-feedback")
