"""Where student code runs while it is graded: a private copy, its own user, limited resources.

At autograde, each notebook's kernel (and each hidden test, see hidden_runner.py)
runs as a user id of its own that owns nothing but a private temporary copy of
the submission. The course directory is private to its owner (`lock_course`),
so the student's code cannot read source/, grader/, the gradebook or other
submissions, nor write anywhere in the course. What it leaves in world-writable
places (/tmp, /dev/shm) is deleted afterwards. Without root none of this can be
done: the code then runs as the grader's own user, with the limits only.

    launch(["--uid", N, "--", COMMAND, ...])

is the kernel's launcher (see SandboxKernelManager in preprocessors.py): it sets the limits, gives the connection file to the
user id, drops to it and executes COMMAND.
"""
import argparse
import contextlib
import os
import resource
import shutil
import sys
import tempfile
from pathlib import Path

MEMORY_LIMIT = 4 * 2**30    # address space of one kernel or hidden test
FILE_SIZE_LIMIT = 64 * 2**20  # largest file student code may write
UID_BASE = 1_000_000         # sandbox user ids: UID_BASE + the grading process's pid, unique at any time
WORLD_WRITABLE = ["/tmp", "/var/tmp", "/dev/shm"]
# What stays readable in a locked course: the environment the kernels run in, and
# what every student has anyway (the release and the helpers it ships with).
PUBLIC_ENTRIES = {".venv", "release", "utils", "testcases"}


def can_switch_user():
    return os.geteuid() == 0


def sandbox_uid():
    """The user id this grading process gives the student code it runs (None without root)."""
    return UID_BASE + os.getpid() if can_switch_user() else None


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
    """Let the sandbox user reach Python and the environment: pyenv installs under /root (0700),
    and the course may be checked out in a private folder.

    Each folder above the installation gets search permission (o+x), not read:
    the sandbox can open paths it knows, not list what else is there.
    """
    targets = {sys.base_prefix, sys.executable, sys.prefix}  # Python and the venv (in the course)
    for target in {Path(os.path.realpath(t)) for t in targets}:
        for folder in reversed(target.parents):
            mode = folder.stat().st_mode
            if not mode & 0o001:
                folder.chmod(mode | 0o001)


def lock_course(root):
    """Make the course directory its owner's alone (the environment excepted).

    The root stays traversable (0711) so sandboxed kernels reach .venv; every
    other entry becomes 0700 (folders) or 0600 (files). Git tracks no read bits.
    """
    open_python_path()
    root = Path(root)
    root.chmod(0o711)
    for entry in root.iterdir():
        if entry.name in PUBLIC_ENTRIES or entry.is_symlink():
            continue
        entry.chmod(0o700 if entry.is_dir() else 0o600)


@contextlib.contextmanager
def private_copy(folder, uid):
    """A copy of `folder` in a fresh temporary directory that only `uid` can enter."""
    home = Path(tempfile.mkdtemp(prefix="sandbox-"))
    copy = home / Path(folder).name
    try:
        shutil.copytree(folder, copy, symlinks=False)
        cache = Path.home() / ".cache" / "matplotlib"
        if cache.is_dir():  # spares each kernel rebuilding matplotlib's font list
            shutil.copytree(cache, home / ".matplotlib")
        if uid is not None:
            for path in [home, *home.rglob("*")]:
                os.lchown(path, uid, uid)
        yield copy
    finally:
        shutil.rmtree(home, ignore_errors=True)
        remove_files_of(uid)


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


def launch(argv):
    parser = argparse.ArgumentParser(prog="grader.sandbox.launch")
    parser.add_argument("--uid", default="")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = [part for part in args.command if part != "--"] if args.command[:1] == ["--"] else args.command
    uid = int(args.uid) if args.uid else None
    home = Path.cwd().parent  # the kernel starts in the private copy; its parent is the sandbox's home
    if uid is not None and "-f" in command:
        # The connection file is root's; the kernel gets its own copy.
        index = command.index("-f") + 1
        private = home / Path(command[index]).name
        shutil.copy(command[index], private)
        os.chown(private, uid, uid)
        command[index] = str(private)
    os.environ.update(HOME=str(home), IPYTHONDIR=str(home / ".ipython"),
                      MPLCONFIGDIR=str(home / ".matplotlib"), JUPYTER_RUNTIME_DIR=str(home / ".runtime"))
    limit_resources()
    drop_to(uid)
    os.execvp(command[0], command)

