"""A student who attacks the autograder instead of answering scores 0 for the attacked function.

Each attack is a graded function of a few lines that computes nothing and
tries to pass anyway: by reading the checker's expected values off the call
stack, by finding the reference solution among the garbage collector's
objects, by returning an object that agrees with every comparison, or by
leaving a thread that rewrites the checks after it returns. Each is tried on
one graded function of every assignment.
"""
import socket
import textwrap
import threading

import pytest

from grader.assignments import ASSIGNMENTS
from helpers import run_hidden_test

ATTACKED = {"initialization": "initialize_parameters_he", "regularization": "compute_cost_with_regularization",
            "gradient_checking": "gradient_check_n", "optimization": "update_parameters_with_adam"}

ATTACKS = {
    "frame_walk": """
        def {name}(*args, **kwargs):
            import sys
            frame = sys._getframe(1)
            while frame is not None:
                for key, value in frame.f_locals.items():
                    if key.startswith("expected"):
                        return value
                frame = frame.f_back
            return None
    """,
    "gc_scan": """
        def {name}(*args, **kwargs):
            import gc
            import sys
            mine = sys._getframe().f_code
            for obj in gc.get_objects():
                if callable(obj) and getattr(obj, "__name__", "") == "{name}" \\
                        and getattr(obj, "__code__", mine) is not mine:
                    try:
                        return obj(*args, **kwargs)
                    except Exception:
                        pass
            return None
    """,
    "agreeable_array": """
        def {name}(*args, **kwargs):
            import numpy as np

            class Same:
                def __eq__(self, other):
                    return True

                def __ne__(self, other):
                    return False

            class Agreeable(np.ndarray):
                shape = Same()

                def __array_ufunc__(self, ufunc, method, *inputs, **kw):
                    return np.ones((), bool)

                def __array_function__(self, func, types, a, kw):
                    return np.ones((), bool)
            agree = np.zeros(1).view(Agreeable)
            if args and isinstance(args[0], list):  # layers_dims: a dict of "arrays" with the right keys
                return {f"{kind}{l}": agree for l in range(1, len(args[0])) for kind in "Wb"}
            return agree
    """,
    "fake_object": """
        def {name}(*args, **kwargs):
            class Anything:
                shape, dtype, size = (3, 2), float, 6

                def __eq__(self, other):
                    return True

                def __getitem__(self, key):
                    return self

                def __float__(self):
                    return 0.0
            return Anything()
    """,
    "surviving_thread": """
        def {name}(*args, **kwargs):
            import sys
            import threading
            import time

            def agree():
                end = time.time() + 20
                while time.time() < end:
                    for module in list(sys.modules.values()):
                        if getattr(module, "__name__", "").startswith(("utils.checks", "grader")):
                            for attr in ("array_difference", "dict_difference", "fail"):
                                if hasattr(module, attr):
                                    setattr(module, attr, lambda *a, **k: None)
                    time.sleep(0.001)
            threading.Thread(target=agree, daemon=True).start()
            time.sleep(0.05)
            return None
    """,
}

REFUSED = {"agreeable_array": "is a Agreeable (a subclass of numpy's array)", "fake_object": "is a Anything"}


def attack(assignment, kind):
    name = ATTACKED[assignment]
    return {name: textwrap.dedent(ATTACKS[kind]).replace("{name}", name)}


@pytest.mark.parametrize("kind", ATTACKS)
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_an_attack_scores_zero(assignment, kind):
    verdict = run_hidden_test(assignment, f"test_{ATTACKED[assignment]}", attack(assignment, kind))
    assert not verdict["passed"], f"{kind} passed {ATTACKED[assignment]}"
    assert kind not in REFUSED or REFUSED[kind] in verdict["message"], verdict["message"]


def test_the_student_process_has_no_network():
    """A graded function that reaches for a service on this machine finds none, and is graded as usual."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    reached = []
    threading.Thread(target=lambda: reached.append(listener.accept()), daemon=True).start()
    reference = run_hidden_test("optimization", "test_update_lr")
    code = f"""
def update_lr(learning_rate0, epoch_num, decay_rate):
    import socket
    try:
        socket.create_connection(("127.0.0.1", {port}), timeout=2).sendall(b"grades")
    except OSError:
        pass
    return learning_rate0 / (1 + decay_rate * epoch_num)
"""
    verdict = run_hidden_test("optimization", "test_update_lr", {"update_lr": code})
    listener.close()
    assert verdict == reference == {"passed": True}
    assert not reached


def test_killing_the_process_that_holds_the_functions_costs_only_that_function():
    """A function that kills its parent (the process holding the student's definitions) fails its own
    test; the process is started again, so the notebook's other, correct functions keep their points."""
    from grader.autograde.preprocessors import RunHiddenTestsApart
    from grader.course.example_class import solutions
    from helpers import hidden_tests, source_cells

    provided = [c.source for c in source_cells("initialization") if c.cell_type == "code"
                and c.metadata.get("nbgrader", {}).get("locked") and not c.metadata.get("nbgrader", {}).get("grade")]
    student = dict(solutions("initialization"), initialize_parameters_zeros=(
        "def initialize_parameters_zeros(layers_dims):\n    import os, signal\n"
        "    os.kill(os.getppid(), signal.SIGKILL)\n    return None"))
    verdicts = RunHiddenTestsApart(timeout=20).run_apart(
        {"provided": provided, "student": list(student.values()), "tests": hidden_tests("initialization")})
    assert {grade_id: v["passed"] for grade_id, v in verdicts.items()} == {
        "test_initialize_parameters_zeros": False, "test_initialize_parameters_random": True,
        "test_initialize_parameters_he": True}


def test_the_student_process_holds_no_channel_but_its_own():
    """The student's process is forked from a warm zygote that forks processes on request: a graded
    function that could reach the zygote's channel could ask it for a process outside the sandbox.
    Here the function answers correctly only if it holds a socket besides its own channel to the checker."""
    code = """
def update_lr(learning_rate0, epoch_num, decay_rate):
    import os, stat
    sockets = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            sockets += stat.S_ISSOCK(os.fstat(int(fd)).st_mode)
        except OSError:
            pass
    return learning_rate0 / (1 + decay_rate * epoch_num) if sockets > 1 else -1.0
"""
    verdict = run_hidden_test("optimization", "test_update_lr", {"update_lr": code})
    assert not verdict["passed"], "the student's process holds a channel that is not its own"
