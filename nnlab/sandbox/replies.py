"""What a call into the child ends in: a plain-data :class:`Reply`, or a :class:`SandboxFailure`.

:func:`parse` turns the header the child sent (read by the launcher within its limits, its
text made inert by :func:`nnlab.text.clean_tree`) and its arrays into a :class:`Reply`,
each field checked and bounded: nothing but plain data comes in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nnlab.sandbox import protocol
from nnlab.sandbox.protocol import ProtocolError


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


def parse(header: dict[str, Any], blobs: list[memoryview]) -> Reply:
    """The reply a child sent (its header, after nnlab.text.clean_tree, and its arrays)."""
    if "protocol_error" in header:
        raise ProtocolError(str(header["protocol_error"]))
    reply = Reply(
        seconds=_number(header.get("seconds")),
        cpu_seconds=_number(header.get("cpu_seconds")),
        warnings=_warnings(header.get("warnings")),
    )
    results = header.get("results")
    if header.get("ok") and isinstance(results, list):
        reply.results = [parse(item if isinstance(item, dict) else {}, blobs) for item in results]
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


def printable(value: Any) -> str:
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
