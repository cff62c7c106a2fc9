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
the interpreter's and its own (``PRIVATE_WORLD``, server._enter_new_root). Without cgroups
the parent sums the resident memory of the child's tree while it waits.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nnlab import text
from nnlab.sandbox import BLAS_THREADS, cgroups, processes, protocol
from nnlab.sandbox.protocol import Handle, ProtocolError
from nnlab.version import __version__

SERVER = Path(__file__).with_name("server.py")
REPLY_LIMIT = 64 * 1024 * 1024
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


class SandboxFailure(Exception):
    """The child did not answer properly: it died, timed out or sent garbage."""

    status = "error"


class ChildTimeout(SandboxFailure):
    status = "timeout"
    reason = "wall"  # the wall-clock guard ran out


class CpuLimitReached(ChildTimeout):
    reason = "cpu"  # the call used up its CPU time


class ChildIdle(ChildTimeout):
    reason = "idle"  # the call used no CPU time for as long as its CPU limit


class ChildCrashed(SandboxFailure):
    pass


class MemoryExceeded(ChildCrashed):
    pass


class ReplyTooLarge(ChildCrashed):
    pass


@dataclass
class RaisedInfo:
    """An exception raised by the learner's code, as plain data."""

    type: str
    bases: list[str]
    message: str
    line: int | None = None
    code: str = ""

    def is_a(self, name: str) -> bool:
        return self.type == name or name in self.bases

    def describe(self, file_name: str) -> str:
        text = f"{self.type}: {self.message}" if self.message else self.type
        if self.line is not None:
            text += f" ({file_name}, line {self.line}"
            text += f": {self.code})" if self.code else ")"
        return text


@dataclass
class Reply:
    """What one call came back with."""

    value: Any = None
    raised: RaisedInfo | None = None
    missing: str | None = None
    warnings: list[dict[str, Any]] = field(default_factory=list)
    inputs_after: list[Any] = field(default_factory=list)
    seconds: float = 0.0
    # CPU time of the round trip: the child's own report or what /proc says it used, the
    # larger (for one call of a call_many, the child's report alone)
    cpu_seconds: float = 0.0
    functions: list[str] = field(default_factory=list)
    results: list[Reply] = field(default_factory=list)  # of a call_many, one per call


def child_environment(home: str) -> dict[str, str]:
    """A scrubbed environment: no PYTHON* variables, no secrets, a private HOME."""
    keep = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": os.environ.get("LANG", "C.UTF-8"),
        "HOME": home,
        "USER": "learner",  # the child's user may have no account: getpass needs a name
        "LOGNAME": "learner",
        "TMPDIR": home,
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": home,
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    for name, value in BLAS_THREADS.items():  # one, unless the user sets more
        keep[name] = os.environ.get(name, value)
    # OpenMP (TensorFlow's oneDNN kernels may use it) keeps a bounded number of threads
    keep["OMP_NUM_THREADS"] = os.environ.get("OMP_NUM_THREADS", str(min(os.cpu_count() or 1, 4)))
    return keep


