"""The wire format between the grading parent and the sandboxed child.

Only plain data crosses: JSON for the structure, and `.npy` bytes (read back
with ``allow_pickle=False``) for arrays. A frame is an 8-byte big-endian
length followed by a payload; the payload is a 4-byte JSON length, the JSON
header, then the blobs the header's ``"blobs"`` list measures.

This module is loaded by path in the child as well as imported by the parent,
so it depends on nothing but the standard library and NumPy.
"""

from __future__ import annotations

import io
import itertools
import json
import math
import os
import re
import struct
from typing import Any

import numpy as np

MAX_FRAME_BYTES = 256 * 1024 * 1024
MAX_DEPTH = 32
_LENGTH = struct.Struct(">Q")
_HEADER = struct.Struct(">I")
VIEW_BYTES = 64 * 1024  # arrays this large are written from their own memory, not copied
IOV_MAX = 1024  # pieces per writev (the Linux limit)

Buffer = bytes | bytearray | memoryview
Blob = tuple[Buffer, ...]  # the pieces of one .npy blob, as array_blob makes it


class ProtocolError(Exception):
    """The other side sent something that is not a well-formed message."""


class Handle:
    """An object that stays in the child (a Keras model, say); the parent holds its id."""

    def __init__(self, handle_id: int, type_name: str, text: str = "") -> None:
        self.id = handle_id
        self.type_name = type_name
        self.text = text

    def __repr__(self) -> str:
        return f"<{self.type_name} object>"


class Unsupported:
    """A returned value that is neither plain data nor kept as a handle."""

    def __init__(self, type_name: str, text: str) -> None:
        self.type_name = type_name
        self.text = text

    def __repr__(self) -> str:
        return f"<{self.type_name} object>"


# --- encoding -------------------------------------------------------------------------------


def array_blob(array: np.ndarray) -> Blob:
    """The array as ``.npy`` bytes, exactly as np.save writes them, in one or two pieces.

    For plain numbers and booleans the version 1.0 header is written here (np.save builds
    it through several layers, the main cost of sending a small array), and a large array's
    data is a view of its memory rather than a copy: the array must not change until the
    blob is written. Anything else goes to np.save itself.
    """
    if not array.flags.c_contiguous:
        array = array.copy(order="C")
    start = _npy_start(array.dtype, array.shape)
    if start is None:
        buffer = io.BytesIO()
        np.save(buffer, array, allow_pickle=False)
        return (buffer.getvalue(),)
    if array.nbytes < VIEW_BYTES:
        return (start + array.tobytes(),)
    return (start, memoryview(array.reshape(-1).view(np.uint8)))


_STARTS: dict[tuple[np.dtype, tuple[int, ...]], bytes | None] = {}


def _npy_start(dtype: np.dtype, shape: tuple[int, ...]) -> bytes | None:
    """The magic, version and header np.save writes before the data of a C-ordered array
    of plain numbers or booleans (None for other dtypes); a grading sends the same few
    dtypes and shapes again and again, so each is made once (at most 1024 are kept)."""
    key = (dtype, shape)
    start = _STARTS.get(key, False)
    if start is not False:
        return start
    start = None
    if dtype.kind in "biufc" and dtype.fields is None and dtype.subdtype is None:
        header = f"{{'descr': '{dtype.str}', 'fortran_order': False, 'shape': {shape!r}, }}"
        padding = 63 - (len(header) + 10) % 64  # magic and lengths, then "\n" ends a multiple of 64
        if len(header) + padding + 1 < 65536:
            text = (header + " " * padding + "\n").encode("latin1")
            start = b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text
    if len(shape) <= 8:  # what the checks send; a long shape is not kept
        if len(_STARTS) >= 1024:
            _STARTS.clear()
        _STARTS[key] = start
    return start


def settled(blob: Blob) -> Blob:
    """The blob in memory of its own, whatever later happens to the array it was made from."""
    return blob if len(blob) == 1 else (b"".join(blob),)


_SIMPLE_HEADER = re.compile(
    r"\{'descr': '([<>|=]?[biufcUS]\d*)', 'fortran_order': (True|False), "
    r"'shape': \(((?:\d+, ?)*\d*)\), \}\s*"
)


