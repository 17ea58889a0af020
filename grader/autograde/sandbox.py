"""Where student code runs while it is graded: a private copy, its own user, no network, limits.

At autograde, each notebook's kernel, and the process that holds the student's
functions for the hidden tests (see hidden_runner.py), runs as a user id of its
own that owns nothing but a private temporary copy of the submission. Before it
drops to that user it gets a network namespace with no interface up (no
loopback services, no gradebook server) and a mount namespace in which the
course directory, this repository and /run are empty read-only folders, so it
cannot read source/, grader/, the gradebook or other submissions: nothing of the
instructor's tree is changed for that. What it leaves in world-writable places
(/tmp, /dev/shm) is deleted afterwards, and whatever it left running is killed.
Without root none of this can be done: the code then runs as the grader's own
user, with the limits and the private copy only, and grading says so.

    launch(["--uid", N, "--hide", FOLDER, ..., "--", COMMAND, ...])

is the kernel's launcher (see SandboxKernelManager in kernels.py): it sets
the limits, isolates the process, gives the connection file to the user id,
drops to it and executes COMMAND.
"""
import argparse
import atexit
import contextlib
import ctypes
import functools
import os
import re
import resource
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

from grader.assignments import ROOT
from grader.autograde import namespaces, seccomp_filter  # imported before the course is covered

MEMORY_LIMIT = 4 * 2**30    # address space of one kernel or hidden test
FILE_SIZE_LIMIT = 64 * 2**20  # largest file student code may write
UID_BASE = 1_000_000         # sandbox user ids: UID_BASE + the grading process's pid, unique at any time
WORLD_WRITABLE = ["/tmp", "/var/tmp", "/dev/shm"]
CLONE_NEWNS, CLONE_NEWNET = 0x00020000, 0x40000000


def can_switch_user():
    return os.geteuid() == 0


TIERS = ["root", "namespaces", "landlock", "none"]  # strongest first


@functools.lru_cache(maxsize=None)
def tier():
    """How student code is isolated here: "root" (its own user id and namespaces), "namespaces"
    (user namespaces through bubblewrap, without root), "landlock" (Landlock and seccomp, where
    namespaces are refused) or "none". GRADER_SANDBOX names the strongest tier to try (tests use it
    to stand for a machine that refuses namespaces)."""
    wanted = os.environ.get("GRADER_SANDBOX", "root")
    for name in TIERS[TIERS.index(wanted) if wanted in TIERS else 0:]:
        if name == "none" or tier_refusal(name) is None:
            return name


def tier_refusal(name):
    """Why tier `name` cannot be had here (None when it can)."""
    if name == "root":
        return None if can_switch_user() else "not root"
    if name == "namespaces":
        return namespaces.refusal()
    if name == "landlock":
        return landlock_refusal()
    return None


LANDLOCK_ABI_NEEDED = 6  # Linux 6.12: signals and abstract sockets kept inside the domain


def landlock_refusal():
    from grader.autograde import landlock
    abi = landlock.abi_version()
    if abi < LANDLOCK_ABI_NEEDED:
        return (f"Landlock ABI {LANDLOCK_ABI_NEEDED} (Linux 6.12) is needed to keep student code's signals "
                f"in; this kernel has {'none' if abi == 0 else abi}")
    try:
        from grader.autograde import seccomp_filter
        seccomp_filter.build(strict=True)
    except Exception as error:  # noqa: BLE001 (libseccomp missing or too old)
        return f"seccomp filters cannot be built here ({error})"
    return None


TIER_LINES = {
    "root": "sandbox: root (each student process has its own user id, namespaces, no network)",
    "namespaces": "sandbox: user namespaces (bubblewrap; no network, only Python, the environment and the "
                  "submission's private copy visible, no capabilities, seccomp)",
    "landlock": "sandbox: Landlock and seccomp (namespaces are refused here): student code runs as your user, "
                "can read only the system, Python and the environment and write only its private copy; see "
                "docs/threat_model.md for what this tier leaves open",
    "none": "sandbox: NONE: student code runs as your own user, unconfined",
}

RISKS = (
    "Without a sandbox, code in a student's notebook runs as you and can: write any score into the "
    "gradebook, for itself or a classmate; leave a process that changes grades after grading; patch the "
    "grader's files, the course's nbgrader_config.py, your ~/.bashrc or the environment's .pth files so "
    "that code of its choosing runs as you later; read the solutions, the hidden checks and classmates' "
    "work and print them into its feedback; change a classmate's submission or feedback; use the network.")
