"""The warm parent of the student processes: numpy and matplotlib imported once, one fork per notebook.

Starting the process that holds a notebook's definitions (student_side.py) costs
a Python start and the imports of numpy, matplotlib and h5py: about 0.4 s of CPU,
which on the fast path is most of a notebook's grading. Each grading process
therefore keeps one zygote, started ahead of need, and asks it for a student
process when it needs one. The zygote forks; before the child runs anything of
the student's it closes the zygote's channel, takes its own session, limits,
network and view of the files, drops to the sandbox user (sandbox.enter_sandbox)
and forgets the grader's modules; then it is student_side.main, exactly as a
process started from scratch would be. The zygote holds nothing a student may
not see: no check, no expected value, no gradebook, only those imports.
"""
import contextlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
PROGRAM = (f"import sys; sys.path[:0] = [{str(HERE)!r}, {str(ROOT)!r}]; "
           "from grader.autograde.zygote import serve; serve(int(sys.argv[1]))")
START_SECONDS = 60


class WarmProcess:
    """A Python process a grading process starts once and talks to over a socket pair (its end is
    `channel`): `python -I -c PROGRAM FD`, in a scratch folder that is also its HOME, with one
    BLAS thread and nothing else of the grading process's environment."""

    def __init__(self, program, prefix, preexec_fn=os.setsid, wrap=None):
        self.scratch = tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-")  # see sandbox.remove_scratch_of_dead_graders
        env = {"PATH": os.environ.get("PATH", ""), "HOME": self.scratch, "MPLBACKEND": "Agg",
               "MPLCONFIGDIR": str(Path(self.scratch) / ".matplotlib"),
               **{k: v for k, v in os.environ.items() if k.startswith("OPENBLAS_")},
               **{k: "1" for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}}
        self.channel, theirs = socket.socketpair()
        argv = [sys.executable, "-I", "-c", program, str(theirs.fileno())]
        self.process = subprocess.Popen(wrap(argv, self.scratch) if wrap else argv,
                                        cwd=self.scratch, env=env, pass_fds=[theirs.fileno()],
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, preexec_fn=preexec_fn)
        theirs.close()

    def alive(self):
        return self.process.poll() is None

    def close(self):
        self.channel.close()
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)  # with whatever it started, in its session
        self.process.wait()
        shutil.rmtree(self.scratch, ignore_errors=True)


class Zygote(WarmProcess):
    """The grading process's end: start the zygote, ask it for student processes."""

    def __init__(self):
        from grader.autograde.sandbox import tier
        self.tier = tier()
        super().__init__(PROGRAM, "zygote-", wrap=in_bubblewrap if self.tier == "namespaces" else None)

    def student_process(self, uid, hidden, home):
        """(ForkedProcess, control socket) of a new student process in `home`, as `uid`, with `hidden`
        hidden: the same as hidden_runner.start_student_side, without the start."""
        control, theirs = socket.socketpair()
        try:
            message = json.dumps({"uid": uid, "hidden": list(hidden), "home": str(home), "tier": self.tier})
            socket.send_fds(self.channel, [message.encode() + b"\n"], [theirs.fileno()])
            self.channel.settimeout(START_SECONDS)
            answer, fds = b"", []
            while not answer.endswith(b"\n"):
                chunk, more, _, _ = socket.recv_fds(self.channel, 64, 1)
                if not chunk:
                    raise EOFError("the zygote ended")
                answer, fds = answer + chunk, fds + more
        except BaseException:
            control.close()
            raise
        finally:
            theirs.close()
        if len(fds) != 1:
            control.close()
            raise EOFError("the zygote did not say which process it started")
        return ForkedProcess(fds[0]), control


def in_bubblewrap(argv, scratch):
    """The zygote's command line in the namespaces tier: in bubblewrap, seeing this repository (for its
    own code; each child covers it again) read-only, and its scratch and the waiting homes."""
    from grader.autograde import namespaces
    from grader.autograde.sandbox import waiting_homes
    return namespaces.command(argv, read_write=[scratch, waiting_homes()], read_only=[str(ROOT)], cwd=scratch)


class ForkedProcess:
    """A process that is not our child (the zygote's), watched through the pidfd the zygote sent:
    poll() and wait() as subprocess.Popen has them, without the race of a pid that ended and was
    reused. `pid` is its pid here (the zygote may see it by another, in a pid namespace of its own)."""

    def __init__(self, pidfd):
        self.pidfd = pidfd
        self.pid = pid_of(pidfd)

    def poll(self):
        if self.pidfd is None or select.select([self.pidfd], [], [], 0)[0]:
            return -signal.SIGKILL
        return None

    def wait(self, timeout=10):
        if self.pidfd is not None:
            select.select([self.pidfd], [], [], timeout)
            os.close(self.pidfd)
            self.pidfd = None


def pid_of(pidfd):
    """The pid, in this process's pid namespace, of the process a pidfd refers to (-1: it ended)."""
    with open(f"/proc/self/fdinfo/{pidfd}") as info:
        for line in info:
            if line.startswith("Pid:"):
                return int(line.split()[1])
    return -1


# ----- the zygote ----------------------------------------------------------------

def serve(channel_fd):
    """Import what every student process imports, then fork one per request until the channel closes."""
    import student_side  # from HERE, as the student's process has it
    from grader.autograde.sandbox import enter_sandbox

    channel = socket.socket(fileno=channel_fd)
    student_side.forbid_inspection()
    student_side.import_ahead()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    buffer = b""
    while True:
        try:
            data, fds, _, _ = socket.recv_fds(channel, 4096, 1)
        except OSError:
            return
        if not data:
            return
        buffer += data
        if not buffer.endswith(b"\n") or not fds:
            for fd in fds:
                os.close(fd)
            continue
        request, buffer = json.loads(buffer), b""
        pid = os.fork()
        if pid == 0:
            become_student_process(channel, request, fds[0], student_side, enter_sandbox)
        os.close(fds[0])
        pidfd = os.pidfd_open(pid)
        socket.send_fds(channel, [json.dumps({"pid": pid}).encode() + b"\n"], [pidfd])
        os.close(pidfd)


def become_student_process(channel, request, control_fd, student_side, enter_sandbox):
    """In the forked child: into the sandbox, then student_side.main; never returns."""
    try:
        channel.close()  # a student must never ask the zygote for a process of its choosing
        os.chdir(request["home"])
        os.environ.update(HOME=request["home"], MPLCONFIGDIR=str(Path(request["home"]) / ".matplotlib"))
        enter_sandbox(request["uid"], request["hidden"], request["home"], request["tier"])
        for name in [name for name in sys.modules if name.split(".")[0] == "grader"]:
            del sys.modules[name]
        sys.path[:] = [""] + [p for p in sys.path if p not in (str(HERE), str(ROOT))]
        student_side.main(control_fd)
    finally:
        os._exit(0)