def load_array(blob: Buffer, *, writable: bool = True) -> np.ndarray:
    """An array from ``.npy`` bytes, as ``np.load(..., allow_pickle=False)`` reads it.

    The headers np.save writes for plain numeric and string arrays are parsed here with
    one regular expression (np.load parses them with ``ast.literal_eval``, the main cost
    of a small call); anything else goes to ``np.load`` itself. Object arrays are never
    read either way.

    The data is not copied when ``blob`` is writable memory and the data is aligned for
    its type: the array then shares ``blob``'s memory, which must not be reused. A
    read-only ``blob`` gives a copy, or with ``writable=False`` a read-only view.
    """
    view = memoryview(blob)
    if len(view) > 10 and view[:6] == _MAGIC:
        major = view[6]
        start = 10 if major == 1 else 12
        header_length = int.from_bytes(view[8:start], "little")
        parsed = _parsed_header(view[start : start + header_length].tobytes())
        if parsed is not None and major in (1, 2, 3):
            dtype, shape, order, count = parsed
            data = view[start + header_length :]
            if len(data) == count * dtype.itemsize:
                flat = np.frombuffer(data, dtype=dtype, count=count)
                if not flat.flags.aligned or (writable and not flat.flags.writeable):
                    flat = flat.copy()
                return flat.reshape(shape, order=order)
    return np.load(io.BytesIO(view), allow_pickle=False)


_MAGIC = b"\x93NUMPY"
_HEADERS: dict[bytes, tuple[np.dtype, tuple[int, ...], str, int] | None] = {}


def _parsed_header(header: bytes) -> tuple[np.dtype, tuple[int, ...], str, int] | None:
    """(dtype, shape, order, element count) of a simple ``.npy`` header, or None. A grading
    sends the same few headers again and again: each short one is parsed once (at most
    1024 are kept)."""
    parsed = _HEADERS.get(header, False)
    if parsed is not False:
        return parsed
    found = _SIMPLE_HEADER.fullmatch(header.decode("latin1"))
    parsed = None
    if found:
        shape = tuple(int(n) for n in found.group(3).replace(" ", "").split(",") if n)
        order = "F" if found.group(2) == "True" else "C"
        parsed = (np.dtype(found.group(1)), shape, order, math.prod(shape))
    if len(header) <= 256:  # what np.save writes for a plain array; a long one is not kept
        if len(_HEADERS) >= 1024:
            _HEADERS.clear()
        _HEADERS[header] = parsed
    return parsed


def encode(value: Any, blobs: list[Blob], keep: Any = None, depth: int = 0) -> Any:
    """Turn a value into a JSON-able tree, appending arrays' ``.npy`` bytes to ``blobs``.

    ``keep(value) -> Handle | None`` lets the child keep objects it cannot send. What the
    checks send most (arrays, floats, ints, lists, tuples, dicts) is told apart by its exact type
    first; everything else, subclasses included, by :func:`_encode_other`.
    """
    kind = type(value)
    if kind is np.ndarray:
        if value.dtype.hasobject:
            return _unsupported(value, keep)
        blobs.append(array_blob(value))
        return {"$array": len(blobs) - 1}
    if kind is float:
        return value if math.isfinite(value) else {"$float": repr(value)}
    if kind is int:
        return value if -_JSON_INT <= value < _JSON_INT else {"$int": int.__repr__(value)}
    if value is None or kind is bool or kind is str:
        return value
    if kind is list or kind is tuple or kind is dict:
        if depth >= MAX_DEPTH and value:
            raise ProtocolError("value nested too deeply")
        if kind is dict:
            return {
                "$dict": [
                    [encode(k, blobs, keep, depth + 1), encode(v, blobs, keep, depth + 1)]
                    for k, v in value.items()
                ]
            }
        items = [encode(item, blobs, keep, depth + 1) for item in value]
        return items if kind is list else {"$tuple": items}
    return _encode_other(value, blobs, keep, depth)


_JSON_INT = 2**63  # ints this small cross as JSON numbers; larger ones as text


