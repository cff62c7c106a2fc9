"""Limits the kernel enforces on one sandboxed child: a control group (cgroup) of its own.

As root, where the cgroup v1 controllers are mounted (``/sys/fs/cgroup/memory``, ``pids``,
``cpu``, ``cpuset``), each child gets a group in each, under the grading process's own
group (``<its group>/nnlab-<pid>-<n>``):

- memory: everything the child's processes hold, shared memory included (``memfd`` files,
  System V segments, its tmpfs folders), is limited; over the limit the kernel's OOM
  killer ends the child, and the parent reads from the group that this is what happened;
- pids: at most so many processes and threads;
- cpu: a group of its own, so that a child with a hundred busy processes gets the share of
  the processors one group gets, not a hundred; and no more than its cores' time;
- cpuset: the cores the grading process may use (a grade-batch worker's one core): the
  child cannot move itself to another worker's core;
- cpuacct (where mounted; the same group as cpu where the two share a hierarchy): the CPU
  time of every process the child ever had, counted by the kernel, so that a grandchild
  nobody waits for counts against the call's CPU limit (:meth:`ChildGroup.cpu_seconds`).

The child moves itself into its groups before it runs learner code (server._join_cgroups);
the groups' files are root's, so its unprivileged user cannot move out again. The parent
removes the groups once the child has ended. Where this is not possible (not root, the
unified v2 hierarchy, no such controllers), :func:`for_child` gives None and
:func:`unavailable` says why: the memory limit is then the polled one (see launcher).
"""

from __future__ import annotations

import itertools
import os
import time
from dataclasses import dataclass, field

CONTROLLERS = ("memory", "pids", "cpu", "cpuset")
OPTIONAL = ("cpuacct",)  # used where mounted; the limits above do not need it
CPU_PERIOD_US = 100_000
_ROOT = "/sys/fs/cgroup"


@dataclass
class ChildGroup:
    """The groups of one child (one directory per controller)."""

    directories: dict[str, str]
    procs: list[str] = field(default_factory=list)  # the cgroup.procs files the child joins

    def oom_killed(self) -> bool:
        """True when the kernel killed a process of the group for exceeding its memory."""
        folder = self.directories.get("memory")
        if folder is None:
            return False
        try:
            with open(os.path.join(folder, "memory.oom_control")) as handle:
                for line in handle:
                    name, _, value = line.partition(" ")
                    if name == "oom_kill":
                        return int(value) > 0
            with open(os.path.join(folder, "memory.failcnt")) as handle:
                return int(handle.read()) > 0  # (kernels before 4.13: the limit was hit)
        except (OSError, ValueError):
            return False

    def cpu_seconds(self) -> float | None:
        """The CPU time of every process of the group so far, those that ended and those no
        one waited for included (None without a cpuacct group)."""
        folder = self.directories.get("cpuacct")
        if folder is None:
            return None
        try:
            return int(_read(folder, "cpuacct.usage")) / 1e9
        except (OSError, ValueError):
            return None

    def remove(self) -> None:
        """Remove the groups (their processes have ended; a dying one may hold on for a
        moment). What cannot be removed now is removed when this process exits."""
        for folder in dict.fromkeys(self.directories.values()):  # cpu and cpuacct may share one
            _remove(folder, patience=0.5)
        self.directories = {}


_state: tuple[int, dict[str, str] | None, str] | None = None  # (pid, bases, why not)
_counter = itertools.count(1)


def unavailable() -> str | None:
    """Why children get no cgroups of their own here (None when they do)."""
    return _bases()[1]