class Template:
    """A process that has imported NumPy once and forks a fresh child per Sandbox.

    A forked child costs milliseconds where an interpreter start costs a tenth of a
    second or more; each child still serves exactly one learner module, confines itself
    exactly as a started child does (server.confine) and runs in its own session.
    One template per grading process (a forked grade-batch worker makes its own).
    Set NNLAB_TEMPLATE=0 to start every child as a new interpreter instead.
    """

    _shared: dict[tuple[str, ...], Template] = {}  # noqa: RUF012  (one per preload)
    _at_exit = False

    def __init__(self, preload: tuple[str, ...] = ()) -> None:
        import socket

        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        processes.sweep_folders(tempfile.gettempdir(), "nnlab-template-")
        self.home = tempfile.mkdtemp(prefix=f"nnlab-template-{os.getpid()}-")
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-B", str(SERVER), "--template", str(theirs.fileno()), *preload],
            cwd=self.home,
            env=child_environment(self.home),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(theirs.fileno(),),
            start_new_session=True,
        )
        theirs.close()
        processes.register(self.process.pid)
        self._attach(ours, preload)

    def _attach(self, ours: Any, preload: tuple[str, ...]) -> None:
        self.socket = ours
        self.preload = preload
        self.owner = os.getpid()
        self.tokens = itertools.count(1)
        self.pids: dict[int, int] = {}  # request token -> pid of the forked child
        self.exits: dict[int, int] = {}  # pid -> exit code, as Popen.returncode reads
        self.left: dict[int, int] = {}  # pid -> processes of its tree that outlived it
        self.lock = threading.Lock()

    @classmethod
    def shared(cls, preload: tuple[str, ...] = ()) -> Template | None:
        """The template of this process for ``preload``, started on first use.

        None where forking is off. TensorFlow is safe to fork after import (no op has
        run, so its thread pools do not exist yet); measured in tests/test_template.py.
        """
        if os.environ.get("NNLAB_TEMPLATE", "1") == "0" or not hasattr(os, "fork"):
            return None
        template = cls._shared.get(preload)
        if template is None or template.owner != os.getpid() or template.process.poll() is not None:
            try:
                template = cls._shared[preload] = Template(preload)
            except OSError:
                return None
            if not cls._at_exit:
                atexit.register(cls.close_shared)
                cls._at_exit = True
        return template

    @classmethod
    def adopt(cls, template: Template) -> None:
        """Make ``template`` (a clone handed over by a grade-batch supervisor) this process's
        template for its preload. Templates inherited from the supervisor are let go: their
        sockets closed here, the processes left to the supervisor."""
        cls.forget_inherited()
        template.owner = os.getpid()
        cls._shared[template.preload] = template

    @classmethod
    def forget_inherited(cls) -> None:
        """Close this process's copies of the sockets of templates a parent process owns
        (after a fork): the parent's templates must see the end of their owner, not ours."""
        for preload, template in list(cls._shared.items()):
            if template.owner != os.getpid():
                template.detach()
                del cls._shared[preload]

    def clone(self, cpu: int | None = None) -> Template | None:
        """A copy of this template's process that serves another process (see
        server._become_clone): a grade-batch worker gets one instead of starting an
        interpreter (and importing TensorFlow) of its own. Asked for without waiting: the
        clone is forked as soon as this template is ready. None if it cannot be asked."""
        import socket

        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            with self.lock:
                while self._pump(0.0):  # news of earlier clones: read, so the socket never fills
                    pass
                request = {"clone": True, "token": next(self.tokens), "cpu": cpu}
                socket.send_fds(self.socket, [json.dumps(request).encode()], [theirs.fileno()])
        except (OSError, ValueError):
            ours.close()
            return None
        finally:
            theirs.close()
        copy = Template.__new__(Template)
        copy._attach(ours, self.preload)
        copy.home = None
        copy.process = _CloneProcess(copy)  # type: ignore[assignment]
        return copy

    def detach(self) -> None:
        """Close this process's end of the socket, leaving the template running (another
        process owns it now, or owned it all along)."""
        with contextlib.suppress(OSError):
            self.socket.close()
        if isinstance(self.process, _CloneProcess):
            self.process.release()

    @classmethod
    def close_shared(cls) -> None:
        """Stop this process's templates and remove their folders (at exit, or by a worker)."""
        for preload, template in list(cls._shared.items()):
            if template.owner == os.getpid():
                template.close()
                del cls._shared[preload]

    def fork(self, request: dict[str, Any], fds: list[int]) -> int:
        """Ask for a child (without waiting); returns the token that names it."""
        import socket

        token = next(self.tokens)
        socket.send_fds(self.socket, [json.dumps({**request, "token": token}).encode()], fds)
        return token

    def _pump(self, timeout: float) -> bool:
        """Read one message from the template if one comes within ``timeout``."""
        ready, _, _ = select.select([self.socket], [], [], max(timeout, 0.0))
        if not ready:
            return False
        message = self.socket.recv(65536)
        if not message:
            if isinstance(self.process, _CloneProcess):  # never forked, or gone: either way
                self.process.returncode = -int(signal.SIGKILL)
            raise OSError("the template process is gone")
        news = json.loads(message)
        if "exited" in news:
            if "left" in news:  # before the exit code: whoever waits for it reads both
                self.left[int(news["exited"])] = int(news["left"])
            self.exits[int(news["exited"])] = int(news["code"])
        elif "token" in news:
            self.pids[int(news["token"])] = int(news["pid"])
        elif "hello" in news and isinstance(self.process, _CloneProcess):
            self.process.attach(int(news["hello"]))
        return True

    def wait_for(self, found: Callable[[], int | None], timeout: float) -> int | None:
        deadline = time.monotonic() + timeout
        with self.lock:
            while (value := found()) is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self.process.poll() is not None:
                    return None
                try:
                    self._pump(remaining)
                except (OSError, ValueError):
                    return None
            return value

    def close(self) -> None:
        try:
            self.socket.close()
            self.process.kill()
            self.process.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            pass
        if isinstance(self.process, _CloneProcess):
            self.process.release()
        else:
            processes.unregister(self.process.pid)
        if self.home:
            shutil.rmtree(self.home, ignore_errors=True)


