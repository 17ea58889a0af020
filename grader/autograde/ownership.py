"""What a run as root writes into someone else's course ends up theirs.

An instructor's clone (/home/<instructor>/course) graded by root (`sudo make grade`, a
cron job) would otherwise be left with root-owned autograded/, feedback/, grading_log/,
gradebook.db, reports and release/, and the instructor's own next `grade` would fail
with PermissionError. So when this process is root and the course root belongs to
another user, every entry inside the course owned by root is given to the course root's
owner (and its group, where root's group was set):

    with owned_by_course_owner(root):   # the CLI wraps every command in this (grader/__main__.py)
        ...                             # on exit, crash included, the tree is handed over

    hand_over(root, path)   # one file at once, for what others use while the run goes on

The whole tree is handed over, not a list of what was written: nbgrader and the workers
are other processes, and root-owned leftovers of an earlier run that was killed get
fixed too. The walk stays inside the course: symlinks are changed themselves (lchown),
never followed; other file systems mounted inside are not entered; a file with a hard
link outside the course is left alone (handing it over would give away the outside
name too).
"""
import contextlib
import os
import signal
import stat
import sys
import threading
from pathlib import Path


def course_owner(root):
    """(uid, gid) to give what this process writes in `root`, or None when nothing needs handing over:
    not root (it could not chown, and what it writes is its own), or the course is root's."""
    if os.geteuid() != 0:
        return None
    try:
        info = os.stat(root)
    except OSError:
        return None
    return (info.st_uid, info.st_gid) if info.st_uid != 0 else None


def _change(name, info, owner, dir_fd=None):
    uid, gid = owner
    # A group root did not set (a setgid folder's, say) is kept.
    group = gid if info.st_gid == os.getegid() else -1
    os.chown(name, uid, group, dir_fd=dir_fd, follow_symlinks=False)


def hand_over_tree(root):
    """Give every root-owned entry under `root` to root's owner; returns what could not be changed."""
    owner = course_owner(root)
    if owner is None:
        return []
    root = os.path.realpath(root)
    device = os.stat(root).st_dev
    me = os.geteuid()
    linked, failed = {}, []
    for folder, dirs, files, dir_fd in os.fwalk(root, follow_symlinks=False):
        for name in [*dirs, *files]:
            try:
                info = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
            except OSError:
                continue  # gone since it was listed
            if info.st_dev != device:
                if name in dirs:
                    dirs.remove(name)
                continue
            if info.st_uid != me:
                continue
            path = os.path.join(folder, name)
            if info.st_nlink > 1 and not stat.S_ISDIR(info.st_mode):
                # Decided once the walk has counted how many of its links are inside the course.
                linked.setdefault((info.st_dev, info.st_ino), [info, []])[1].append(path)
                continue
            try:
                _change(name, info, owner, dir_fd)
            except OSError:
                failed.append(path)
    for info, paths in linked.values():
        if len(paths) != info.st_nlink:
            failed.append(paths[0])
            continue
        try:
            now = os.lstat(paths[0])
            if (now.st_dev, now.st_ino) == (info.st_dev, info.st_ino):
                _change(paths[0], now, owner)
        except OSError:
            failed.append(paths[0])
    return failed


def hand_over(root, *paths):
    """Give `paths` (those inside `root` only) to root's owner now, not at the end of the run.

    For the gradebook: created by root, it would be unreadable to the instructor's formgrader
    while grading goes on; and SQLite running as root gives each journal, WAL and shared-memory
    file it creates the owner of its database, so handing the database over early hands those
    over too, in every worker."""
    owner = course_owner(root)
    if owner is None:
        return
    inside = Path(os.path.realpath(root))
    for path in paths:
        path = Path(path)
        # The folder resolved, the file itself not: a symlink named here is changed, not its target.
        real = Path(os.path.realpath(path.parent)) / path.name
        if inside not in real.parents:
            continue
        with contextlib.suppress(OSError):
            info = os.lstat(real)
            if info.st_uid == os.geteuid() and (info.st_nlink == 1 or stat.S_ISDIR(info.st_mode)):
                _change(real, info, owner)


def _stop_on_sigterm(signum, frame):
    # SIGTERM's default ends the process at once; as SystemExit it runs the hand-over first.
    raise SystemExit(128 + signum)


@contextlib.contextmanager
def owned_by_course_owner(*roots):
    """Around a command that writes into the courses `roots`: on the way out, however it ends,
    each course's tree is handed to its owner (see hand_over_tree)."""
    roots = [root for root in dict.fromkeys(os.path.realpath(r) for r in roots) if course_owner(root)]
    handler = None
    if roots and threading.current_thread() is threading.main_thread() \
            and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        handler = signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        yield
    finally:
        if handler is not None:  # a second SIGTERM, during the hand-over, ends the process at once
            signal.signal(signal.SIGTERM, handler)
        for root in roots:
            failed = hand_over_tree(root)
            if failed:
                print(f"warning: {len(failed)} paths in {root} are still root's, e.g. {failed[0]}",
                      file=sys.stderr)