def for_child(memory: int | None, processes: int, cpus: set[int]) -> ChildGroup | None:
    """Make the groups of a new child: at most ``memory`` bytes, ``processes`` processes and
    threads, the cores ``cpus``. None where cgroups are not available to us."""
    bases, _ = _bases()
    if bases is None:
        return None
    name = f"nnlab-{os.getpid()}-{next(_counter)}"
    group = ChildGroup({})
    made: dict[str, str] = {}  # real base folder -> the group made in it
    try:
        for controller, base in bases.items():
            folder = os.path.join(base, name)
            shared = made.get(os.path.realpath(base))
            if shared is not None:  # co-mounted controllers (cpu,cpuacct): one group
                group.directories[controller] = shared
                continue
            os.mkdir(folder, 0o755)
            group.directories[controller] = made[os.path.realpath(base)] = folder
            if controller == "memory" and memory:
                _write(folder, "memory.limit_in_bytes", str(memory))
                if os.path.exists(os.path.join(folder, "memory.memsw.limit_in_bytes")):
                    _write(folder, "memory.memsw.limit_in_bytes", str(memory))  # no swap either
            elif controller == "pids":
                _write(folder, "pids.max", str(processes))
            elif controller == "cpu":
                _write(folder, "cpu.cfs_period_us", str(CPU_PERIOD_US))
                _write(folder, "cpu.cfs_quota_us", str(CPU_PERIOD_US * max(len(cpus), 1)))
            elif controller == "cpuset":  # a v1 cpuset starts empty: no task could join it
                allowed = _cpu_list(_read(base, "cpuset.cpus"))
                chosen = sorted(cpus & allowed) or sorted(allowed)
                _write(folder, "cpuset.mems", _read(base, "cpuset.mems"))
                _write(folder, "cpuset.cpus", ",".join(str(cpu) for cpu in chosen))
            group.procs.append(os.path.join(folder, "cgroup.procs"))
    except OSError:
        group.remove()
        return None
    return group


def _bases() -> tuple[dict[str, str] | None, str | None]:
    """This process's own folder in each controller (made on first use), or why not."""
    global _state
    if _state is not None and _state[0] == os.getpid():
        return _state[1], (_state[2] or None)
    bases: dict[str, str] | None = None
    reason = ""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        reason = "not running as root"
    elif os.path.exists(os.path.join(_ROOT, "cgroup.controllers")):
        reason = "the unified cgroup v2 hierarchy is not supported yet"
    else:
        own = _own_groups()
        missing = [c for c in CONTROLLERS if c not in own or not _mounted(c)]
        if missing:
            reason = f"no cgroup v1 controller {', '.join(missing)}"
        else:
            bases, reason = _make_bases(own)
    _state = (os.getpid(), bases, reason)
    return bases, reason or None


def _make_bases(own: dict[str, str]) -> tuple[dict[str, str] | None, str]:
    """The grading process's own group in each controller, where its children's are made
    (after removing what dead grading processes left there)."""
    bases = {}
    for controller in CONTROLLERS + OPTIONAL:
        if controller in OPTIONAL and (controller not in own or not _mounted(controller)):
            continue
        folder = os.path.join(_ROOT, controller) + own[controller]
        if not os.access(folder, os.W_OK):
            if controller in OPTIONAL:
                continue
            return None, f"cannot make cgroups in {folder}"
        _sweep(folder)
        bases[controller] = folder
    return bases, ""


def _sweep(parent: str) -> None:
    """Remove the groups of grading processes that died before they could (killed)."""
    try:
        entries = [entry for entry in os.scandir(parent) if entry.name.startswith("nnlab-")]
    except OSError:
        return
    for entry in entries:
        owner = entry.name.split("-")[1]
        if owner.isdigit() and not os.path.exists(f"/proc/{owner}"):
            _remove(entry.path, patience=0.0)


def _own_groups() -> dict[str, str]:
    """{controller: this process's group path} from /proc/self/cgroup (v1 lines)."""
    found: dict[str, str] = {}
    try:
        with open("/proc/self/cgroup") as handle:
            for line in handle:
                _, controllers, path = line.rstrip("\n").split(":", 2)
                for controller in controllers.split(","):
                    if controller:
                        found[controller] = path.rstrip("/")
    except (OSError, ValueError):
        return {}
    return found


def _mounted(controller: str) -> bool:
    return os.path.exists(os.path.join(_ROOT, controller, "cgroup.procs"))


def _cpu_list(text: str) -> set[int]:
    """{0, 1, 4, 5, 6} from "0-1,4-6"."""
    cpus: set[int] = set()
    for part in text.strip().split(","):
        if "-" in part:
            low, high = part.split("-")
            cpus.update(range(int(low), int(high) + 1))
        elif part:
            cpus.add(int(part))
    return cpus


def _read(folder: str, name: str) -> str:
    with open(os.path.join(folder, name)) as handle:
        return handle.read().strip()


def _write(folder: str, name: str, value: str) -> None:
    with open(os.path.join(folder, name), "w") as handle:
        handle.write(value)


def _remove(folder: str, patience: float) -> None:
    deadline = time.monotonic() + patience
    while True:
        try:
            os.rmdir(folder)
            return
        except FileNotFoundError:
            return
        except OSError:
            if time.monotonic() >= deadline:
                return
            time.sleep(0.005)