def _encode_other(value: Any, blobs: list[Blob], keep: Any, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise ProtocolError("value nested too deeply")
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int) and not isinstance(value, np.integer):
        return encode(int.__int__(value), blobs, keep, depth)
    if isinstance(value, float) and not isinstance(value, np.floating):
        return encode(float.__float__(value), blobs, keep, depth)
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, np.ndarray):
        array = value.view(np.ndarray)
        if array.dtype.hasobject:
            return _unsupported(value, keep)
        blobs.append(array_blob(array))
        return {"$array": len(blobs) - 1}
    if isinstance(value, np.generic):
        if isinstance(value, np.object_):
            return _unsupported(value, keep)
        blobs.append(array_blob(np.asarray(value)))
        return {"$scalar": len(blobs) - 1}
    if isinstance(value, Handle):
        return {"$handle": value.id}
    return _unsupported(value, keep)


def _unsupported(value: Any, keep: Any) -> Any:
    if keep is not None:
        handle = keep(value)
        if handle is not None:
            return {"$handle": handle.id, "type": handle.type_name, "text": handle.text}
    return {"$object": _type_name(value), "text": _short_repr(value)}


def _type_name(value: Any) -> str:
    kind = type(value)
    module = getattr(kind, "__module__", "") or ""
    name = getattr(kind, "__qualname__", "object")
    return name if module in ("builtins", "") else f"{module}.{name}"


def _short_repr(value: Any, limit: int = 200) -> str:
    try:
        text = repr(value)
    except BaseException:
        return "<unprintable>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --- decoding -------------------------------------------------------------------------------


def decode(tree: Any, blobs: list[Buffer], resolve: Any = None, depth: int = 0) -> Any:
    """Rebuild plain Python/NumPy values from a tree made by :func:`encode`.

    ``resolve(handle_id, type, text)`` maps handle references to objects (the child
    turns them back into its objects; the parent into :class:`Handle`).
    """
    if depth > MAX_DEPTH:
        raise ProtocolError("value nested too deeply")
    kind = type(tree)
    if kind is dict and len(tree) == 1 and "$array" in tree:  # the commonest node first
        return _blob_array(tree["$array"], blobs)
    if tree is None or kind is float or kind is int or kind is str or kind is bool:
        return tree
    if kind is list:
        return [decode(item, blobs, resolve, depth + 1) for item in tree]
    if not isinstance(tree, dict) or len(tree) == 0:
        raise ProtocolError(f"unexpected node {type(tree).__name__}")
    if "$int" in tree:
        text = tree["$int"]
        if not isinstance(text, str) or len(text) > 4300:
            raise ProtocolError("bad integer")
        return int(text)
    if "$float" in tree:
        text = tree["$float"]
        if text not in ("nan", "inf", "-inf"):
            raise ProtocolError("bad float")
        return float(text)
    if "$array" in tree or "$scalar" in tree:
        array = _blob_array(tree.get("$array", tree.get("$scalar")), blobs)
        return array if "$array" in tree else array[()]
    if "$tuple" in tree:
        items = tree["$tuple"]
        if not isinstance(items, list):
            raise ProtocolError("bad tuple")
        return tuple(decode(item, blobs, resolve, depth + 1) for item in items)
    if "$dict" in tree:
        pairs = tree["$dict"]
        if not isinstance(pairs, list):
            raise ProtocolError("bad dict")
        result = {}
        for pair in pairs:
            if not isinstance(pair, list) or len(pair) != 2:
                raise ProtocolError("bad dict item")
            key = decode(pair[0], blobs, resolve, depth + 1)
            try:
                result[key] = decode(pair[1], blobs, resolve, depth + 1)
            except TypeError:
                raise ProtocolError("unhashable dict key") from None
        return result
    if "$handle" in tree:
        handle_id = tree["$handle"]
        if not isinstance(handle_id, int):
            raise ProtocolError("bad handle")
        type_name = str(tree.get("type", "object"))[:200]
        text = str(tree.get("text", ""))[:200]
        if resolve is None:
            return Handle(handle_id, type_name, text)
        return resolve(handle_id, type_name, text)
    if "$object" in tree:
        return Unsupported(str(tree["$object"])[:200], str(tree.get("text", ""))[:200])
    raise ProtocolError("unknown node")


