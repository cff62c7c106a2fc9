"""The wire format: arrays cross as .npy bytes and come back exactly as np.load reads them."""

from __future__ import annotations

import io

import numpy as np
import pytest

from nnlab.sandbox.protocol import (
    PREFIX_BYTES,
    ProtocolError,
    array_blob,
    decode,
    encode,
    frame,
    frame_length,
    load_array,
    unpack,
)


def npy(array: np.ndarray, allow_pickle: bool = False) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=allow_pickle)
    return buffer.getvalue()


CASES = [
    np.random.default_rng(0).random((3, 4)),
    np.array(2.5),
    np.arange(10, dtype=np.int32),
    np.zeros((0, 3)),
    np.asfortranarray(np.random.default_rng(1).random((3, 5))),
    np.array(["ab", "c"]),
    np.array([True, False]),
    np.ones((2, 3), dtype=np.float32),
    np.array([1 + 2j]),
    np.zeros(2, dtype=[("a", "<f8"), ("b", "<i4")]),  # structured: read by np.load itself
    np.array(5, dtype=np.uint8),
    np.ones((1, 2, 1, 3), dtype=">f8"),
]


@pytest.mark.parametrize("array", CASES, ids=lambda a: f"{a.dtype}{a.shape}")
def test_load_array_reads_what_np_load_reads(array: np.ndarray) -> None:
    blob = npy(array)
    got, expected = load_array(blob), np.load(io.BytesIO(blob), allow_pickle=False)
    assert got.dtype == expected.dtype and got.shape == expected.shape
    assert np.array_equal(got, expected)
    assert got.flags.writeable  # a learner may (wrongly) write into its input


@pytest.mark.parametrize(
    "array",
    [*CASES, np.arange(12).reshape(3, 4).T, np.zeros((1,) * 32), np.zeros(3, dtype=np.float16)],
    ids=lambda a: f"{a.dtype}{a.shape}",
)
def test_arrays_are_sent_as_the_bytes_np_save_writes(array: np.ndarray) -> None:
    expected = npy(np.ascontiguousarray(array) if array.ndim else array)
    assert b"".join(array_blob(array)) == expected


def test_object_arrays_are_never_read() -> None:
    blob = npy(np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match="allow_pickle"):
        load_array(blob)


def test_a_blob_whose_size_disagrees_with_its_header_is_refused() -> None:
    blob = npy(np.zeros((2, 2)))
    with pytest.raises(ProtocolError):
        decode({"$array": 0}, [blob[:-8]])


def through_a_frame(value: object) -> object:
    """``value`` sent as the launcher and the server send it, and read back."""
    blobs: list = []
    tree = encode(value, blobs)
    data = b"".join(frame({"value": tree}, blobs))
    assert frame_length(data[:PREFIX_BYTES]) == len(data) - PREFIX_BYTES
    header, received = unpack(bytearray(data[PREFIX_BYTES:]))
    return decode(header["value"], received)


def test_values_round_trip_through_a_frame() -> None:
    value = {"w": np.eye(2), "t": (1, 2.5, "x"), "n": None, "big": 10**30}
    back = through_a_frame(value)
    assert np.array_equal(back["w"], value["w"]) and back["t"] == value["t"]
    assert back["n"] is None and back["big"] == 10**30


LARGE = np.random.default_rng(2).normal(size=(40, 50, 30))  # over VIEW_BYTES: sent as a view


@pytest.mark.parametrize(
    "array",
    [LARGE, LARGE[:, ::2], LARGE.transpose(2, 0, 1), np.asfortranarray(LARGE), LARGE[..., 0]],
    ids=["contiguous", "strided", "transposed", "fortran", "sliced"],
)
def test_large_arrays_are_sent_as_the_bytes_np_save_writes(array: np.ndarray) -> None:
    assert b"".join(array_blob(array)) == npy(np.ascontiguousarray(array))
    assert np.array_equal(through_a_frame(array), array)


def test_blobs_start_aligned_in_the_payload_so_large_arrays_need_no_copy() -> None:
    header, blobs = unpack(bytearray(b"".join(frame({"a": 1}, [array_blob(LARGE)]))[8:]))
    array = load_array(blobs[0])
    assert header == {"a": 1} and array.flags.aligned and array.flags.writeable
    assert np.shares_memory(array, np.frombuffer(blobs[0], np.uint8))


def test_a_misaligned_array_is_copied_into_aligned_memory() -> None:
    value = [np.ones(3, dtype=np.int8), LARGE]  # 3 bytes of data shift the next blob
    back = through_a_frame(value)
    assert back[1].flags.aligned and back[1].flags.writeable
    assert np.array_equal(back[1], LARGE)


def test_read_only_bytes_give_a_writable_copy_or_on_request_a_read_only_view() -> None:
    blob = memoryview(b"".join(array_blob(LARGE))).toreadonly()
    copied, viewed = load_array(blob), load_array(blob, writable=False)
    assert copied.flags.writeable and not np.shares_memory(copied, viewed)
    assert not viewed.flags.writeable and np.array_equal(copied, viewed)


def test_arrays_read_from_one_payload_do_not_overlap() -> None:
    first, second = through_a_frame([LARGE, LARGE + 1])
    first[...] = 0
    assert np.array_equal(second, LARGE + 1)


def test_a_frame_written_in_many_partial_writes_arrives_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import os
    import threading

    from nnlab.sandbox import protocol

    real_writev, calls = os.writev, []

    def short_writev(fd: int, buffers: list) -> int:  # as a pipe interrupted by signals may
        calls.append(len(buffers))
        return real_writev(fd, [memoryview(buffers[0])[:7777]])

    monkeypatch.setattr(protocol, "IOV_MAX", 2)
    monkeypatch.setattr(protocol.os, "writev", short_writev)
    value = [LARGE, np.arange(5), LARGE[::2], LARGE * 2]
    blobs: list = []
    tree = encode(value, blobs)
    expected = b"".join(frame({"value": tree}, blobs))
    read_end, write_end = os.pipe()
    received = bytearray()

    def read_all() -> None:
        while chunk := os.read(read_end, 1 << 20):
            received.extend(chunk)

    reader = threading.Thread(target=read_all, daemon=True)
    reader.start()
    try:
        protocol.write_frame(write_end, {"value": tree}, blobs)
    finally:
        os.close(write_end)
        reader.join(10)
        os.close(read_end)
    assert received == expected
    assert max(calls) == 2 and len(calls) > len(expected) // 7777


def test_arrays_with_the_same_header_are_each_read_from_their_own_bytes() -> None:
    from nnlab.sandbox.protocol import load_array

    def saved(array: np.ndarray) -> bytearray:
        buffer = io.BytesIO()
        np.save(buffer, array, allow_pickle=False)
        return bytearray(buffer.getvalue())

    first, second = np.arange(6.0).reshape(2, 3), -np.arange(6.0).reshape(2, 3)
    fortran = np.asfortranarray(first * 10)
    for array in (first, second, fortran, first, fortran):  # the headers are met again
        loaded = load_array(saved(array))
        assert loaded.shape == array.shape and np.array_equal(loaded, array)
        assert loaded.flags.f_contiguous == (array is fortran)
