"""The student's side of the hidden tests: a process that holds the notebook's definitions, nothing else.

The checker (hidden_runner.py) starts this program in the sandbox, as the
sandbox user, in a private copy of the submission:

    python -I -c "...; import student_side; student_side.main(FD)"

next to a copy of plain_data.py: it can read nothing of grader/, and it never
holds an expected value, a check or the reference solution. It reads the
notebook's provided definitions and the student's graded definitions on the
control socket FD, imports what the provided cells import, then forks one
child per hidden test on request. A child defines the student's functions and
answers calls on a socket of its own: arguments in, result out, plain data
both ways. Whatever a child leaves behind (threads, patched modules) dies
with it, and none of it can reach the checker's process.
"""
import ctypes
import os
import re
import signal
import socket

import numpy as np

from plain_data import NotPlainData, receive, send, to_plain

# What the notebooks' helpers import, imported before the submission is known, so that a
# process started ahead of need has done its slowest work by then.
AHEAD = ["matplotlib.pyplot", "h5py"]


def main(control_fd):
    forbid_inspection()
    import_ahead()
    control = socket.socket(fileno=control_fd)
    setup = receive(control)
    os.chdir(setup["folder"])  # the submission's private copy: its utils/ are imported from there
    namespace = {"__name__": "__notebook__"}
    problems = define(setup["provided"], namespace, "a provided cell")
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    send(control, {"ready": True, "problems": problems})
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(control, 64, 1)
        except OSError:
            return
        if not message or not fds:
            return
        pid = os.fork()
        if pid == 0:
            control.close()
            serve(socket.socket(fileno=fds[0]), namespace, setup["student"], setup["names"])
            os._exit(0)
        os.close(fds[0])
        send(control, {"pid": pid})


def import_ahead():
    import importlib
    for name in AHEAD:
        try:
            importlib.import_module(name)
        except ImportError:
            pass


def forbid_inspection():
    """The children, running the student's code as the same user, may not read or trace this process."""
    try:
        ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 4
    except (OSError, AttributeError):
        pass


GRADED_CELL = "<your graded cell {}>"  # the file name of the student's graded cell number {}


def define(sources, namespace, what, filename=None):
    """Run definition-only sources (the checker kept only imports and definitions), each compiled
    under the file name `filename` gives with its number, or "<what>"."""
    problems = []
    for index, source in enumerate(sources):
        try:
            exec(compile(source, filename.format(index) if filename else f"<{what}>", "exec"), namespace)
        except Exception as error:  # noqa: BLE001 (reported to the checker, which says so)
            problems.append(f"{what} failed to run: {type(error).__name__}: {error}")
    return problems


def serve(channel, namespace, student_sources, names):
    """Define the student's functions, then answer calls until the checker closes the channel."""
    problems = define(student_sources, namespace, "your graded cell", GRADED_CELL)
    send(channel, {"problems": problems, "missing": [name for name in names if not callable(namespace.get(name))]})
    while True:
        try:
            request = receive(channel, make_callable=lambda index: Callback(channel, index))
        except EOFError:
            return
        send_answer(channel, request, namespace)


def send_answer(channel, request, namespace):
    name = request["name"]
    args, kwargs = list(request["args"]), dict(request["kwargs"])
    if request.get("rng") is not None:
        np.random.set_state(tuple(request["rng"]))
    overrides = request.get("overrides", {})
    saved = {key: namespace[key] for key in overrides if key in namespace}
    namespace.update({key: Callback(channel, index) for key, index in overrides.items()})
    try:
        result = namespace[name](*args, **kwargs)
    except BaseException as error:  # noqa: BLE001 (SystemExit too: the checker reports it)
        send(channel, {"op": "raised", "type": type(error).__name__, "message": str(error)[:2000],
                       **raised_at(error.__traceback__)})
        return
    finally:
        for key in overrides:
            namespace.pop(key, None)
        namespace.update(saved)
    try:
        to_plain(result, [], "the result")  # the clearest message first
        send(channel, {"op": "returned", "result": result, "args": without_callbacks(args),
                       "kwargs": without_callbacks(kwargs)}, where="the arguments after the call")
    except NotPlainData as refused:
        send(channel, {"op": "refused", "message": str(refused)})


def raised_at(traceback):
    """{"cell": k, "line": n} of the innermost frame of `traceback` in the student's graded cells
    (the line of the code as the checker sent it; the checker finds the line of the cell itself)."""
    found = {}
    while traceback is not None:
        cell = re.fullmatch(GRADED_CELL.format(r"(\d+)"), traceback.tb_frame.f_code.co_filename)
        if cell:
            found = {"cell": int(cell.group(1)), "line": traceback.tb_lineno}
        traceback = traceback.tb_next
    return found


def without_callbacks(value):
    """The arguments as they are after the call, the checker's functions left out (it has them)."""
    if isinstance(value, Callback):
        return None
    if type(value) in (list, tuple):
        return type(value)(without_callbacks(item) for item in value)
    if type(value) is dict:
        return {key: without_callbacks(item) for key, item in value.items()}
    return value


class Callback:
    """Stands in for a function of the checker's: each call is asked of the checker."""

    def __init__(self, channel, index):
        self.channel, self.index = channel, index

    def __call__(self, *args, **kwargs):
        send(self.channel, {"op": "callback", "index": self.index, "args": list(args), "kwargs": kwargs},
             where="an argument of a call the autograder made for you")
        answer = receive(self.channel)
        if answer.get("op") == "raised":
            raise RuntimeError(answer["message"])
        return answer["result"]