WAY_OUT = ("Grade as root, or allow unprivileged user namespaces (on Ubuntu 24.04 load bubblewrap's "
           "AppArmor profile: apt install bubblewrap apparmor-profiles), or grade in a container that "
           "allows them, or on a kernel with Landlock. To grade anyway, unconfined, pass "
           "--allow-unsandboxed (or set c.Sandbox.allow_unsandboxed = True in nbgrader_config.py).")


class NoSandbox(RuntimeError):
    """Student code would run unconfined, and the instructor did not say it may."""


def refusal_message():
    reasons = "; ".join(f"{name}: {tier_refusal(name)}" for name in TIERS[:-1])
    return f"refusing to run student code: no sandbox can be had here ({reasons}). {RISKS} {WAY_OUT}"


def require_sandbox(allow_unsandboxed=False):
    """Raise NoSandbox unless student code can be isolated here or the instructor allowed otherwise."""
    if tier() == "none" and not (allow_unsandboxed or os.environ.get("GRADER_ALLOW_UNSANDBOXED") == "1"):
        raise NoSandbox(refusal_message())


def limits_of_this_platform():
    """The one line that says how student code is isolated here (with a warning when it is not)."""
    line = TIER_LINES[tier()]
    return line + (". " + RISKS if tier() == "none" else "")


def sandbox_uid():
    """The user id this grading process gives the student code it runs (None without root)."""
    return UID_BASE + os.getpid() if tier() == "root" else None


def kernel_uid(slot):
    """The user id of this grading process's kernel in `slot` (0 or 1; None without root): two, so
    that the next notebook's kernel, started ahead, is spared when the last one's user is killed.
    Slot 0 is sandbox_uid(). (pids are below 2**22, so no two grading processes share one.)"""
    return UID_BASE + 2 * 2**22 * slot + os.getpid() if tier() == "root" else None


def spare_uid():
    """The user id of the student process this grading process starts ahead of need (None without
    root). It differs from sandbox_uid(): a kernel's leftovers, killed by that uid, spare it, and
    the two cannot signal each other. (pids are below 2**22, so no two grading processes share one.)"""
    return UID_BASE + 2**22 + os.getpid() if tier() == "root" else None


def limit_resources():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE_LIMIT, FILE_SIZE_LIMIT))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def drop_to(uid):
    """Become `uid` for good: no supplementary groups, no way back to root."""
    if uid is None:
        return
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    os.umask(0o077)


def open_python_path():
    """Let the sandbox user reach Python and the environment: pyenv installs under /root (0700).

    Each folder above the installation gets search permission (o+x), not read:
    the sandbox can open paths it knows, not list what else is there.
    """
    if tier() != "root":
        return
    targets = {sys.base_prefix, sys.executable, sys.prefix}  # Python and the venv (in the course)
    for target in {Path(os.path.realpath(t)) for t in targets}:
        for folder in reversed(target.parents):
            mode = folder.stat().st_mode
            if not mode & 0o001:
                folder.chmod(mode | 0o001)


def hidden_folders(*course_roots):
    """What student code must not see: the course (solutions, gradebook, other students' work),
    this repository (the checks), and /run (local services' sockets, a database's among them)."""
    folders = {os.path.realpath(folder) for folder in (*course_roots, ROOT, "/run")}
    return sorted(folder for folder in folders if os.path.isdir(folder))


def isolate(hidden):
    """Give this process (as root, before it drops to the sandbox user) a network of its own, with
    no interface up, and a view of the file system in which each of `hidden` is an empty folder
    (the Python environment inside one, if any, is put back). Changes nothing outside the process."""
    if tier() != "root":
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNS | CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "unshare: cannot give student code a network and mounts of its own")
    namespaces.mount(libc, "none", "/", None, namespaces.MS_REC | namespaces.MS_PRIVATE)
    here = os.getcwd()
    namespaces.cover_folders(libc, [f for f in hidden if f != "/" and not is_inside(here, f)], python_folders())


def python_folders():
    return {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, os.path.dirname(sys.executable))}


def is_inside(path, folder):
    return os.path.commonpath([os.path.realpath(path), folder]) == folder


