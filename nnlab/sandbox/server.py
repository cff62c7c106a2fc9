"""The child side of the sandbox: loads one learner module and runs calls on request.

Started by :mod:`nnlab.sandbox.launcher` as ``python -I server.py REQUEST_FD REPLY_FD``
in a private working directory. It imports nothing from nnlab: the wire format is
loaded by path from the sibling ``protocol.py``. Whatever happens here is untrusted
from the parent's point of view; the parent only reads plain data from the reply pipe.
"""

from __future__ import annotations

import importlib.util
import os
import random
import sys
import time
import traceback
import warnings
from pathlib import Path
from typing import Any


def _load_protocol() -> Any:
    path = Path(__file__).with_name("protocol.py")
    spec = importlib.util.spec_from_file_location("_nnlab_protocol", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["_nnlab_protocol"] = module
    spec.loader.exec_module(module)
    return module


protocol = _load_protocol()
import numpy as np  # noqa: E402  (after the protocol, which needs it anyway)


class Server:
    def __init__(self, request_fd: int, reply_fd: int) -> None:
        self.requests = os.fdopen(request_fd, "rb", buffering=0)
        self.replies = os.fdopen(reply_fd, "wb", buffering=0)
        self.module: Any = None
        self.learner_file = ""
        self.probes: Any = None
        self.objects: dict[int, Any] = {}

    # --- messages ---------------------------------------------------------------------------

    def read(self) -> tuple[dict[str, Any], list[bytes]] | None:
        prefix = self._read_exactly(protocol.PREFIX_BYTES)
        if prefix is None:
            return None
        payload = self._read_exactly(protocol.frame_length(prefix))
        if payload is None:
            return None
        return protocol.unpack(payload)

    def _read_exactly(self, size: int) -> bytes | None:
        chunks, remaining = [], size
        while remaining:
            chunk = self.requests.read(remaining)
            if not chunk:
                return None
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)

    def send(self, message: dict[str, Any], blobs: list[bytes] | None = None) -> None:
        self.replies.write(protocol.pack(message, blobs or []))

    def progress(self, text: str) -> None:
        """Send a line for the parent to show while a long call runs (display only)."""
        self.send({"progress": str(text)[:200]})

    # --- objects kept in the child ----------------------------------------------------------

    def keep(self, value: Any) -> Any:
        handle_id = len(self.objects) + 1
        self.objects[handle_id] = value
        kind = type(value)
        return protocol.Handle(handle_id, f"{kind.__module__}.{kind.__qualname__}", "")

    def resolve(self, handle_id: int, type_name: str, text: str) -> Any:
        if handle_id not in self.objects:
            raise protocol.ProtocolError(f"no object {handle_id} in the child")
        return self.objects[handle_id]

    # --- operations ------------------------------------------------------------------------

    def serve(self) -> None:
        while True:
            message = self.read()
            if message is None:
                return
            header, blobs = message
            operation = header.get("op")
            if operation == "load":
                self.load(header)
            elif operation == "call":
                self.call(header, blobs)
            else:
                self.send({"ok": False, "protocol_error": f"unknown op {operation!r}"})

    def load(self, header: dict[str, Any]) -> None:
        self.learner_file = str(Path(header["path"]).resolve())
        started = time.perf_counter()
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                self.module = _import_file(header["module"], self.learner_file)
                if header.get("probes"):
                    self.probes = _import_file("_nnlab_probes", header["probes"])
                    self.probes.progress = self.progress
        except BaseException as error:  # the learner's module may raise anything, even SystemExit
            self.send({"ok": False, "raised": self.describe_exception(error)})
            return
        self.send(
            {
                "ok": True,
                "functions": sorted(
                    name for name, value in vars(self.module).items() if callable(value)
                ),
                "warnings": [_describe_warning(w) for w in caught],
                "seconds": time.perf_counter() - started,
            }
        )

    def call(self, header: dict[str, Any], blobs: list[bytes]) -> None:
        name = header["function"]
        target = self.probes if header.get("probe") else self.module
        function = getattr(target, name, None)
        if not callable(function):
            where = "probe" if header.get("probe") else "function"
            self.send({"ok": False, "missing": f"no {where} named {name!r}"})
            return
        args = protocol.decode(header["args"], blobs, self.resolve)
        kwargs = protocol.decode(header["kwargs"], blobs, self.resolve)
        _reset_global_state()
        started = time.perf_counter()
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                value = function(*args, **kwargs)
        except BaseException as error:
            self.send(
                {
                    "ok": False,
                    "raised": self.describe_exception(error),
                    "seconds": time.perf_counter() - started,
                }
            )
            return
        seconds = time.perf_counter() - started
        out: list[bytes] = []
        try:
            reply = {
                "ok": True,
                "value": protocol.encode(value, out, self.keep),
                "inputs_after": protocol.encode(
                    [a if isinstance(a, np.ndarray) else None for a in args], out
                ),
                "warnings": [_describe_warning(w) for w in caught[:20]],
                "seconds": seconds,
            }
        except BaseException as error:
            self.send({"ok": False, "raised": self.describe_exception(error), "seconds": seconds})
            return
        self.send(reply, out)

    def describe_exception(self, error: BaseException) -> dict[str, Any]:
        kind = type(error)
        try:
            message = str(error)
        except BaseException:
            message = "<unprintable message>"
        where = None
        frames = traceback.extract_tb(error.__traceback__)
        for frame in reversed(frames):
            if frame.filename == self.learner_file:
                where = {"line": frame.lineno, "code": (frame.line or "")[:200], "in": frame.name}
                break
        if where is None and isinstance(error, SyntaxError) and error.lineno:
            where = {"line": error.lineno, "code": (error.text or "").strip()[:200], "in": ""}
        return {
            "type": kind.__name__,
            "mro": [k.__name__ for k in kind.__mro__ if k.__module__ == "builtins"],
            "message": message[:2000],
            "where": where,
        }


def _import_file(name: str, path: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _reset_global_state() -> None:
    """Every call starts from the same seeds and NumPy error settings, so grading is repeatable."""
    random.seed(0)
    np.random.seed(0)
    np.seterr(all="warn", under="ignore")


def _describe_warning(caught: warnings.WarningMessage) -> dict[str, Any]:
    return {
        "category": getattr(caught.category, "__name__", "Warning"),
        "message": str(caught.message)[:500],
        "line": caught.lineno,
    }


def main() -> None:
    request_fd, reply_fd = int(sys.argv[1]), int(sys.argv[2])
    sys.argv = [sys.argv[0]]
    Server(request_fd, reply_fd).serve()


if __name__ == "__main__":
    main()