class _CloneProcess:
    """A template's clone, seen through the Popen methods Template uses. It is not our
    child (its parent is the template it was cloned from), so it is watched through a
    pidfd; its pid comes in its first message."""

    def __init__(self, template: Template) -> None:
        self.template = template
        self.known: int | None = None
        self.pidfd: int | None = None
        self.returncode: int | None = None

    def attach(self, pid: int) -> None:
        self.known = pid
        try:
            self.pidfd = os.pidfd_open(pid)
        except (AttributeError, OSError):  # gone already, or no pidfd here
            self.pidfd = None

    def release(self) -> None:
        if self.pidfd is not None:
            with contextlib.suppress(OSError):
                os.close(self.pidfd)
            self.pidfd = None

    @property
    def pid(self) -> int:
        if self.known is None:
            self.template.wait_for(lambda: self.known, 30.0)
        return self.known if self.known is not None else -1

    def poll(self) -> int | None:
        if self.returncode is None and self.known is None:
            # not heard of yet: a template that died before forking it closes our socket
            if self.template.lock.acquire(blocking=False):
                try:
                    self.template._pump(0.0)
                except (OSError, ValueError):
                    pass
                finally:
                    self.template.lock.release()
        if self.returncode is None and self.known is not None:
            if self.pidfd is None:
                gone = not _alive(self.known)
            else:
                gone = bool(select.select([self.pidfd], [], [], 0)[0])
            if gone:
                self.returncode = -int(signal.SIGKILL)
        return self.returncode

    def kill(self) -> None:
        if self.pidfd is not None:
            with contextlib.suppress(OSError):
                signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)

    def wait(self, timeout: float | None = None) -> int:
        if self.pidfd is not None and self.returncode is None:
            if select.select([self.pidfd], [], [], timeout)[0]:
                self.returncode = -int(signal.SIGKILL)
            else:
                raise subprocess.TimeoutExpired("template clone", timeout or 0.0)
        return self.returncode if self.returncode is not None else 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class _ForkedChild:
    """A child forked by the template, seen through the few Popen methods the Sandbox uses."""

    def __init__(self, template: Template, token: int) -> None:
        self.template = template
        self.token = token
        self._pid: int | None = None
        self.returncode: int | None = None

    @property
    def pid(self) -> int:
        if self._pid is None:
            self._pid = self.template.wait_for(lambda: self.template.pids.get(self.token), 30.0)
            if self._pid is None:
                raise ChildCrashed("the process for your code could not be started")
        return self._pid

    def poll(self) -> int | None:
        return self._exit_code(0.0)

    def wait(self, timeout: float | None = None) -> int:
        code = self._exit_code(30.0 if timeout is None else timeout)
        if code is None:
            raise subprocess.TimeoutExpired("forked child", timeout or 0.0)
        return code

    def _exit_code(self, timeout: float) -> int | None:
        if self.returncode is None:
            pid = self.pid
            self.returncode = self.template.wait_for(lambda: self.template.exits.get(pid), timeout)
        return self.returncode

    @property
    def left(self) -> int | None:
        """How many processes of its tree outlived it (the template killed them), once it
        has ended; None where the template cannot tell."""
        if self.returncode is None:
            return None
        return self.template.left.get(self.pid)


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
        self._to_child: int | None = None
        self._from_child: int | None = None
        self._buffer = bytearray()
        self._pending: list[protocol.Buffer] = []  # what is still to be written to the child
        self._load_request: tuple[dict[str, Any], list[Any]] | None = None
        self.generation = 0
        self._stat_fd: int | None = None  # /proc/<pid>/stat of the child, kept open
        self._cpu_mark = 0  # the child's CPU ticks when its last reply came
        self._cpu_limit: float | None = None  # of the call being waited for
        self._cpu_polled = 0
        self._next_cpu_poll = 0.0
        self._last_progress = 0.0
        self.last_cpu_seconds = 0.0  # of the last round trip (reply or failure)

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
            "reach": _needed_directories(base),
            "parent": os.getpid(),
        }
        if self.uid is not None:
            self.group = cgroups.for_child(self.memory_limit, PROCESS_LIMIT, _cores())
            if self.group is not None:
                settings["cgroups"] = self.group.procs
        if self.uid is not None and PRIVATE_WORLD:
            settings["pid_namespace"] = True
            settings["world"] = {
                "workdir": str(base),
                "hide": hidden_directories(),
                "tmp_bytes": self.memory_limit or 0,
                "nnlab_version": __version__,
            }
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
            self.process = _ForkedChild(template, token)  # type: ignore[assignment]
        else:
            command = [sys.executable, "-I", "-B", str(SERVER), str(request_read), str(reply_write)]
            with _pids_of_its_own(settings.get("pid_namespace", False)):
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
        self._to_child, self._from_child = request_write, reply_read
        self._buffer = bytearray()
        self._cpu_mark = 0  # a new process starts at no CPU time
        self._pending = []
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
            self._send(*self._load_request)
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
        for fd in (self._to_child, self._from_child):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._to_child = self._from_child = None
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
        self._send(header, blobs)
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
        self._send(header, blobs)
        reply = self._receive(timeout, what=function, cpu_limit=cpu_limit)
        if reply.missing is None and len(reply.results) != len(calls):
            self.close()
            raise ChildCrashed(f"the process running your code answered {function} wrongly")
        return reply.results if reply.missing is None else [reply] * len(calls)

    def _send(self, header: dict[str, Any], blobs: list[Any]) -> None:
        """Queue a request and write what the pipe takes now; the rest is written while
        waiting for the reply (_wait_readable), within the call's deadline: a child that
        stops reading (stopped, or its reading patched away) cannot block the grader."""
        try:
            self._pending = protocol.frame(header, blobs)
        except TypeError:
            self._pending = []
        self._flush()

    def _flush(self) -> None:
        while self._pending and self._to_child is not None:
            try:
                written = os.writev(self._to_child, self._pending[: protocol.IOV_MAX])
            except BlockingIOError:
                return
            except OSError:  # the child is gone; _receive reports how it ended
                self._pending = []
                return
            while self._pending and written >= len(self._pending[0]):
                written -= len(self._pending[0])
                self._pending.pop(0)
            if written:
                self._pending[0] = memoryview(self._pending[0])[written:]

    def _receive(self, timeout: float, what: str, cpu_limit: float | None = None) -> Reply:
        deadline = time.monotonic() + timeout
        self._next_poll = time.monotonic() + MEMORY_POLL_SECONDS  # quick calls are not polled
        self._next_cpu_poll, self._last_progress = self._next_poll, time.monotonic()
        self._cpu_limit, self._cpu_polled, self.last_cpu_seconds = cpu_limit, -1, 0.0
        shown = 0
        try:
            while True:
                payload = self._read_frame(deadline, timeout, what)
                header, blobs = protocol.unpack(payload, HEADER_LIMIT)
                text.clean_tree(header)  # the one place the child's words enter the grader
                if "progress" not in header:
                    reply = self._reply(header, blobs)
                    reported = reply.cpu_seconds + sum(r.cpu_seconds for r in reply.results)
                    reply.cpu_seconds = self.last_cpu_seconds = max(reported, self._cpu_used())
                    return reply
                shown += 1
                if self.on_progress and shown <= PROGRESS_LIMIT:
                    self.on_progress(_printable(header["progress"]))
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

    def _cpu_reading(self) -> tuple[int, bool] | None:
        """The child's CPU time in clock ticks (its threads and waited-for children
        included) and whether it is runnable or in disk I/O; None when /proc cannot tell."""
        try:
            if self._stat_fd is None:
                if self.process is None:
                    return None
                self._stat_fd = os.open(
                    f"/proc/{self.process.pid}/stat", os.O_RDONLY | os.O_CLOEXEC
                )
            raw = os.pread(self._stat_fd, 1024, 0)
            fields = raw[raw.rfind(b")") + 2 :].split()
            return sum(int(f) for f in fields[11:15]), fields[0] in (b"R", b"D")
        except (OSError, ValueError, IndexError):
            return None

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

    def _read_frame(self, deadline: float, timeout: float, what: str) -> protocol.Buffer:
        """The next frame's payload, in memory of its own: the arrays read from it share it.

        A small frame comes whole with the first read; a large one is read straight into
        memory of the announced size, allocated only once that size passed the limit.
        """
        while len(self._buffer) < protocol.PREFIX_BYTES:
            self._wait_readable(deadline, timeout, what)
            chunk = os.read(self._from_child, 65536)
            if not chunk:
                raise self._crashed(what)
            self._buffer += chunk
        length = protocol.frame_length(self._buffer[: protocol.PREFIX_BYTES], 1 << 62)
        if length > REPLY_LIMIT:
            raise ReplyTooLarge(
                f"{what} sent back {length / 2**20:.0f} MiB of data; the grader accepts "
                f"at most {REPLY_LIMIT / 2**20:.0f} MiB per reply"
            )
        del self._buffer[: protocol.PREFIX_BYTES]
        if len(self._buffer) >= length:
            payload = self._buffer[:length]
            del self._buffer[:length]
            return payload
        payload = protocol.receive_buffer(length)
        view, filled = memoryview(payload), len(self._buffer)
        view[:filled] = self._buffer
        self._buffer = bytearray()
        while filled < length:
            self._wait_readable(deadline, timeout, what)
            count = os.readv(self._from_child, [view[filled:]])
            if not count:
                raise self._crashed(what)
            filled += count
        return payload

    def _wait_readable(self, deadline: float, timeout: float, what: str) -> None:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ChildTimeout(f"{what} did not finish within {timeout:g} s")
            writing = [self._to_child] if self._pending and self._to_child is not None else []
            ready, writable, _ = select.select(
                [self._from_child], writing, [], min(remaining, MEMORY_POLL_SECONDS)
            )
            self._watch_memory(what)
            if writable:
                self._flush()
            self._watch_cpu(what, bool(ready))
            if ready:
                return

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

    def _reply(self, header: dict[str, Any], blobs: list[memoryview]) -> Reply:
        if "protocol_error" in header:
            raise ProtocolError(str(header["protocol_error"]))
        reply = Reply(
            seconds=_number(header.get("seconds")),
            cpu_seconds=_number(header.get("cpu_seconds")),
            warnings=_warnings(header.get("warnings")),
        )
        results = header.get("results")
        if header.get("ok") and isinstance(results, list):
            reply.results = [
                self._reply(item if isinstance(item, dict) else {}, blobs) for item in results
            ]
        elif header.get("ok"):
            reply.value = protocol.decode(header.get("value"), blobs)
            after = protocol.decode(header.get("inputs_after", []), blobs)
            reply.inputs_after = after if isinstance(after, list) else []
            functions = header.get("functions", [])
            reply.functions = [str(f) for f in functions] if isinstance(functions, list) else []
        elif "missing" in header:
            reply.missing = str(header["missing"])[:300]
        else:
            reply.raised = _raised(header.get("raised"))
        return reply


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
    if isinstance(process, _ForkedChild) and isinstance(process.template.process, _CloneProcess):
        return False  # a clone that cannot count: what was left went past us, so look
    return processes.nothing_left_behind()


