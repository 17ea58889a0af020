"""The sandbox's tiers without root, tested as an ordinary Linux user.

Most courses grade as the instructor's own, unprivileged account. As root (CI), these
tests make an ordinary user and run the escape and attack tests as that user in each tier
(user namespaces through bubblewrap; Landlock, as on a machine that refuses namespaces),
and check that where no tier can be had grading refuses unless told otherwise.
"""
import os
import pwd
import subprocess
import sys
from pathlib import Path

import pytest

from grader.assignments import ROOT
from grader.autograde import sandbox

USER = "grader-tier-probe"
AS_ROOT = pytest.mark.skipif(os.geteuid() != 0, reason="making an ordinary user needs root (CI runs as root)")


def ordinary_user():
    """The probe user (made if need be; home 0700), who can reach Python and this repository."""
    try:
        pwd.getpwnam(USER)
    except KeyError:
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", USER], check=True)
    home = Path(pwd.getpwnam(USER).pw_dir)
    home.chmod(0o700)
    for target in {Path(sys.base_prefix), Path(sys.prefix), ROOT}:
        for folder in target.resolve().parents:  # search permission only, as on a hub's shared disk
            folder.chmod(folder.stat().st_mode | 0o001)
    return pwd.getpwnam(USER)


def run_as(user, argv, env=None, timeout=600):
    def become():
        os.setgid(user.pw_gid)
        os.initgroups(user.pw_name, user.pw_gid)
        os.setuid(user.pw_uid)
    environment = {"HOME": user.pw_dir, "USER": user.pw_name, "LANG": "C.UTF-8", "MPLBACKEND": "Agg",
                   "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", **(env or {})}
    return subprocess.run(argv, cwd=ROOT, env=environment, preexec_fn=become, capture_output=True, text=True,
                          timeout=timeout)


@AS_ROOT
@pytest.mark.parametrize("tier", ["namespaces", "landlock"])
def test_student_code_stays_in_as_an_ordinary_user(tier):
    user = ordinary_user()
    if sandbox.tier_refusal(tier) is not None:
        pytest.skip(f"this machine has no {tier} tier: {sandbox.tier_refusal(tier)}")
    done = run_as(user, [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-x",
                         "tests/test_sandbox_escapes.py", "tests/test_attacks.py"],
                  env={"GRADER_SANDBOX": tier, "GRADER_EXPECT_TIER": tier})
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert " passed" in done.stdout and "skipped" not in done.stdout.splitlines()[-1], done.stdout[-2000:]


def test_without_a_sandbox_grading_refuses_and_says_why(monkeypatch):
    monkeypatch.setattr(sandbox, "tier", lambda: "none")
    monkeypatch.delenv("GRADER_ALLOW_UNSANDBOXED", raising=False)
    with pytest.raises(sandbox.NoSandbox) as refused:
        sandbox.require_sandbox()
    message = str(refused.value)
    for risk in ("gradebook", "patch the grader", ".pth", "solutions", "classmate", "network", "--allow-unsandboxed",
                 "AppArmor"):
        assert risk in message, risk
    sandbox.require_sandbox(allow_unsandboxed=True)  # told to, it grades
    monkeypatch.setenv("GRADER_ALLOW_UNSANDBOXED", "1")
    sandbox.require_sandbox()


def test_the_summary_repeats_the_warning_when_grading_unconfined(monkeypatch):
    from grader.autograde import class_grading
    result = {"status": "graded", "cpu_seconds": 1.0}
    assert "WITHOUT a sandbox" not in class_grading.summary([result], 10)
    monkeypatch.setattr(class_grading, "tier", lambda: "none")
    assert "WITHOUT a sandbox" in class_grading.summary([result], 10)


@AS_ROOT
def test_the_grade_command_refuses_where_no_tier_can_be_had():
    """As an ordinary user on a machine with neither namespaces nor Landlock (GRADER_SANDBOX=none stands
    for it), `python -m grader grade` exits with the risks named, before it touches anything."""
    user = ordinary_user()
    done = run_as(user, [sys.executable, "-m", "grader", "grade", "--root", user.pw_dir, "initialization"],
                  env={"GRADER_SANDBOX": "none"}, timeout=120)
    assert done.returncode != 0
    assert "refusing to run student code" in done.stderr and "--allow-unsandboxed" in done.stderr, done.stderr
