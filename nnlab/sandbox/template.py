"""The template: a process that has imported NumPy once (and TensorFlow, for the Keras
exercises) and forks a fresh child for each :class:`~nnlab.sandbox.launcher.Sandbox`.

The template runs :mod:`nnlab.sandbox.server` with ``--template``; this process talks to
it over a socket: a request to fork a child (with the child's pipes) or to clone the
template for a grade-batch worker, and news back (a child's pid, its exit code, what it
left behind). :class:`ForkedChild` and :class:`CloneProcess` show them through the few
``subprocess.Popen`` methods the sandbox uses.
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
from collections.abc import Callable
from typing import Any

from nnlab.sandbox import BLAS_THREADS, SERVER, processes
from nnlab.sandbox.replies import ChildCrashed


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
        copy.process = CloneProcess(copy)  # type: ignore[assignment]
        return copy

    def detach(self) -> None:
        """Close this process's end of the socket, leaving the template running (another
        process owns it now, or owned it all along)."""
        with contextlib.suppress(OSError):
            self.socket.close()
        if isinstance(self.process, CloneProcess):
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
            if isinstance(self.process, CloneProcess):  # never forked, or gone: either way
                self.process.returncode = -int(signal.SIGKILL)
            raise OSError("the template process is gone")
        news = json.loads(message)
        if "exited" in news:
            if "left" in news:  # before the exit code: whoever waits for it reads both
                self.left[int(news["exited"])] = int(news["left"])
            self.exits[int(news["exited"])] = int(news["code"])
        elif "token" in news:
            self.pids[int(news["token"])] = int(news["pid"])
        elif "hello" in news and isinstance(self.process, CloneProcess):
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
        if isinstance(self.process, CloneProcess):
            self.process.release()
        else:
            processes.unregister(self.process.pid)
        if self.home:
            shutil.rmtree(self.home, ignore_errors=True)


class CloneProcess:
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


class ForkedChild:
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