# Each child (as root) in a world of its own: its own PID, mount, IPC and network namespaces,
# empty temporary folders, a /proc showing only its own processes, and the grader's own
# files covered (see server._furnish_world). Tests turn it off to compare.
PRIVATE_WORLD = True
_kept_hidden: set[str] = set()
_hidden: tuple[int, frozenset[str], list[str]] | None = None  # (pid, kept, directories)


def keep_hidden(paths: Iterable[Path | str]) -> None:
    """Directories no child of this process may see from now on (each is covered by an
    empty, unreadable folder in the child's mount view): an instructor's ``--checks``, the
    folder that holds the submissions of a class."""
    for path in paths:
        try:
            resolved = os.path.realpath(path)
        except (OSError, ValueError):
            continue
        if os.path.isdir(resolved) and resolved != "/":
            _kept_hidden.add(resolved)


def hidden_directories() -> list[str]:
    """What a child must not read: the nnlab package wherever the child's interpreter or ours
    would import it from (the references, the hidden checks and their inputs' seeds), the
    source checkout it belongs to (solutions, tests), and what :func:`keep_hidden` named.

    A directory that holds one the child needs (the interpreter's packages in a virtual
    environment inside the checkout, say) is not covered itself: its other entries are.
    """
    global _hidden
    kept = frozenset(_kept_hidden)
    if _hidden is not None and _hidden[0] == os.getpid() and _hidden[1] == kept:
        return _hidden[2]
    roots = set(kept)
    for package in _nnlab_packages():
        roots.add(package)
        checkout = os.path.dirname(package)
        if os.path.isdir(os.path.join(checkout, "grader")) and os.path.isfile(
            os.path.join(checkout, "pyproject.toml")
        ):
            roots.add(checkout)
    # (and the folder the children's own folders are made in)
    needed = [os.path.realpath(p) for p in [*_needed_directories(None), tempfile.gettempdir()]]
    found: list[str] = []
    for root in sorted(roots):
        found.extend(_cover(root, needed))
    directories = []
    for path in sorted(set(found)):  # a folder inside a covered one is covered with it
        if not any(path.startswith(outer.rstrip("/") + "/") for outer in directories):
            directories.append(path)
    _hidden = (os.getpid(), kept, directories)
    return directories


