"""The messages to and from one child: framed requests written, framed replies read, each
within the deadline of its call.

A request is written without blocking: the pipe takes what it can now, and the rest is
written while the reply is awaited, so a child that stops reading (stopped, or its reading
patched away) cannot block the grader. A reply's frame is read into memory of its own (the
arrays decoded from it share that memory), allocated at the announced size only once that
size passed :data:`REPLY_LIMIT`. While it waits, the channel calls ``watch`` at least every
``poll_seconds``: the sandbox's memory and CPU-time watch, which may stop the call.
"""

from __future__ import annotations

import contextlib
import os
import select
import time
from collections.abc import Callable
from typing import Any

from nnlab.sandbox import protocol
from nnlab.sandbox.replies import ChildCrashed, ChildTimeout, ReplyTooLarge, SandboxFailure

REPLY_LIMIT = 64 * 1024 * 1024


def _closed(what: str) -> SandboxFailure:
    return ChildCrashed(f"the process running your code closed its connection during {what}")


class Channel:
    """The two pipes to one child: ``to_child`` (non-blocking) and ``from_child``."""

    def __init__(
        self,
        to_child: int | None,
        from_child: int,
        *,
        watch: Callable[[str, bool], None] | None = None,
        ended: Callable[[str], SandboxFailure] = _closed,
        poll_seconds: float = 0.2,
    ) -> None:
        self.to_child = to_child
        self.from_child = from_child
        self.watch = watch  # (what, replying): raises a SandboxFailure to stop the call
        self.ended = ended  # the failure to raise when the child closed its end
        self.poll_seconds = poll_seconds
        self.buffer = bytearray()  # read ahead: the start of the next frame
        self.pending: list[protocol.Buffer] = []  # what is still to be written to the child

    def close(self) -> None:
        for fd in (self.to_child, self.from_child):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self.to_child = None

    def send(self, header: dict[str, Any], blobs: list[Any]) -> None:
        """Queue a request and write what the pipe takes now; the rest is written while
        waiting for the reply, within the call's deadline."""
        try:
            self.pending = protocol.frame(header, blobs)
        except TypeError:
            self.pending = []
        self.flush()

    def flush(self) -> None:
        while self.pending and self.to_child is not None:
            try:
                written = os.writev(self.to_child, self.pending[: protocol.IOV_MAX])
            except BlockingIOError:
                return
            except OSError:  # the child is gone; reading its reply tells how it ended
                self.pending = []
                return
            while self.pending and written >= len(self.pending[0]):
                written -= len(self.pending[0])
                self.pending.pop(0)
            if written:
                self.pending[0] = memoryview(self.pending[0])[written:]

    def read_frame(self, deadline: float, timeout: float, what: str) -> protocol.Buffer:
        """The next frame's payload, in memory of its own: the arrays read from it share it.

        A small frame comes whole with the first read; a large one is read straight into
        memory of the announced size, allocated only once that size passed the limit.
        """
        while len(self.buffer) < protocol.PREFIX_BYTES:
            self._wait_readable(deadline, timeout, what)
            chunk = os.read(self.from_child, 65536)
            if not chunk:
                raise self.ended(what)
            self.buffer += chunk
        length = protocol.frame_length(self.buffer[: protocol.PREFIX_BYTES], 1 << 62)
        if length > REPLY_LIMIT:
            raise ReplyTooLarge(
                f"{what} sent back {length / 2**20:.0f} MiB of data; the grader accepts "
                f"at most {REPLY_LIMIT / 2**20:.0f} MiB per reply"
            )
        del self.buffer[: protocol.PREFIX_BYTES]
        if len(self.buffer) >= length:
            payload = self.buffer[:length]
            del self.buffer[:length]
            return payload
        payload = protocol.receive_buffer(length)
        view, filled = memoryview(payload), len(self.buffer)
        view[:filled] = self.buffer
        self.buffer = bytearray()
        while filled < length:
            self._wait_readable(deadline, timeout, what)
            count = os.readv(self.from_child, [view[filled:]])
            if not count:
                raise self.ended(what)
            filled += count
        return payload

    def _wait_readable(self, deadline: float, timeout: float, what: str) -> None:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ChildTimeout(f"{what} did not finish within {timeout:g} s")
            writing = [self.to_child] if self.pending and self.to_child is not None else []
            ready, writable, _ = select.select(
                [self.from_child], writing, [], min(remaining, self.poll_seconds)
            )
            if writable:
                self.flush()
            if self.watch is not None:
                self.watch(what, bool(ready))
            if ready:
                return
