"""Landlock: confine a process's files, TCP and signals, with no privilege and no namespace.

Where user namespaces are refused (Ubuntu 24.04's AppArmor restriction, most Docker
containers), an ordinary user can still ask the kernel, through the Landlock security
module, to take rights away from its own process for good. A process that calls

    restrict(default_read_only(), [private_copy, private_tmp])

after fork and before running student code can then read and execute only the system
folders and the Python environment, change only its private copy and tmp, and (on
kernels that know how) open no TCP connection and signal no process outside its own
domain. Everything it starts inherits that. `what_it_covers()` says, for the kernel at
hand, what is enforced and what is left to seccomp and rlimits.

Raw system calls through ctypes: the `landlock` package on PyPI is a development release.
"""
import ctypes
import os
import stat
import sys

# Landlock's calls came after Linux 5.1, when new system calls got one number on every
# architecture (alpha apart), so these hold on x86-64, arm64 and riscv alike.
SYS_CREATE_RULESET, SYS_ADD_RULE, SYS_RESTRICT_SELF = 444, 445, 446
CREATE_RULESET_VERSION = 1 << 0
RULE_PATH_BENEATH, RULE_NET_PORT = 1, 2
PR_SET_NO_NEW_PRIVS = 38

FS_EXECUTE = 1 << 0
FS_WRITE_FILE = 1 << 1
FS_READ_FILE = 1 << 2
FS_READ_DIR = 1 << 3
FS_REMOVE_DIR = 1 << 4
FS_REMOVE_FILE = 1 << 5
FS_MAKE_CHAR = 1 << 6
FS_MAKE_DIR = 1 << 7
FS_MAKE_REG = 1 << 8
FS_MAKE_SOCK = 1 << 9
FS_MAKE_FIFO = 1 << 10
FS_MAKE_BLOCK = 1 << 11
FS_MAKE_SYM = 1 << 12
FS_REFER = 1 << 13      # ABI 2
FS_TRUNCATE = 1 << 14   # ABI 3
FS_IOCTL_DEV = 1 << 15  # ABI 5
NET_BIND_TCP = 1 << 0     # ABI 4
NET_CONNECT_TCP = 1 << 1  # ABI 4
SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0  # ABI 6
SCOPE_SIGNAL = 1 << 1                # ABI 6

FS_RIGHTS_V1 = (1 << 13) - 1
READ_RIGHTS = FS_EXECUTE | FS_READ_FILE | FS_READ_DIR
# The kernel refuses a rule on a file (not a folder) that grants a folder-only right.
FILE_RIGHTS = FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_TRUNCATE | FS_IOCTL_DEV


class RulesetAttr(ctypes.Structure):
    """struct landlock_ruleset_attr; the kernel is told how much of it is filled."""
    _fields_ = [("handled_access_fs", ctypes.c_uint64),
                ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class PathBeneathAttr(ctypes.Structure):
    """struct landlock_path_beneath_attr, which the kernel declares packed (12 bytes)."""
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64),
                ("parent_fd", ctypes.c_int32)]


def _libc():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    return libc


def _syscall(number, *args):
    """Make a system call; raise OSError with the kernel's errno when it fails."""
    result = _libc().syscall(ctypes.c_long(number), *args)
    if result < 0:
        error = ctypes.get_errno()
        raise OSError(error, os.strerror(error))
    return result


def abi_version():
    """The Landlock ABI this kernel offers: 0 when it has none or has it disabled. Never raises."""
    if not sys.platform.startswith("linux"):
        return 0
    try:
        return _syscall(SYS_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(CREATE_RULESET_VERSION))
    except (OSError, AttributeError):
        return 0


def fs_rights(abi):
    """Every file-system right ABI `abi` knows: handling them all leaves none allowed by default."""
    rights = FS_RIGHTS_V1 if abi >= 1 else 0
    for level, right in ((2, FS_REFER), (3, FS_TRUNCATE), (5, FS_IOCTL_DEV)):
        if abi >= level:
            rights |= right
    return rights


def ruleset_attr(abi, deny_tcp, scope):
    """The ruleset attributes for `abi`, and the size of the part of them this ABI knows."""
    attr = RulesetAttr(handled_access_fs=fs_rights(abi))
    size = 8
    if abi >= 4:
        size = 16
        if deny_tcp:
            attr.handled_access_net = NET_BIND_TCP | NET_CONNECT_TCP
    if abi >= 6:
        size = 24
        if scope:
            attr.scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL
    return attr, size


