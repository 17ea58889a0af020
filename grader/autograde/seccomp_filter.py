"""The system calls student code may not make, whatever else isolates it.

A process that runs student code without root cannot be given another user;
namespaces (or Landlock) give it a view of its own, and this filter takes
away the calls that would let it leave that view or reach out of it:

- new namespaces, mounts and root changes (`unshare`, `clone`/`clone3` with
  namespace flags, `setns`, `mount` and the new mount API, `pivot_root`,
  `chroot`): a student who could make a user namespace of their own would be
  root in it again;
- looking into other processes (`ptrace`, `process_vm_readv/writev`,
  `pidfd_getfd`, `kcmp`, `perf_event_open`);
- the kernel's keyrings, BPF, `userfaultfd`, `open_by_handle_at`, module and
  kexec calls, `ioctl(TIOCSTI)` (typing into the grader's terminal);
- sockets of any family but AF_UNIX: a kernel talks to nbclient over Unix
  sockets, a student process over the socket pair it was given.

Each of these fails with EPERM, as if refused, so that a library probing for
a feature carries on. Everything else is allowed.
"""
import errno
import socket

import pyseccomp as seccomp

REFUSED = [
    "unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree", "fsopen",
    "fsmount", "fsconfig", "fspick", "mount_setattr",
    "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd", "kcmp", "perf_event_open",
    "bpf", "keyctl", "add_key", "request_key", "userfaultfd", "open_by_handle_at", "name_to_handle_at",
    "init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load", "acct", "swapon",
    "swapoff", "reboot", "quotactl", "lookup_dcookie", "iopl", "ioperm", "personality",
]
NAMESPACE_FLAGS = 0x7E020080  # CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET and CLONE_NEWTIME (0x80)
TIOCSTI, TIOCLINUX = 0x5412, 0x541C


def build(strict=False):
    """The filter, not yet loaded. `strict` (the Landlock tier, where the process shares the grader's
    file system and network namespace) also refuses connect() and Unix sockets other than streams:
    Landlock does not stop a connection to a named socket (a database's, a session bus)."""
    refuse = seccomp.ERRNO(errno.EPERM)
    rules = seccomp.SyscallFilter(seccomp.ALLOW)
    for name in REFUSED:
        rules.add_rule(refuse, name)
    for flag in single_bits(NAMESPACE_FLAGS):
        rules.add_rule(refuse, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, flag, flag))
    # clone3 passes its flags in memory, out of a filter's reach: ENOSYS makes glibc fall back to clone.
    rules.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
    for request in (TIOCSTI, TIOCLINUX):
        rules.add_rule(refuse, "ioctl", seccomp.Arg(1, seccomp.MASKED_EQ, 0xFFFFFFFF, request))
    # socket(): AF_UNIX, and AF_NETLINK's route protocol, which zeromq asks for the interfaces (none
    # to reach in a namespace of its own; Landlock's tier refuses TCP).
    for family in range(socket.AF_UNIX + 1, socket.AF_NETLINK):
        rules.add_rule(seccomp.ERRNO(errno.EACCES), "socket", seccomp.Arg(0, seccomp.EQ, family))
    rules.add_rule(seccomp.ERRNO(errno.EACCES), "socket", seccomp.Arg(0, seccomp.GT, socket.AF_NETLINK))
    rules.add_rule(seccomp.ERRNO(errno.EACCES), "socket", seccomp.Arg(0, seccomp.EQ, socket.AF_NETLINK),
                   seccomp.Arg(2, seccomp.NE, 0))
    rules.add_rule(seccomp.ERRNO(errno.EACCES), "socketpair", seccomp.Arg(0, seccomp.NE, socket.AF_UNIX))
    if strict:
        rules.add_rule(seccomp.ERRNO(errno.EACCES), "connect")
        rules.add_rule(seccomp.ERRNO(errno.EACCES), "socket", seccomp.Arg(0, seccomp.EQ, socket.AF_UNIX),
                       seccomp.Arg(1, seccomp.MASKED_EQ, 0xF, socket.SOCK_DGRAM))
    return rules


def single_bits(mask):
    return [1 << bit for bit in range(64) if mask >> bit & 1]


def load(strict=False):
    """Apply the filter to this process and everything it starts from now on (no way back)."""
    build(strict).load()


def write_program(path):
    """The filter as a BPF program in `path`, for bubblewrap's --seccomp."""
    with open(path, "wb") as program:
        build().export_bpf(program)