def enter_sandbox(uid, hidden, home=None, tier_name=None):
    """Everything a process does before it runs student code: its own session and limits, then the
    sandbox of `tier_name` (by default this machine's): as root, a network and a view of the files
    of its own and the sandbox user; in the zygote's bubblewrap, namespaces of its own in which
    `hidden` and the other waiting homes are covered (namespaces.enter_nested)."""
    tier_name = tier_name or tier()
    os.setsid()
    limit_resources()
    if tier_name == "root":
        open_python_path()
        isolate(hidden)
        drop_to(uid)
        load_seccomp_filter()
    elif tier_name == "namespaces":
        keep = [str(home)] if home else []
        others = [os.path.dirname(str(home))] if home else []
        namespaces.enter_nested([*hidden, *others], [*keep, *python_folders()])
    elif tier_name == "landlock":
        confine_with_landlock(home or os.getcwd())


def confine_with_landlock(home):
    """The Landlock tier: read the system, Python and the environment, write only `home` (the private
    copy is in it; so is TMPDIR); no TCP, no signal or abstract socket out of the domain, and the
    strict seccomp filter (no connect(), no other socket family). /proc is not readable: the grader's
    processes run as the same user, and their environment and command lines must stay theirs."""
    from grader.autograde import landlock, seccomp_filter
    read_only = [path for path in landlock.default_read_only() if path not in ("/proc", "/dev/null")]
    tmp = Path(home) / ".tmp"
    tmp.mkdir(exist_ok=True)
    os.environ["TMPDIR"] = str(tmp)
    landlock.restrict(read_only=[*read_only, *python_folders()], read_write=[str(home), "/dev/null"])
    seccomp_filter.load(strict=True)


def become_subreaper():
    """Processes a student's code detaches are handed to this process when their parents end (not to
    init), so that kill_orphans finds them: the Landlock tier has no pid namespace to end them."""
    ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER


def kill_orphans(keep=()):
    """Kill every child of this process but those in `keep` (the grader's own helpers), and what
    they started: in the Landlock tier, what student code left behind was handed to this process."""
    for _ in range(50):  # an orphan that forks hands its children here too: until none is left
        strays = [pid for pid in children_of(os.getpid()) if pid not in set(keep)]
        if not strays:
            return
        for pid in strays:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        for pid in strays:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)


def children_of(pid):
    """The pids of a process's children (none if it is gone)."""
    found = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        with contextlib.suppress(OSError):
            found += [int(child) for child in Path(f"/proc/{pid}/task/{task}/children").read_text().split()]
    return found


def kill_processes_of(uid):
    """Kill every process of the sandbox user: what student code left running, wherever it went."""
    if uid is None:
        return
    pid = os.fork()
    if pid == 0:
        try:
            drop_to(uid)
            os.kill(-1, signal.SIGKILL)  # every process this user may signal, but this one
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


@functools.lru_cache(maxsize=None)
def waiting_homes():
    """The folder of the homes of the processes this grading process starts ahead of need: root's,
    so that a home waiting there is not taken for a student's leftover in /tmp (nor deleted as
    one), and removed at exit."""
    folder = Path(tempfile.gettempdir()) / f"grader-spares-{os.getpid()}"
    folder.mkdir(mode=0o711, exist_ok=True)
    folder.chmod(0o711)  # the sandbox users pass through to their homes, and list nothing
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return str(folder)


SCRATCH = re.compile(r"(grader-spares|zygote|hidden-test)-(\d+)(-|$)")  # <kind>-<pid of the grading process>


def remove_scratch_of_dead_graders():
    """Delete the scratch folders (waiting homes, the zygote's, the checker's) of grading processes
    that were killed before they could (a Dask worker that is stopped ends that way): each name
    carries the pid of the process that made it, and the folders of a pid that is gone go."""
    for entry in os.scandir(tempfile.gettempdir()):
        found = SCRATCH.match(entry.name)
        if found and entry.is_dir(follow_symlinks=False) and not is_running(int(found.group(2))):
            shutil.rmtree(entry.path, ignore_errors=True)


