"""Landlock confines a forked process's files, TCP and signals, as root or as an ordinary user.

Every restriction happens in a forked child: a Landlock domain cannot be left, and the test
process must stay free. Each probe also runs unrestricted, so a denial shows it is Landlock's.
"""
import ctypes
import os
import pickle
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import types
import uuid

import pytest

from grader.autograde import landlock

ABI = landlock.abi_version()
NOBODY = 65534
PR_GET_NO_NEW_PRIVS = 39

needs_landlock = pytest.mark.skipif(ABI == 0, reason="Landlock is not available on this kernel")


def needs_abi(level):
    return pytest.mark.skipif(ABI < level, reason=f"needs Landlock ABI {level}, this kernel has {ABI}")


def in_child(work, read_only=(), read_write=(), uid=None, restrict=True, **options):
    """Fork; in the child become `uid` (if given), call restrict() (if `restrict`), then work().
    Returns what work() returned; fails the test if the child raised or died."""
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:
        _child(writer, work, read_only, read_write, uid, restrict, options)
    os.close(writer)
    with os.fdopen(reader, "rb") as pipe:
        report = pipe.read()
    os.waitpid(pid, 0)
    assert report, "the child died without reporting"
    kind, value = pickle.loads(report)
    assert kind == "ok", f"the child failed: {value}"
    return value


def _child(writer, work, read_only, read_write, uid, restrict, options):
    signal.alarm(5)  # a hung probe kills the child, never the suite
    try:
        if uid is not None:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
        if restrict:
            landlock.restrict(read_only, read_write, **options)
        report = ("ok", work())
    except BaseException as error:  # the parent must hear of anything, then the child exits
        report = ("error", repr(error))
    with os.fdopen(writer, "wb") as pipe:
        pickle.dump(report, pipe)
    os._exit(0)


def outcome(action):
    """'ok', or the name of the OSError that `action` raised."""
    try:
        action()
        return "ok"
    except OSError as error:
        return type(error).__name__


@pytest.fixture
def area():
    """Folders under /tmp that any user may read, and ro/ and rw/ write: so that what the child
    cannot do there is refused by Landlock, not by file permissions."""
    top = tempfile.mkdtemp(prefix="landlock-test-", dir="/tmp")
    paths = types.SimpleNamespace(**{name: os.path.join(top, name) for name in ("ro", "rw", "secret")})
    for name in ("ro", "rw", "secret"):
        os.mkdir(getattr(paths, name))
    for folder, mode in ((top, 0o755), (paths.ro, 0o777), (paths.secret, 0o755), (paths.rw, 0o777)):
        os.chmod(folder, mode)
    paths.data, paths.secret_file = os.path.join(paths.ro, "data"), os.path.join(paths.secret, "grades")
    for path, text, mode in ((paths.data, "allowed", 0o666), (paths.secret_file, "secret", 0o644)):
        with open(path, "w") as file:
            file.write(text)
        os.chmod(path, mode)
    yield paths
    shutil.rmtree(top)


def file_probes(area):
    def read(path):
        with open(path) as file:
            return file.read()

    def write(path):
        with open(path, "a") as file:  # "a", not "w": truncating is a right of its own
            file.write("changed")

    def write_and_read_back():
        write(os.path.join(area.rw, "new"))
        assert read(os.path.join(area.rw, "new")) == "changed"
        os.truncate(os.path.join(area.rw, "new"), 0)

    return lambda: {
        "read outside": outcome(lambda: read(area.secret_file)),
        "list outside": outcome(lambda: os.listdir(area.secret)),
        "read read_only": outcome(lambda: read(area.data)),
        "write read_only": outcome(lambda: write(area.data)),
        "create in read_only": outcome(lambda: write(os.path.join(area.ro, "new"))),
        "write read_write": outcome(write_and_read_back),
    }


CONFINED = {"read outside": "PermissionError", "list outside": "PermissionError",
            "read read_only": "ok", "write read_only": "PermissionError",
            "create in read_only": "PermissionError", "write read_write": "ok"}
FREE = dict.fromkeys(CONFINED, "ok")


def test_abi_is_found_here():
    if ABI == 0:
        pytest.skip("Landlock is not available on this kernel (abi_version() is 0)")
    assert ABI >= 1
    assert landlock.what_it_covers()["abi"] == ABI


def test_abi_version_is_0_when_the_call_fails(monkeypatch):
    def no_such_call(*args):
        raise OSError(38, "Function not implemented")
    monkeypatch.setattr(landlock, "_syscall", no_such_call)
    assert landlock.abi_version() == 0
    assert landlock.what_it_covers()["enforced"] == []


