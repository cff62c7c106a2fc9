"""The wire format: arrays cross as .npy bytes and come back exactly as np.load reads them."""

from __future__ import annotations

import io

import numpy as np
import pytest

from nnlab.sandbox.protocol import ProtocolError, _array_bytes, decode, encode, load_array


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
    assert _array_bytes(array) == expected


def test_object_arrays_are_never_read() -> None:
    blob = npy(np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match="allow_pickle"):
        load_array(blob)


def test_a_blob_whose_size_disagrees_with_its_header_is_refused() -> None:
    blob = npy(np.zeros((2, 2)))
    with pytest.raises(ProtocolError):
        decode({"$array": 0}, [blob[:-8]])


def test_values_round_trip_through_encode_and_decode() -> None:
    value = {"w": np.eye(2), "t": (1, 2.5, "x"), "n": None, "big": 10**30}
    blobs: list[bytes] = []
    tree = encode(value, blobs)
    back = decode(tree, blobs)
    assert np.array_equal(back["w"], value["w"]) and back["t"] == value["t"]
    assert back["n"] is None and back["big"] == 10**30