def _blob_array(index: Any, blobs: list[Buffer]) -> np.ndarray:
    if not isinstance(index, int) or not 0 <= index < len(blobs):
        raise ProtocolError("bad blob reference")
    try:
        array = load_array(blobs[index])
    except Exception as error:
        raise ProtocolError(f"unreadable array: {error}") from None
    if type(array) is not np.ndarray:
        raise ProtocolError("array blob did not hold an array")
    return array


# --- framing --------------------------------------------------------------------------------


def frame(message: dict[str, Any], blobs: list[Blob]) -> list[Buffer]:
    """A message as the pieces of one frame, ready for :func:`write_frame`.

    The JSON header is padded with spaces so that the blobs start at a multiple of 64
    bytes into the payload: an array's data (at a multiple of 64 into its blob) then
    lands aligned in the reader's memory and can be used where it lies. Small pieces
    are joined; large ones are left where they are.
    """
    sizes = [sum(len(part) for part in blob) for blob in blobs]
    header = json.dumps({**message, "blobs": sizes}).encode()
    header += b" " * (-(_HEADER.size + len(header)) % 64)
    payload_length = _HEADER.size + len(header) + sum(sizes)
    pieces: list[Buffer] = []
    small = [_LENGTH.pack(payload_length), _HEADER.pack(len(header)), header]
    for part in itertools.chain.from_iterable(blobs):
        if len(part) < VIEW_BYTES:
            small.append(part)
            continue
        if small:
            pieces.append(b"".join(small))
        pieces.append(part)
        small = []
    if small:
        pieces.append(b"".join(small))
    return pieces


def write_frame(fd: int, message: dict[str, Any], blobs: list[Blob]) -> None:
    """Write a whole frame to a blocking file descriptor (a write may take only part)."""
    pieces = frame(message, blobs)
    done = 0
    while done < len(pieces):
        written = os.writev(fd, pieces[done : done + IOV_MAX])
        while done < len(pieces) and written >= len(pieces[done]):
            written -= len(pieces[done])
            done += 1
        if written:
            pieces[done] = memoryview(pieces[done])[written:]


def receive_buffer(length: int) -> bytearray | np.ndarray:
    """Writable memory for a frame's payload of ``length`` bytes, about to be read whole.

    A large one is not zeroed first (bytearray writes every byte before the read writes it
    again: ~1 ms for the 5.5 MB of conv2d's speed case); the reader fills all of it or
    throws it away.
    """
    return np.empty(length, dtype=np.uint8) if length >= VIEW_BYTES else bytearray(length)


def frame_length(prefix: Buffer, limit: int = MAX_FRAME_BYTES) -> int:
    (length,) = _LENGTH.unpack(prefix)
    if length > limit:
        raise ProtocolError(f"message of {length} bytes is over the {limit}-byte limit")
    return length


PREFIX_BYTES = _LENGTH.size


def unpack(
    payload: Buffer, header_limit: int = MAX_FRAME_BYTES
) -> tuple[dict[str, Any], list[memoryview]]:
    """The header and the blobs of a frame's payload; the blobs are views of ``payload``.

    A header longer than ``header_limit`` bytes is refused before it is parsed."""
    view = memoryview(payload)
    if len(view) < _HEADER.size:
        raise ProtocolError("truncated message")
    (header_length,) = _HEADER.unpack_from(view)
    if header_length > header_limit:
        raise ProtocolError(
            f"a header of {header_length / 2**20:.1f} MiB, over the "
            f"{header_limit / 2**20:g} MiB limit (return arrays, not long lists)"
        )
    end = _HEADER.size + header_length
    if end > len(view):
        raise ProtocolError("truncated header")
    try:
        header = json.loads(bytes(view[_HEADER.size : end]))
    except (ValueError, RecursionError):
        raise ProtocolError("header is not JSON") from None
    if not isinstance(header, dict):
        raise ProtocolError("header is not an object")
    sizes = header.pop("blobs", [])
    if not isinstance(sizes, list) or not all(isinstance(n, int) and n >= 0 for n in sizes):
        raise ProtocolError("bad blob sizes")
    if end + sum(sizes) != len(view):
        raise ProtocolError("blob sizes do not add up")
    blobs = []
    for size in sizes:
        blobs.append(view[end : end + size])
        end += size
    return header, blobs