def test_rights_and_struct_sizes_follow_the_abi():
    assert [landlock.fs_rights(abi) for abi in range(8)] == [
        0, 0x1FFF, 0x3FFF, 0x7FFF, 0x7FFF, 0xFFFF, 0xFFFF, 0xFFFF]
    sizes = {abi: landlock.ruleset_attr(abi, True, True)[1] for abi in (1, 3, 4, 5, 6, 7)}
    assert sizes == {1: 8, 3: 8, 4: 16, 5: 16, 6: 24, 7: 24}
    attr, _ = landlock.ruleset_attr(6, deny_tcp=True, scope=True)
    assert (attr.handled_access_net, attr.scoped) == (3, 3)
    attr, _ = landlock.ruleset_attr(6, deny_tcp=False, scope=False)
    assert (attr.handled_access_net, attr.scoped) == (0, 0)
    assert ctypes.sizeof(landlock.PathBeneathAttr) == 12


def test_coverage_names_only_what_the_abi_enforces():
    old, new = landlock.what_it_covers(3), landlock.what_it_covers(6)
    assert "TCP connect/bind denied" not in old["enforced"]
    assert "TCP connect/bind denied" in new["enforced"]
    assert not any("scoped" in line for line in old["enforced"])
    assert any("scoped" in line for line in new["enforced"])
    assert any("UDP" in line for line in new["not_enforced"])


@needs_landlock
def test_files_outside_the_allowed_paths_are_refused(area):
    assert in_child(file_probes(area), restrict=False) == FREE
    assert in_child(file_probes(area), read_only=[area.ro], read_write=[area.rw]) == CONFINED


@needs_landlock
def test_a_single_file_can_be_allowed_read_only(area):
    def probe():
        return outcome(lambda: open(area.data).read()), outcome(lambda: os.listdir(area.ro))
    assert in_child(probe, read_only=[area.data, "/no/such/path"]) == ("ok", "PermissionError")


@needs_landlock
def test_restrict_sets_no_new_privs_and_says_what_failed(area):
    no_new_privs = lambda: ctypes.CDLL(None).prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0)
    assert in_child(no_new_privs, restrict=False) == 0
    assert in_child(no_new_privs) == 1
    with pytest.raises(AssertionError, match="read-write path /no/such/folder does not exist"):
        in_child(lambda: None, read_write=["/no/such/folder"])


@needs_landlock
def test_an_ordinary_user_can_restrict_itself(area):
    """As root the child first becomes nobody: Landlock needs no privilege."""
    uid = NOBODY if os.geteuid() == 0 else None
    probes = file_probes(area)
    assert in_child(probes, uid=uid, restrict=False) == FREE
    who_and_what = lambda: (os.getuid(), probes())
    expected_uid = NOBODY if uid is not None else os.getuid()
    assert in_child(who_and_what, uid=uid, read_only=[area.ro], read_write=[area.rw]) == (
        expected_uid, CONFINED)


@needs_landlock
def test_a_program_started_afterwards_is_restricted_too(area):
    cat = shutil.which("cat")

    def run_cat():
        return [(done.returncode, done.stdout, "Permission denied" in done.stderr)
                for done in (subprocess.run([cat, path], capture_output=True, text=True)
                             for path in (area.data, area.secret_file))]
    assert in_child(run_cat, restrict=False) == [(0, "allowed", False), (0, "secret", False)]
    confined = in_child(run_cat, read_only=landlock.default_read_only() + [area.ro])
    assert confined == [(0, "allowed", False), (1, "", True)]


@needs_landlock
def test_python_and_numpy_run_on_the_default_read_only_paths(area):
    program = ("import numpy, sys; print(numpy.ones(3).sum());"
               f"open({area.secret_file!r}).read()")
    done = subprocess.run(
        [sys.executable, "-c", program], cwd=area.rw, capture_output=True, text=True, timeout=30,
        preexec_fn=lambda: landlock.restrict(landlock.default_read_only(), [area.rw]))
    assert done.stdout == "3.0\n"
    assert "PermissionError" in done.stderr


@needs_abi(4)
@pytest.mark.parametrize("deny_tcp", [True, False])
def test_tcp_connect_is_refused(deny_tcp):
    listener = socket.create_server(("127.0.0.1", 0))
    address = listener.getsockname()

    def connect():
        return outcome(lambda: socket.create_connection(address, timeout=2).close())
    with listener:
        result = in_child(connect, deny_tcp=deny_tcp)
        accepted = bool(select.select([listener], [], [], 0.2)[0])
    assert (result, accepted) == (("PermissionError", False) if deny_tcp else ("ok", True))


@needs_abi(4)
def test_tcp_bind_is_refused():
    bind = lambda: outcome(lambda: socket.create_server(("127.0.0.1", 0)).close())
    assert in_child(bind, restrict=False) == "ok"
    assert in_child(bind) == "PermissionError"


@needs_abi(6)
@pytest.mark.parametrize("scope", [True, False])
def test_signals_and_abstract_sockets_are_scoped(scope):
    parent = os.getpid()
    server = socket.socket(socket.AF_UNIX)
    server.bind(f"\0landlock-test-{uuid.uuid4().hex}")
    server.listen(1)

    def reach_parent():
        client = socket.socket(socket.AF_UNIX)
        return outcome(lambda: os.kill(parent, 0)), outcome(lambda: client.connect(server.getsockname()))
    with server:
        result = in_child(reach_parent, scope=scope)
    assert result == (("PermissionError", "PermissionError") if scope else ("ok", "ok"))