def _nnlab_packages() -> set[str]:
    """Every directory a Python of this installation imports ``nnlab`` from: ours, and the
    one each entry of our path (an editable install's among them) or a site-packages folder
    gives (a child's ``python -I`` path is ours without PYTHONPATH)."""
    import importlib.machinery
    import site

    found = {str(Path(__file__).resolve().parent.parent)}
    try:
        folders = [*sys.path, *site.getsitepackages()]
    except AttributeError:  # pragma: no cover (virtualenv's old site module)
        folders = list(sys.path)
    for folder in folders:
        if not folder or not os.path.isabs(folder):
            continue
        try:
            spec = importlib.machinery.PathFinder.find_spec("nnlab", [folder])
        except (ImportError, OSError, ValueError):
            continue
        for location in (spec.submodule_search_locations or []) if spec else []:
            found.add(os.path.realpath(location))
    return {path for path in found if os.path.isdir(path)}


def _cover(root: str, needed: list[str]) -> list[str]:
    """``root`` if it holds nothing the child needs; else the entries of it that do not."""
    holds = [n for n in needed if n == root or n.startswith(root.rstrip("/") + "/")]
    if not holds:
        return [root]
    if root in holds:
        return []  # needed itself (an interpreter inside the folder): left as it is
    covered = []
    try:
        entries = list(os.scandir(root))
    except OSError:
        return []
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            covered.extend(_cover(entry.path, needed))
    return covered


