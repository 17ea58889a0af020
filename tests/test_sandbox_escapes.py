"""Student code cannot get out of the sandbox, whichever tier this machine gives it.

Each attack is tried from a notebook cell (the kernel) and from a graded function (the
student's process of the hidden tests). An attack reports its own success: a cell prints
ESCAPED, a function returns the right answer only if it got out. What it would leave
behind (a file in the course, the instructor's home or the environment, a process, a file
in /tmp) is looked for afterwards, from outside. tests/test_sandbox_tiers.py runs this file
as an ordinary user in each tier without root.
"""
import os
import re
import site
import socket
import threading
import time
import uuid
from pathlib import Path

import nbformat
import pytest

from grader.assignments import ROOT
from grader.autograde.preprocessors import SandboxedExecute
from grader.autograde.sandbox import tier
from helpers import run_hidden_test

pytestmark = pytest.mark.skipif(tier() == "none", reason="no sandbox can be had on this machine")

TOKEN = uuid.uuid4().hex[:12]
SECRET = f"secret-{TOKEN}"
LEFTOVER = f"77.{int(TOKEN[:6], 16)}"  # the argument of the sleep an attack leaves running
PLANTED = {
    "repository": ROOT / "grader" / f"planted-{TOKEN}.py",
    "home": Path.home() / f".bashrc-planted-{TOKEN}",
    "environment": Path(site.getsitepackages()[0]) / f"planted-{TOKEN}.pth",
    "tmp": Path("/tmp") / f"planted-{TOKEN}",
    "shm": Path("/dev/shm") / f"planted-{TOKEN}",
}

# Each attack: a Python expression that is true if it got out (exceptions count as false).
ATTACKS = {
    "reads the checks": f"'def ' in open({str(ROOT / 'grader' / 'initialization.py')!r}).read()",
    "reads the solutions": f"len(open({str(ROOT / 'source' / 'initialization' / 'initialization.ipynb')!r}).read()) > 0",
    "writes into the repository": f"open({str(PLANTED['repository'])!r}, 'w').write('x') > 0",
    "plants in the instructor's home": f"open({str(PLANTED['home'])!r}, 'w').write('x') > 0",
    "plants a .pth in the environment": f"open({str(PLANTED['environment'])!r}, 'w').write('import os') > 0",
    "leaves a file in /tmp": f"open({str(PLANTED['tmp'])!r}, 'w').write('x') > 0 and False",
    "leaves a file in /dev/shm": f"open({str(PLANTED['shm'])!r}, 'w').write('x') > 0 and False",
    "signals the grader": f"__import__('os').kill({os.getpid()}, 0) is None",
    "reads the grader's environment": f"b'PATH=' in open('/proc/{os.getpid()}/environ', 'rb').read()",
    "finds a secret in its environment": f"{SECRET!r} in str(__import__('os').environ)",
    "makes a namespace of its own": "__import__('ctypes').CDLL(None).unshare(0x10000000) == 0",
    "runs as root": "__import__('os').getuid() == 0",
    "leaves a process running": (f"__import__('subprocess').Popen(['sleep', {LEFTOVER!r}], start_new_session=True,"
                                 " stdin=-3, stdout=-3, stderr=-3) and False"),
}


def test_the_tier_is_the_one_asked_for():
    """Run in a given tier (tests/test_sandbox_tiers.py), the grader must not fall back to another."""
    assert tier() == os.environ.get("GRADER_EXPECT_TIER", tier())


def attack_program(reach_port):
    checks = dict(ATTACKS, **{"connects to a service on this machine":
                              f"__import__('socket').create_connection(('127.0.0.1', {reach_port}), timeout=2) is not None"})
    lines = ["escaped = []"]
    for name, expression in checks.items():
        lines += ["try:", f"    if {expression}:", f"        escaped.append({name!r})", "except Exception:", "    pass"]
    return "\n".join(lines)


@pytest.fixture
def listener(monkeypatch):
    """A TCP service on loopback, a secret in the grader's environment; afterwards, what was left."""
    monkeypatch.setenv("GRADER_PROBE_SECRET", SECRET)
    server = socket.create_server(("127.0.0.1", 0))
    reached = []
    threading.Thread(target=lambda: reached.append(server.accept()), daemon=True).start()
    yield server.getsockname()[1], reached
    server.close()
    left = {name: path for name, path in PLANTED.items() if path.exists()}
    for path in left.values():
        path.unlink()
    assert not left, f"student code left files outside its copy: {left}"
    assert not leftover_processes(), "student code left a process running"


def leftover_processes():
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if LEFTOVER.encode() in Path(f"/proc/{entry}/cmdline").read_bytes():
                    found.append(int(entry))
            except OSError:
                pass
    return found


def test_a_cell_cannot_get_out(listener, tmp_path):
    port, reached = listener
    source = attack_program(port) + "\nprint('ESCAPED', sorted(escaped))"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    SandboxedExecute(timeout=60).preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    printed = "".join(output.get("text", "") for output in nb.cells[0].outputs)
    assert "ESCAPED" in printed, nb.cells[0].outputs  # the cell ran
    assert re.search(r"ESCAPED \[\]", printed), printed
    assert not reached


def test_a_graded_function_cannot_get_out(listener):
    """The function answers right only if an attack got out; each attack is its own call."""
    port, reached = listener
    code = f"""
def update_lr(learning_rate0, epoch_num, decay_rate):
{indent(attack_program(port))}
    return learning_rate0 / (1 + decay_rate * epoch_num) if escaped else -1.0
"""
    verdict = run_hidden_test("optimization", "test_update_lr", {"update_lr": code})
    assert not verdict["passed"], "a graded function got out of the sandbox"
    assert not reached


def test_the_attacks_would_succeed_unconfined(tmp_path, monkeypatch):
    """The attack program itself works: run here, outside any sandbox, it gets out."""
    monkeypatch.setenv("GRADER_PROBE_SECRET", SECRET)
    scope = {}
    exec(attack_program(1), scope)  # noqa: S102 (the test's own code)
    try:
        expected = {"reads the checks", "reads the solutions", "signals the grader", "reads the grader's environment",
                    "finds a secret in its environment"}
        assert expected <= set(scope["escaped"])
        assert any(leftover_processes() or time.sleep(0.1) for _ in range(20))
    finally:
        for path in PLANTED.values():
            path.unlink(missing_ok=True)
        for pid in leftover_processes():
            os.kill(pid, 9)


def indent(text):
    return "\n".join("    " + line for line in text.splitlines())


def test_a_submitted_link_does_not_carry_what_it_points_at(tmp_path):
    """A submission may hold a symbolic link to a file of the course: the grader copies it as a link,
    not as the file it points at (which the grader, as the instructor, could read for the student)."""
    (tmp_path / "leak.py").symlink_to(ROOT / "grader" / "initialization.py")
    source = "try:\n    print('LEAKED', len(open('leak.py').read()))\nexcept OSError:\n    print('refused')"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    SandboxedExecute(timeout=60).preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    printed = "".join(output.get("text", "") for output in nb.cells[0].outputs)
    assert "refused" in printed and "LEAKED" not in printed, printed