def is_running(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


def sandbox_home(uid, parent=None):
    """A fresh temporary directory (in `parent`, by default the system's) that only `uid` can
    enter, with matplotlib's font cache."""
    home = Path(tempfile.mkdtemp(prefix="sandbox-", dir=parent))
    cache = Path.home() / ".cache" / "matplotlib"
    if cache.is_dir():  # spares each kernel rebuilding matplotlib's font list
        shutil.copytree(cache, home / ".matplotlib")
    give_to(home, uid)
    return home


def give_to(folder, uid):
    if uid is not None:
        for path in [folder, *folder.rglob("*")]:
            os.lchown(path, uid, uid)


@contextlib.contextmanager
def private_copy(folder, uid, home=None):
    """A copy of `folder` in `home` (by default a fresh sandbox_home), which only `uid` can enter;
    `home` is deleted afterwards."""
    home = home or sandbox_home(uid)
    copy = home / Path(folder).name
    try:
        # Links stay links: the grader, as the instructor, must not read for the student what a
        # submitted link points at (the sandbox decides what its target shows).
        shutil.copytree(folder, copy, symlinks=True)
        give_to(copy, uid)
        yield copy
    finally:
        remove_home(home)
        remove_files_of(uid)


def remove_home(home, attempts=5):
    """Delete a sandbox home; a process of its user that was killed a moment ago may still be
    closing files in it, so try again briefly before giving up."""
    for _ in range(attempts):
        shutil.rmtree(home, ignore_errors=True)
        if not Path(home).exists():
            return
        time.sleep(0.2)


def remove_files_of(uid):
    """Delete what `uid` left in the world-writable folders.

    It can only have written into those folders themselves (they are sticky and
    hold nothing else it may write to), so their own entries are all to check.
    """
    if uid is None:
        return
    for path in entries_of(lambda owner: owner == uid):
        with contextlib.suppress(OSError):
            shutil.rmtree(path) if os.path.isdir(path) and not os.path.islink(path) else os.remove(path)


def entries_of(owned_by):
    """Entries of the world-writable folders whose owner satisfies `owned_by`."""
    found = []
    for top in WORLD_WRITABLE:
        with contextlib.suppress(OSError):
            for entry in os.scandir(top):
                with contextlib.suppress(OSError):
                    if owned_by(entry.stat(follow_symlinks=False).st_uid):
                        found.append(entry.path)
    return found


STUDENT_ENVIRONMENT = ["PATH", "LANG", "LC_ALL", "MPLBACKEND", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                       "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE",
                       "PYDEVD_DISABLE_FILE_VALIDATION", "JPY_PARENT_PID"]


def student_environment(home):
    """The environment a kernel gets: what Python and the libraries need, nothing of the grader's
    (a hub's API token or a gradebook's password must not reach a student's output)."""
    kept = {name: os.environ[name] for name in STUDENT_ENVIRONMENT if name in os.environ}
    return {**kept, "HOME": str(home), "IPYTHONDIR": str(home / ".ipython"),
            "MPLCONFIGDIR": str(home / ".matplotlib"), "JUPYTER_RUNTIME_DIR": str(home / ".runtime"),
            "PYTHONNOUSERSITE": "1"}


def launch(argv):
    parser = argparse.ArgumentParser(prog="grader.autograde.sandbox.launch")
    parser.add_argument("--uid", default="")
    parser.add_argument("--home", default="")
    parser.add_argument("--tier", default="")
    parser.add_argument("--hide", action="append", default=[])
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = [part for part in args.command if part != "--"] if args.command[:1] == ["--"] else args.command
    uid = int(args.uid) if args.uid else None
    home = Path(args.home) if args.home else Path.cwd().parent  # by default, the kernel starts in a private copy
    tier_name = args.tier or tier()
    if tier_name in ("root", "namespaces", "landlock") and "-f" in command:
        # The connection file is in the grader's runtime folder, which the kernel cannot see: it gets a copy.
        index = command.index("-f") + 1
        private = home / Path(command[index]).name
        shutil.copy(command[index], private)
        if uid is not None:
            os.chown(private, uid, uid)
        command[index] = str(private)
    os.environ.clear()
    os.environ.update(student_environment(home))
    limit_resources()
    if tier_name == "namespaces":
        # An interrupt is sent to the kernel's process group, bubblewrap included: bubblewrap must not die of it.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        command = namespaces.command(command, read_write=[str(home)], cwd=str(home),
                                     seccomp_fd=namespaces.seccomp_program())
        os.execvp(command[0], command)
    if tier_name == "landlock":
        confine_with_landlock(home)
        os.execvp(command[0], command)
    open_python_path()
    isolate(args.hide)
    drop_to(uid)
    load_seccomp_filter()
    os.execvp(command[0], command)


def load_seccomp_filter():
    """The seccomp filter (seccomp_filter.py) in the root tier too: no namespace of its own for
    the sandbox user, no ptrace, no network socket, whatever the machine allows unprivileged users."""
    ctypes.CDLL(None).prctl(38, 1, 0, 0, 0)  # PR_SET_NO_NEW_PRIVS: a filter needs it without CAP_SYS_ADMIN
    seccomp_filter.load()