@contextlib.contextmanager
def _pids_of_its_own(wanted: bool) -> Any:
    """While inside, the processes this thread starts are each the first of a PID namespace
    of their own (root only; elsewhere nothing changes)."""
    own = None
    if wanted and sys.platform.startswith("linux") and os.geteuid() == 0:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        try:
            own = os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            own = None
        if own is not None and libc.unshare(0x20000000) != 0:  # CLONE_NEWPID
            os.close(own)
            own = None
    try:
        yield
    finally:
        if own is not None:
            libc.setns(own, 0x20000000)
            os.close(own)


def _needed_directories(workdir: Path | None) -> list[str]:
    """What the child must be able to read: the interpreter, its packages, its own files."""
    import site

    wanted = {sys.prefix, sys.base_prefix, sys.exec_prefix}
    if workdir is not None:
        wanted.update((str(SERVER.parent), str(workdir)))
    try:
        wanted.update(site.getsitepackages())
    except AttributeError:  # pragma: no cover (virtualenv's old site module)
        pass
    wanted.update(p for p in sys.path if p and "-packages" in p)
    return sorted(p for p in wanted if os.path.isabs(p) and os.path.isdir(p))


def _printable(value: Any) -> str:
    """A progress line made safe for a terminal: no control characters, bounded length."""
    return "".join(c if c.isprintable() else " " for c in str(value)[:200])


def _number(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


def _warnings(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        return []
    found = []
    for item in value[:20]:
        if isinstance(item, dict):
            found.append(
                {
                    "category": str(item.get("category", "Warning"))[:100],
                    "message": str(item.get("message", ""))[:500],
                }
            )
    return found


def _raised(value: Any) -> RaisedInfo:
    if not isinstance(value, dict):
        raise ProtocolError("malformed exception report")
    where = value.get("where") if isinstance(value.get("where"), dict) else {}
    line = where.get("line")
    mro = value.get("mro")
    return RaisedInfo(
        type=str(value.get("type", "Exception"))[:100],
        bases=[str(name)[:100] for name in mro[:20]] if isinstance(mro, list) else [],
        message=str(value.get("message", ""))[:2000],
        line=line if isinstance(line, int) and not isinstance(line, bool) else None,
        code=str(where.get("code", ""))[:200],
    )


__all__ = [
    "ChildCrashed",
    "ChildIdle",
    "ChildTimeout",
    "CpuLimitReached",
    "Handle",
    "MemoryExceeded",
    "RaisedInfo",
    "Reply",
    "ReplyTooLarge",
    "Sandbox",
    "SandboxFailure",
]