def restrict(read_only, read_write, deny_tcp=True, scope=True):
    """Confine this process, and everything it starts from now on, for good.

    It may then read and execute beneath each of `read_only` (folders or single files; those
    that do not exist are skipped) and do anything beneath each of `read_write` (which must
    exist), and nothing else on the file system. With `deny_tcp` (ABI 4 and later) it can
    neither bind nor connect a TCP socket; with `scope` (ABI 6 and later) it can neither
    signal a process outside its domain nor connect to an abstract unix socket made outside.

    Call it after fork and before any student code, in a process with one thread: Landlock
    confines the calling thread only. Sets no_new_privs, which Landlock requires of a process
    without CAP_SYS_ADMIN and which keeps set-uid programs from lifting the restriction.
    Raises OSError saying which step failed.
    """
    abi = abi_version()
    if abi < 1:
        raise OSError("Landlock is not available: this kernel lacks it or has it disabled "
                      "(see /sys/kernel/security/lsm)")
    _no_new_privs()
    attr, size = ruleset_attr(abi, deny_tcp, scope)
    ruleset = _step("landlock_create_ruleset", SYS_CREATE_RULESET, ctypes.byref(attr),
                    ctypes.c_size_t(size), ctypes.c_uint32(0))
    try:
        for path in read_only:
            if os.path.exists(path):
                _allow(ruleset, path, READ_RIGHTS & attr.handled_access_fs)
        for path in read_write:
            if not os.path.exists(path):
                raise FileNotFoundError(f"Landlock: read-write path {path} does not exist")
            _allow(ruleset, path, attr.handled_access_fs)
        _step("landlock_restrict_self", SYS_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0))
    finally:
        os.close(ruleset)


def _no_new_privs():
    if _libc().prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"prctl(PR_SET_NO_NEW_PRIVS): {os.strerror(error)}")


def _step(name, number, *args):
    try:
        return _syscall(number, *args)
    except OSError as error:
        raise OSError(error.errno, f"Landlock: {name} failed: {error.strerror}") from None


def _allow(ruleset, path, rights):
    """Add a rule granting `rights` beneath `path` (only the file's own rights when it is a file)."""
    fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    try:
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            rights &= FILE_RIGHTS
        rule = PathBeneathAttr(allowed_access=rights, parent_fd=fd)
        try:
            _syscall(SYS_ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(RULE_PATH_BENEATH),
                     ctypes.byref(rule), ctypes.c_uint32(0))
        except OSError as error:
            raise OSError(error.errno, f"Landlock: cannot add a rule for {path}: {error.strerror}") from None
    finally:
        os.close(fd)


# (ABI, what is enforced from that ABI on, what is missing below it)
BY_ABI = [
    (2, "moving and linking files only between read-write paths",
        "moving or linking a file into another folder is always refused (ABI 1)"),
    (3, "truncate() refused outside the read-write paths",
        "truncate() of a file outside the read-write paths, when its permissions allow"),
    (4, "TCP connect/bind denied", "TCP connect and bind (seccomp or a network namespace must close them)"),
    (5, "ioctl refused on devices opened after restrict()", "ioctl on devices"),
    (6, "signals and abstract sockets scoped: no signal to, and no abstract unix socket "
        "connection with, a process outside the domain",
        "signals to the grader's other processes, and abstract unix sockets"),
]
ALWAYS_MISSING = [
    "UDP, raw and other socket families, and connecting to a named unix socket whose path "
    "is known (seccomp must close those)",
    "reading /proc of processes outside the domain is limited by ptrace rules only: their "
    "cmdline and status, and on some kernels environ and maps, stay readable to the same user",
    "CPU time, memory and file size are not limited (rlimits do that)",
    "files already open before restrict() keep their access",
]


def what_it_covers(abi=None):
    """What restrict() enforces on this kernel (or at ABI `abi`), and what it leaves to others.

    Returns {"abi": N, "enforced": [sentences], "not_enforced": [sentences]}.
    """
    abi = abi_version() if abi is None else abi
    if abi < 1:
        return {"abi": 0, "enforced": [],
                "not_enforced": ["nothing: Landlock is not available on this kernel"]}
    enforced = ["files: read and execute only beneath the read-only paths; create, change "
                "and delete only beneath the read-write paths",
                "inherited by every process started afterwards; set-uid programs gain "
                "nothing (no_new_privs)",
                "no ptrace attach to, and no /proc/<pid>/mem of, processes outside the domain"]
    missing = []
    for level, has, lacks in BY_ABI:
        if abi >= level:
            enforced.append(has)
        else:
            missing.append(lacks)
    return {"abi": abi, "enforced": enforced, "not_enforced": missing + ALWAYS_MISSING}


def default_read_only():
    """The system files and folders a Python process (numpy included) needs to read, that exist.

    /dev/null is only read here: a process that opens it for writing (subprocess.DEVNULL does)
    needs it among the read-write paths.
    """
    candidates = ["/usr", "/lib", "/lib64", "/bin", "/etc/ld.so.cache", "/etc/localtime",
                  "/etc/fonts", "/dev/null", "/dev/urandom", "/dev/zero", "/proc",
                  sys.base_prefix, sys.prefix, os.path.dirname(os.path.realpath(sys.executable))]
    paths = []
    for path in candidates:
        if os.path.exists(path) and path not in paths:
            paths.append(path)
    return paths
