"""The full path's kernels: sandboxed, and started ahead of need.

Starting a kernel and importing numpy and matplotlib in it takes about a second
of each notebook's grading. Each grading process therefore keeps one kernel
started ahead for its next notebook, while the current one runs: in a sandbox
home of its own, as a kernel user id of its own (two alternate, so that the
cleanup after one notebook, which kills every process of its user, spares the
next notebook's kernel), with numpy and matplotlib imported but nothing defined.
A kernel serves exactly one notebook: the submission's private copy is made in
its home, the kernel moves into it before the first cell, and afterwards it is
killed with every process of its user. No kernel is reused across students.
"""
import atexit
import contextlib
import sys

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync

from grader.assignments import ROOT
from grader.autograde.sandbox import kernel_uid, kill_processes_of, sandbox_home, tier, waiting_homes

LAUNCHER = f"import sys; sys.path.insert(0, {str(ROOT)!r}); from grader.autograde.sandbox import launch; launch(sys.argv[1:])"
KERNEL_NAME = "python3"  # the course's notebooks' kernel
# Run by the kernel as it starts: an `if` statement, so it shows nothing and defines no name.
IMPORT_AHEAD = "if True: __import__('numpy'); __import__('matplotlib.pyplot')"


class SandboxKernelManager(AsyncKernelManager):
    """Starts the kernel through sandbox.launch, as the user id `uid`, in `home`, with `hidden` hidden.

    The kernel has no network (see sandbox.isolate and namespaces.py), so it talks to nbclient over
    Unix sockets (`transport = "ipc"`) in the sandbox's home rather than over TCP on localhost.
    """

    hidden = ()
    uid = None
    home = None

    def format_kernel_cmd(self, extra_arguments=None):
        command = super().format_kernel_cmd(extra_arguments)
        hide = [part for folder in self.hidden for part in ("--hide", folder)]
        # -I: the launcher runs as root in the student's folder, which must not shadow any module.
        return [sys.executable, "-I", "-c", LAUNCHER, "--uid", "" if self.uid is None else str(self.uid),
                "--home", str(self.home), "--tier", tier(), *hide, "--", *command]


class StartedKernel:
    """A kernel started in a fresh sandbox home, as kernel_uid(slot), for one notebook."""

    def __init__(self, kernel_name, hidden, slot):
        self.kernel_name, self.hidden, self.slot = kernel_name, tuple(hidden), slot
        self.uid = kernel_uid(slot)
        self.home = sandbox_home(self.uid, waiting_homes())
        self.km = SandboxKernelManager(kernel_name=kernel_name)
        self.km.uid, self.km.home = self.uid, self.home
        self.km.transport, self.km.ip = "ipc", str(self.home / "kernel")
        self.km.hidden = list(hidden)
        run_sync(self.km.start_kernel)(cwd=str(self.home), extra_arguments=[
            "--HistoryManager.hist_file=:memory:", f"--IPKernelApp.exec_lines={IMPORT_AHEAD}"])
        self.closed = False

    def alive(self):
        return run_sync(self.km.is_alive)()

    def close(self, client=None):
        """Kill the kernel and everything its user runs; the home is the caller's to delete."""
        if self.closed:
            return
        self.closed = True
        if client is not None:
            client.stop_channels()
        with contextlib.suppress(Exception):  # already dead, or never started
            run_sync(self.km.shutdown_kernel)(now=True)
        with contextlib.suppress(Exception):
            run_sync(self.km.cleanup_resources)()
        kill_processes_of(self.uid)


AHEAD = {}  # this grading process's kernel started ahead: (kernel name, hidden folders) -> StartedKernel


def take_kernel(kernel_name, hidden):
    """The kernel started ahead for this notebook if there is one alive, else one started now; then
    the next one is started (as the other kernel user id) while this one runs."""
    key = (kernel_name, tuple(hidden))
    kernel = AHEAD.pop(key, None)
    if kernel is None or not kernel.alive():
        if kernel is not None:
            kernel.close()
        kernel = StartedKernel(kernel_name, hidden, slot=0)
    start_ahead(kernel_name, hidden, slot=1 - kernel.slot)
    return kernel


def start_ahead(kernel_name, hidden, slot=0):
    key = (kernel_name, tuple(hidden))
    if not AHEAD:
        atexit.register(close_kernels_ahead)
    if key not in AHEAD:
        AHEAD[key] = StartedKernel(kernel_name, hidden, slot)


def close_kernels_ahead():
    for kernel in AHEAD.values():
        kernel.close()
    AHEAD.clear()
