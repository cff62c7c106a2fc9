"""The parent side of the sandbox: one killable child process per learner module.

The child runs :mod:`nnlab.sandbox.server` in a fresh, isolated interpreter
(``python -I``) inside a private temporary directory that holds a copy of the
learner's file and nothing else. We talk to it over two pipes; its stdout and
stderr go to /dev/null (nothing it prints is read, so nothing it prints can count).
Every wait has a deadline measured here, in the parent; on a time-out the whole
process tree is killed (see :mod:`nnlab.sandbox.processes`) and the next call
starts a new child.

Before it runs learner code the child limits its own data memory, marks itself
``no_new_privs`` and, when we run as root, switches to a fresh unprivileged user id
that can read its copy but cannot write the learner's folder, reports or progress.
As root it also joins cgroups of its own (:mod:`nnlab.sandbox.cgroups`: memory, pids,
cpu, cpuset) and lives in a world of its own: the first process of its own PID namespace,
with its own IPC and network namespaces and a new root holding only the system's folders,
the interpreter's and its own (:mod:`nnlab.sandbox.world`, server._enter_new_root). Without
cgroups the parent sums the resident memory of the child's tree while it waits.

Here: the :class:`Sandbox`, one child's life and its limits. Children are forked from a
template (:mod:`nnlab.sandbox.template`); requests and replies cross the pipes of a
:mod:`nnlab.sandbox.channel`, and replies are parsed by :mod:`nnlab.sandbox.replies`.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nnlab import text
from nnlab.sandbox import SERVER, cgroups, isolation, processes, protocol, replies, world
from nnlab.sandbox.channel import Channel
from nnlab.sandbox.protocol import ProtocolError
from nnlab.sandbox.replies import (
    ChildCrashed,
    ChildIdle,
    CpuLimitReached,
    MemoryExceeded,
    Reply,
    SandboxFailure,
)
from nnlab.sandbox.template import CloneProcess, ForkedChild, Template, child_environment
from nnlab.version import __version__

# the JSON part of a reply (arrays travel beside it, as .npy bytes): parsed in the grader,
# so bounded (2 MiB of "[]," is ~50 MB of Python lists; its depth is bounded by the parser)
HEADER_LIMIT = 2 * 1024 * 1024
PROGRESS_LIMIT = 1000  # progress lines shown per call; more are read and dropped
MEMORY_LIMIT = 2 * 1024**3  # default per child (data memory per process, resident for the tree)
FILE_SIZE_LIMIT = 1024**3  # largest file the child may write
PROCESS_LIMIT = 1024  # processes and threads of the child's user (when we run as root)
MEMORY_POLL_SECONDS = 0.2
# A call's limit is CPU time: the child's, all its threads and the processes it waited for,
# read from /proc/<pid>/stat, which a busy machine does not stretch (40 other busy processes
# on two cores make a call take ~20 times as long on the clock, and about as much CPU time).
# The wall clock only guards against a child that never ends: it waits this many times the
# CPU limit, so that a call within its CPU limit is never stopped by it below a load of ~60
# on two cores (and a minute more, for short limits). A child that uses no CPU at all (asleep,
# or blocked) for as long as its CPU limit (2 s at least) is stopped then: that does not
# depend on the load either, since a child that only waits for a core is runnable, and one
# that waits for this process to read its reply has sent something: both count as busy.
WALL_GUARD_FACTOR = 30
WALL_GUARD_EXTRA_SECONDS = 60.0
IDLE_MIN_SECONDS = 2.0  # the least time without CPU use that stops a call as idle


def wall_guard(cpu_limit: float) -> float:
    """The wall-clock seconds a call with ``cpu_limit`` seconds of CPU time is waited for."""
    return cpu_limit * WALL_GUARD_FACTOR + WALL_GUARD_EXTRA_SECONDS


TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
PIPE_BYTES = 1024 * 1024  # the default /proc/sys/fs/pipe-max-size


class Sandbox:
    """One learner module loaded in a child process; restarted after a kill."""

    def __init__(
        self,
        source: str,
        file_name: str,
        module_name: str,
        *,
        probes: Path | None = None,
        load_timeout: float = 20.0,
        on_progress: Callable[[str], None] | None = None,
        memory_limit: int | None = MEMORY_LIMIT,
        preload: tuple[str, ...] = (),
        code: bytes | None = None,
    ) -> None:
        self.source = source
        # ``source`` compiled by the grader (marshal.dumps of a code object): the child runs
        # it instead of compiling the file again. Built from the same text as the file.
        self.code = code
        self.file_name = Path(file_name).name
        self.module_name = module_name
        self.probes = probes
        self.load_timeout = load_timeout
        self.on_progress = on_progress
        self.memory_limit = memory_limit
        self.preload = preload  # trusted modules the child may find imported (a warm template)
        self.uid: int | None = None  # the unprivileged user the child was asked to run as
        self.group: cgroups.ChildGroup | None = None  # the child's cgroups (as root)
        self.started_ticks = 0  # when the child was started (see processes.ticks_now)
        self._next_poll = 0.0
        self.process: subprocess.Popen[bytes] | None = None
        self.workdir: str | None = None
        self.channel: Channel | None = None  # the pipes to the child, while it runs
        self._load_request: tuple[dict[str, Any], list[Any]] | None = None
        self.generation = 0
        self._stat_fd: int | None = None  # /proc/<pid>/stat of the child, kept open
        self._cpu_mark = 0  # the child's CPU ticks when its last reply came
        self._cpu_limit: float | None = None  # of the call being waited for
        self._cpu_polled = 0
        self._next_cpu_poll = 0.0
        self._last_progress = 0.0
        self.last_cpu_seconds = 0.0  # of the last round trip (reply or failure)
        self._asked: dict[str, Any] | None = None  # the settings of a child not heard from yet

    # --- life cycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Spawn the child (without waiting for it): the load request is queued at once."""
        self.close()
        processes.become_subreaper()
        self.uid = processes.unprivileged_uid()
        self.started_ticks = processes.ticks_now()
        processes.sweep_folders(tempfile.gettempdir(), "nnlab-child-")
        self.workdir = tempfile.mkdtemp(prefix=f"nnlab-child-{os.getpid()}-")
        base = Path(self.workdir)
        # only what the child needs: a copy of the learner's file (and of our probes),
        # read-only, beside a private home that is the child's working directory
        learner_copy = base / self.file_name
        learner_copy.write_text(self.source, encoding="utf-8")
        probes_copy = None
        if self.probes:
            probes_copy = base / "_nnlab_probes.py"
            shutil.copyfile(self.probes, probes_copy)
        home = base / "home"
        home.mkdir()
        for path in (learner_copy, probes_copy):
            if path:
                path.chmod(0o444)
        if self.uid is not None:
            # its own folder: no other child's user can list it or open what is in it
            os.chown(base, self.uid, self.uid)
            base.chmod(0o700)
            os.chown(home, self.uid, self.uid)
        settings = {
            "memory": self.memory_limit,
            "file_size": FILE_SIZE_LIMIT,
            "uid": self.uid,
            "gid": self.uid,
            "processes": PROCESS_LIMIT,
            "reach": world.needed_directories(base),
            "parent": os.getpid(),
        }
        if self.uid is not None:
            self.group = cgroups.for_child(self.memory_limit, PROCESS_LIMIT, _cores())
            if self.group is not None:
                settings["cgroups"] = self.group.procs
            elif cgroups.unavailable() is None:
                isolation.note(isolation.NO_CHILD_CGROUPS)
        if self.uid is not None and world.PRIVATE_WORLD:
            settings["pid_namespace"] = True
            settings["world"] = {
                "workdir": str(base),
                "hide": world.hidden_directories(),
                "tmp_bytes": self.memory_limit or 0,
                "nnlab_version": __version__,
                "new_root": world.NEW_ROOT,
            }
        elif self.uid is not None:
            isolation.note(isolation.NO_WORLD)
        request_read, request_write = os.pipe()
        reply_read, reply_write = os.pipe()
        for fd in (request_write, reply_write):  # large arrays cross in fewer round trips
            _widen_pipe(fd)
        template = Template.shared(self.preload)
        # what the child prints goes nowhere: a grading reads only its replies
        if template is not None:
            request = {"cwd": str(home), "env": child_environment(str(home)), "settings": settings}
            passed = [request_read, reply_write]
            try:
                token = template.fork(request, passed)
            finally:
                for fd in passed:
                    os.close(fd)
            self.process = ForkedChild(template, token)  # type: ignore[assignment]
        else:
            command = [sys.executable, "-I", "-B", str(SERVER), str(request_read), str(reply_write)]
            with world.pids_of_its_own(settings.get("pid_namespace", False)):
                self.process = subprocess.Popen(
                    [*command, json.dumps(settings)],
                    cwd=home,
                    env=child_environment(str(home)),
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    pass_fds=(request_read, reply_write),
                    start_new_session=True,
                    close_fds=True,
                )
            processes.register(self.process.pid)
            os.close(request_read)
            os.close(reply_write)
        os.set_blocking(request_write, False)  # every write has the deadline of its call
        self.channel = Channel(
            request_write,
            reply_read,
            watch=self._watch,
            ended=self._crashed,
            poll_seconds=MEMORY_POLL_SECONDS,
        )
        self._asked = settings  # its first frame says what it got of them (isolation)
        self._cpu_mark = 0  # a new process starts at no CPU time
        self.generation += 1
        # sent by load(), not now: the import starts when its clock does (a child started
        # early, while the previous exercise is graded, only gets ready to import)
        self._load_request = (
            {
                "op": "load",
                "path": str(learner_copy),
                "module": self.module_name,
                "probes": str(probes_copy) if probes_copy else "",
                "code": self.code is not None,
            },
            [] if self.code is None else [(self.code,)],
        )

    def load(self) -> Reply:
        """Start the child if needed, have it import the learner's module and wait for that:
        ``load_timeout`` seconds of CPU time (see WALL_GUARD_FACTOR), counted from now, when
        the child is told to start the import (not from its start, which may be earlier)."""
        if self.process is None:
            self.start()
        if self._load_request is not None:
            self._channel().send(*self._load_request)
            self._load_request = None
        return self._receive(
            wall_guard(self.load_timeout),
            what=f"importing {self.file_name}",
            cpu_limit=self.load_timeout,
        )

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def close(self) -> None:
        """Kill the child's whole process tree and remove its working directory."""
        process, self.process = self.process, None
        channel, self.channel = self.channel, None
        if channel is not None:
            channel.close()
        if self._stat_fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._stat_fd)
            self._stat_fd = None
        if process is not None:
            try:
                pid = process.pid
            except ChildCrashed:  # a forked child the template never made: nothing to kill
                pid = None
        if process is not None and pid is not None:
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:  # dead in a moment: then one look at /proc finds whatever it left behind
                process.wait(timeout=5)
                reaped = True
            except subprocess.TimeoutExpired:
                reaped = False
            if not (reaped and _nothing_left(process)):
                processes.kill_tree(pid, self.uid, since=self.started_ticks)
            processes.unregister(process.pid)
            if self.uid is not None:
                processes.remove_files_of(self.uid)
        if self.group is not None:
            self.group.remove()
            self.group = None
        if self.workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- calls ------------------------------------------------------------------------------

    def call(
        self,
        function: str,
        args: tuple[Any, ...] = (),
        kwargs: dict[str, Any] | None = None,
        *,
        timeout: float,
        probe: bool = False,
        cpu_limit: float | None = None,
    ) -> Reply:
        """Run ``function(*args, **kwargs)`` in the child; raise SandboxFailure if it misbehaves.

        ``timeout`` is wall-clock seconds; with ``cpu_limit``, the call is also stopped once
        the child used that much CPU time, or used none for that long (WALL_GUARD_FACTOR)."""
        if self.process is None:  # a child that died since is found out by the read below
            raise ChildCrashed("the process running your code is not running")
        blobs: list[Any] = []
        header = {
            "op": "call",
            "function": function,
            "probe": probe,
            "args": protocol.encode(list(args), blobs),
            "kwargs": protocol.encode(dict(kwargs or {}), blobs),
        }
        self._channel().send(header, blobs)
        return self._receive(timeout, what=function, cpu_limit=cpu_limit)

    def call_many(
        self,
        function: str,
        calls: list[tuple[tuple[Any, ...], dict[str, Any]]],
        *,
        timeout: float,
        probe: bool = False,
        cpu_limit: float | None = None,
    ) -> list[Reply]:
        """Several calls of ``function`` in one round trip (each from a clean state, as
        :meth:`call` runs it); one reply per call, in order."""
        if self.process is None:  # a child that died since is found out by the read below
            raise ChildCrashed("the process running your code is not running")
        blobs: list[Any] = []
        header = {
            "op": "many",
            "function": function,
            "probe": probe,
            "calls": [
                {
                    "args": protocol.encode(list(args), blobs),
                    "kwargs": protocol.encode(dict(kwargs), blobs),
                }
                for args, kwargs in calls
            ],
        }
        self._channel().send(header, blobs)
        reply = self._receive(timeout, what=function, cpu_limit=cpu_limit)
        if reply.missing is None and len(reply.results) != len(calls):
            self.close()
            raise ChildCrashed(f"the process running your code answered {function} wrongly")
        return reply.results if reply.missing is None else [reply] * len(calls)

    def _receive(self, timeout: float, what: str, cpu_limit: float | None = None) -> Reply:
        deadline = time.monotonic() + timeout
        self._next_poll = time.monotonic() + MEMORY_POLL_SECONDS  # quick calls are not polled
        self._next_cpu_poll, self._last_progress = self._next_poll, time.monotonic()
        self._cpu_limit, self._cpu_polled, self.last_cpu_seconds = cpu_limit, -1, 0.0
        shown = 0
        try:
            while True:
                payload = self._channel().read_frame(deadline, timeout, what)
                header, blobs = protocol.unpack(payload, HEADER_LIMIT)
                text.clean_tree(header)  # the one place the child's words enter the grader
                if self._asked is not None:  # its first frame: sent before learner code ran
                    isolation.note_child(self._asked, header.get("confined"))
                    self._asked = None
                if "confined" in header:
                    continue
                if "progress" not in header:
                    reply = replies.parse(header, blobs)
                    reported = reply.cpu_seconds + sum(r.cpu_seconds for r in reply.results)
                    reply.cpu_seconds = self.last_cpu_seconds = max(reported, self._cpu_used())
                    break
                shown += 1
                if self.on_progress and shown <= PROGRESS_LIMIT:
                    self.on_progress(replies.printable(header["progress"]))
        except ProtocolError as error:
            self.close()
            raise ChildCrashed(
                f"the process running your code sent back unreadable data ({error})"
            ) from None
        except SandboxFailure:
            with contextlib.suppress(SandboxFailure):
                self.last_cpu_seconds = self._cpu_used()
            self.close()
            raise
        if cpu_limit is not None and reply.cpu_seconds > cpu_limit:
            # CPU time is looked at every MEMORY_POLL_SECONDS: a call can end past its limit
            # between two looks. Its verdict is the one a look would have given, not a race.
            self.close()
            raise CpuLimitReached(f"{what} did not finish within {cpu_limit:g} s of CPU time")
        return reply

    def _cpu_reading(self) -> tuple[float, bool] | None:
        """The child's CPU time in clock ticks and whether it is runnable or in disk I/O;
        None when /proc cannot tell. The time is its cpuacct group's where it has one (every
        process it ever had: a grandchild no one waits for too), else its own in /proc (its
        threads and the children it waited for)."""
        try:
            if self._stat_fd is None:
                if self.process is None:
                    return None
                self._stat_fd = os.open(
                    f"/proc/{self.process.pid}/stat", os.O_RDONLY | os.O_CLOEXEC
                )
            raw = os.pread(self._stat_fd, 1024, 0)
            fields = raw[raw.rfind(b")") + 2 :].split()
            ticks: float = sum(int(f) for f in fields[11:15])
            runnable = fields[0] in (b"R", b"D")
        except (OSError, ValueError, IndexError):
            return None
        grouped = self.group.cpu_seconds() if self.group is not None else None
        return (ticks if grouped is None else grouped * TICKS_PER_SECOND), runnable

    def _cpu_used(self) -> float:
        """CPU seconds the child used since its last reply; the mark moves to now."""
        reading = self._cpu_reading()
        if reading is None:
            return 0.0
        used, self._cpu_mark = (reading[0] - self._cpu_mark) / TICKS_PER_SECOND, reading[0]
        return max(used, 0.0)

    def _watch_cpu(self, what: str, replying: bool) -> None:
        """Stop a call that used up its CPU time, or that used none for as long (asleep or
        blocked on something of its own). Busy, never idle: a child that is runnable (waiting
        for a core, on a loaded machine), in disk I/O, or that has sent something this
        process has not read yet (``replying``: a large reply fills the pipe, and the child
        waits for this process, which a loaded machine may keep waiting)."""
        now, limit = time.monotonic(), self._cpu_limit
        if replying:
            self._last_progress = now
        if limit is None or now < self._next_cpu_poll:
            return
        self._next_cpu_poll = now + MEMORY_POLL_SECONDS
        reading = self._cpu_reading()
        if reading is None:
            return
        ticks, runnable = reading
        if (ticks - self._cpu_mark) / TICKS_PER_SECOND > limit:
            raise CpuLimitReached(f"{what} did not finish within {limit:g} s of CPU time")
        if runnable or ticks != self._cpu_polled:
            self._last_progress, self._cpu_polled = now, ticks
        elif now - self._last_progress > max(limit, IDLE_MIN_SECONDS):
            raise ChildIdle(
                f"{what} did not finish: it used no CPU time for "
                f"{max(limit, IDLE_MIN_SECONDS):.1f} s (asleep, or waiting for something that "
                "never comes)"
            )

    def _channel(self) -> Channel:
        if self.channel is None:  # closed since: a call after a kill, found out here
            raise ChildCrashed("the process running your code is not running")
        return self.channel

    def _watch(self, what: str, replying: bool) -> None:
        """What the channel calls while it waits: stop a call that used too much memory, too
        much CPU time, or none for too long."""
        self._watch_memory(what)
        self._watch_cpu(what, replying)

    def _watch_memory(self, what: str) -> None:
        """Kill the child when its whole tree holds more resident memory than allowed."""
        now = time.monotonic()
        if not self.memory_limit or self.process is None or now < self._next_poll:
            return
        self._next_poll = now + MEMORY_POLL_SECONDS
        if self.group is not None and "memory" in self.group.directories:
            # the kernel enforces it: a process of the tree it killed ends the whole child
            # (a forked helper may be the one killed, and the child wait for it forever)
            if self.group.oom_killed():
                raise MemoryExceeded(self._over_memory(what))
            return
        used = processes.memory_in_use(self.process.pid, self.uid, self.started_ticks)
        if used > self.memory_limit:
            raise MemoryExceeded(self._over_memory(what))

    def running_as(self) -> int | None:
        """The real user id of the child process now (None when it is not running)."""
        if self.process is None:
            return None
        return processes.user_of(self.process.pid)

    def _crashed(self, what: str) -> ChildCrashed:
        """How the child ended, as the failure to raise: the kernel's memory limit (its
        cgroup's OOM killer) is told as such."""
        notice = self._death_notice(what)
        if self.group is not None and self.group.oom_killed():
            return MemoryExceeded(self._over_memory(what))
        return ChildCrashed(notice)

    def _over_memory(self, what: str) -> str:
        return (
            f"{what} used more than {_size(self.memory_limit or 0)} of memory, the limit for "
            "this exercise, so it was stopped; avoid building huge intermediate arrays"
        )

    def _death_notice(self, what: str) -> str:
        process = self.process
        code = None
        if process is not None:
            try:
                code = process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                code = None
        if code is not None and code < 0:
            try:
                reason = f"killed by {signal.Signals(-code).name}"
            except ValueError:
                reason = f"killed by signal {-code}"
        elif code is not None:
            reason = f"exited with status {code}"
        else:
            reason = "closed its connection"
        during = "while" if what.startswith("importing ") else "during"
        return f"the process running your code {reason} {during} {what}"


def _size(count: float) -> str:
    return f"{count / 2**30:g} GiB" if count >= 2**30 else f"{count / 2**20:.0f} MiB"


def _cores() -> set[int]:
    """The cores this process may run on (a grade-batch worker's one): its child's too."""
    try:
        return set(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return set(range(os.cpu_count() or 1))


def _widen_pipe(fd: int) -> None:
    """A pipe buffer of up to 1 MiB instead of 64 KiB (Linux; elsewhere nothing happens)."""
    try:
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except (ImportError, AttributeError, OSError):
        pass


def _nothing_left(process: Any) -> bool:
    """True when a reaped child cannot have left a process behind: its template says so
    (it adopts, counts and kills what a child leaves), or else nothing came back to us."""
    left = getattr(process, "left", None)
    if left is not None:
        return left == 0
    if isinstance(process, ForkedChild) and isinstance(process.template.process, CloneProcess):
        return False  # a clone that cannot count: what was left went past us, so look
    return processes.nothing_left_behind()
