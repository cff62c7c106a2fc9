"""Every process a sandboxed child leaves behind, found in /proc and killed; its memory summed.

A child's descendants are found four ways, so that none escapes by changing one thing:

- its process group and session (``start_new_session``: both are the child's pid);
- its descendants, by parent links;
- when nnlab runs as root, the unprivileged user id the child runs as, unique per child;
- escaped orphans: the grading process makes itself a *child subreaper*, so a descendant
  whose parent died (the classic double fork after ``setsid()``) is re-parented to us
  rather than to init; it is recognised by the ``no_new_privs`` flag that the child
  sets on itself before running learner code and that no descendant can clear.

Linux only; elsewhere these functions find nothing and only the process group is killed.
"""

from __future__ import annotations

import os
import random
import signal
import sys
import threading
import time
from dataclasses import dataclass

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
UID_RANGE = (2_000_000_000, 2_100_000_000)  # unprivileged ids no account uses
_PR_SET_CHILD_SUBREAPER = 36

_live: set[int] = set()  # the children (servers) this process is running now
_lock = threading.Lock()
_subreaper: bool | None = None
_subreaper_pid = 0  # the flag is not inherited by a fork: set it again in a new process


@dataclass(frozen=True)
class Entry:
    pid: int
    ppid: int
    pgrp: int
    session: int
    state: str
    rss: int  # bytes
    started: int = 0  # clock ticks after boot


def snapshot() -> dict[int, Entry]:
    """Every process we can see, from /proc/<pid>/stat."""
    table: dict[int, Entry] = {}
    try:
        names = os.listdir("/proc")
    except OSError:
        return table
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as handle:
                raw = handle.read()
            fields = raw[raw.rfind(b")") + 2 :].split()
            table[int(name)] = Entry(
                pid=int(name),
                ppid=int(fields[1]),
                pgrp=int(fields[2]),
                session=int(fields[3]),
                state=fields[0].decode(),
                rss=int(fields[21]) * PAGE_SIZE,
                started=int(fields[19]),
            )
        except (OSError, ValueError, IndexError):
            continue
    return table


def _status(pid: int) -> tuple[int | None, bool]:
    """(real user id, no_new_privs flag) of a process, or (None, False) if it is gone."""
    uid, marked = None, False
    try:
        with open(f"/proc/{pid}/status", "rb") as handle:
            for line in handle:
                if line.startswith(b"Uid:"):
                    uid = int(line.split()[1])
                elif line.startswith(b"NoNewPrivs:"):
                    marked = line.split()[1] == b"1"
    except (OSError, ValueError, IndexError):
        return None, False
    return uid, marked


def user_of(pid: int) -> int | None:
    return _status(pid)[0]


def _owner(pid: int) -> int | None:
    """The owner of a process's /proc entry: its user, unless it made itself non-dumpable
    (then root). One stat, no parsing: good enough to pick an unused user id."""
    try:
        return os.stat(f"/proc/{pid}").st_uid
    except OSError:
        return None


def become_subreaper() -> bool:
    """Make this process adopt orphaned descendants (once); False where unsupported."""
    global _subreaper, _subreaper_pid
    if _subreaper is None or _subreaper_pid != os.getpid():
        _subreaper, _subreaper_pid = False, os.getpid()
        with _lock:
            _live.clear()  # a forked copy of the module: those children are not ours
        if sys.platform.startswith("linux"):
            try:
                import ctypes

                libc = ctypes.CDLL(None, use_errno=True)
                _subreaper = libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
            except (OSError, AttributeError):
                _subreaper = False
    return _subreaper


def _marks_are_meaningful() -> bool:
    """no_new_privs identifies our children's orphans only if we do not carry it ourselves."""
    return not _status(os.getpid())[1]


def register(pid: int) -> None:
    with _lock:
        _live.add(pid)


def unregister(pid: int) -> None:
    with _lock:
        _live.discard(pid)


def escaped(table: dict[int, Entry]) -> set[int]:
    """Orphans re-parented to this process that came from a sandboxed child."""
    me = os.getpid()
    if not _subreaper or _subreaper_pid != me or not _marks_are_meaningful():
        return set()
    with _lock:
        live = set(_live)
    found = set()
    for entry in table.values():
        if entry.ppid == me and entry.pid not in live and _status(entry.pid)[1]:
            found.add(entry.pid)
    return found


def members(root: int, uid: int | None, table: dict[int, Entry], since: int = 0) -> set[int]:
    """The child ``root`` and everything descended from it or marked as its own.

    ``since`` (clock ticks after boot, see :func:`ticks_now`) is when the child was started:
    a process started earlier cannot run as the child's fresh user id, so only the newer
    ones are asked for their user id (one file read each; a busy machine has hundreds).
    """
    me = os.getpid()
    found = {root} if root in table else set()
    for entry in table.values():
        if entry.pid == me:
            continue
        if entry.pgrp == root or entry.session == root:
            found.add(entry.pid)
        elif uid is not None and entry.started >= since and _status(entry.pid)[0] == uid:
            found.add(entry.pid)
    return _with_descendants(found, table)


def ticks_now() -> int:
    """Now, in the clock ticks after boot that /proc/<pid>/stat gives start times in
    (rounded down, less one tick: a process started from now on is never earlier)."""
    try:
        ticks_per_second = os.sysconf("SC_CLK_TCK")
        return max(int(time.clock_gettime(time.CLOCK_BOOTTIME) * ticks_per_second) - 1, 0)
    except (AttributeError, OSError, ValueError):
        return 0


def _with_descendants(found: set[int], table: dict[int, Entry]) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in table.values():
        children.setdefault(entry.ppid, []).append(entry.pid)
    stack, seen = list(found), set(found)
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in seen:
                seen.add(child)
                stack.append(child)
    seen.discard(os.getpid())
    return seen


def memory_in_use(root: int, uid: int | None, since: int = 0) -> int:
    """Resident memory of the child's whole tree, in bytes; escaped orphans are killed on sight."""
    table = snapshot()
    strays = escaped(table)
    if strays:
        _kill_all(_with_descendants(strays, table), table)
    return sum(table[pid].rss for pid in members(root, uid, table, since) if pid in table)


def _kill_all(pids: set[int], table: dict[int, Entry]) -> int:
    killed = 0
    for pid in pids:
        if table.get(pid) and table[pid].state == "Z":
            continue
        try:
            os.kill(pid, signal.SIGKILL)
            killed += 1
        except (ProcessLookupError, PermissionError):
            pass
    return killed


def kill_tree(root: int, uid: int | None, rounds: int = 200, since: int = 0) -> None:
    """SIGKILL the child's tree and escaped orphans until none is left (forks race the kill).

    Usually the child itself is dead already (the caller kills its process group and waits
    for it): one look at /proc then finds nothing left, and no second look is needed.
    """
    table: dict[int, Entry] = {}
    for _ in range(rounds):
        table = snapshot()
        targets = members(root, uid, table, since) | _with_descendants(escaped(table), table)
        if not _kill_all(targets, table):
            break
        time.sleep(0.005)
    reap_orphans(table)


def nothing_left_behind() -> bool:
    """True when a child that has died and been reaped cannot have left a process behind.

    Everything a child starts descends from it; when a process dies, its children are
    re-parented to the nearest child subreaper, this process. So if our only children are
    the ones we started ourselves (templates, started children), nothing of a dead child's
    tree is alive, and the look at every process in /proc (the costly part of closing a
    sandbox) can be skipped. False whenever that cannot be known (no subreaper, no
    /proc/<pid>/task/<tid>/children): then the caller looks.
    """
    if not _subreaper or _subreaper_pid != os.getpid():
        return False
    children: set[int] = set()
    try:
        for thread in os.listdir("/proc/self/task"):
            with open(f"/proc/self/task/{thread}/children", "rb") as handle:
                children.update(int(pid) for pid in handle.read().split())
    except (OSError, ValueError):
        return False
    with _lock:
        return children <= _live


def kill_escaped() -> None:
    """Kill every escaped orphan re-parented to this process (and its descendants).

    For a supervisor of grading workers (``grade-batch``): call :func:`become_subreaper`
    before starting them, and this after killing one, so that what its children left
    behind comes back here and dies too.
    """
    for _ in range(200):
        table = snapshot()
        if not _kill_all(_with_descendants(escaped(table), table), table):
            break
        time.sleep(0.005)
    reap_orphans(table)


def reap_orphans(table: dict[int, Entry] | None = None) -> None:
    """Collect the exit status of dead orphans re-parented to us, so no zombie stays."""
    me = os.getpid()
    if not _subreaper or _subreaper_pid != me or not _marks_are_meaningful():
        return
    table = snapshot() if table is None else table
    with _lock:
        live = set(_live)
    for entry in table.values():
        if entry.ppid == me and entry.state == "Z" and entry.pid not in live:
            if _status(entry.pid)[1]:
                try:
                    os.waitpid(entry.pid, os.WNOHANG)
                except ChildProcessError:
                    pass


def remove_files_of(uid: int, folders: tuple[str, ...] = ("/tmp", "/var/tmp", "/dev/shm")) -> None:
    """Remove what a child's own user left at the top of the shared temporary folders."""
    import shutil

    for folder in folders:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.stat(follow_symlinks=False).st_uid != uid:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    os.unlink(entry.path)
            except OSError:
                continue


_swept: set[tuple[int, str]] = set()


def sweep_folders(parent: str, prefix: str) -> None:
    """Once per process: remove ``<prefix><pid>-*`` folders whose grading process is dead
    (a grading worker killed before it could clean up after its child)."""
    import shutil

    if (os.getpid(), prefix) in _swept:
        return
    _swept.add((os.getpid(), prefix))
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return
    for entry in entries:
        owner = entry.name[len(prefix) :].split("-", 1)[0]
        if entry.name.startswith(prefix) and owner.isdigit() and owner != "0":
            if not os.path.exists(f"/proc/{owner}") and os.path.isdir("/proc/self"):
                shutil.rmtree(entry.path, ignore_errors=True)


_issued: set[int] = set()
_owners: tuple[int, float, set[int | None]] | None = None  # (pid, when, owners) of the last look
OWNERS_SECONDS = 1.0  # how long one look at the owners of /proc serves


def unprivileged_uid() -> int | None:
    """A fresh, unused user id for a child when we run as root; None otherwise.

    Never one this process handed out before, nor one that owned a process at the last look
    (at most OWNERS_SECONDS ago). Ownership is read from the owner of /proc/<pid> (one stat
    each, ~2.5 µs: a look costs ~1 ms on a machine with 400 processes, and a submission
    starts nine children): a process that made itself non-dumpable shows as root there, and
    one started since the last look would have to hold one of the other ids of a range of
    100 million, drawn at random.
    """
    global _owners
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or not sys.platform.startswith("linux"):
        return None
    now = time.monotonic()
    if _owners is None or _owners[0] != os.getpid() or now - _owners[1] > OWNERS_SECONDS:
        try:
            in_use = {_owner(int(name)) for name in os.listdir("/proc") if name.isdigit()}
        except OSError:
            in_use = set()
        _owners = (os.getpid(), now, in_use)
    in_use = _owners[2]
    chooser = random.SystemRandom()
    while True:
        uid = chooser.randrange(*UID_RANGE)
        if uid not in in_use and uid not in _issued:
            _issued.add(uid)
            return uid
