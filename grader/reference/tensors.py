"""Trusted NumPy reference for the `tensors` exercise (parent side, never the learner's code)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def rank(x: Any) -> int:
    return int(np.ndim(x))


def describe(x: Any) -> dict[str, Any]:
    array = np.asarray(x)
    return {
        "rank": int(array.ndim),
        "shape": tuple(int(n) for n in array.shape),
        "dtype": str(array.dtype),
    }


def broadcast_shape(shape_a: tuple[int, ...], shape_b: tuple[int, ...]) -> tuple[int, ...]:
    a, b = tuple(int(n) for n in shape_a), tuple(int(n) for n in shape_b)
    width = max(len(a), len(b))
    a = (1,) * (width - len(a)) + a  # align trailing axes: pad on the left
    b = (1,) * (width - len(b)) + b
    result = []
    for n, m in zip(a, b, strict=True):
        if n == m or m == 1:
            result.append(n)
        elif n == 1:
            result.append(m)
        else:
            raise ValueError(f"shapes {shape_a} and {shape_b} cannot be broadcast together")
    return tuple(result)


def elementwise_add(a: Any, b: Any) -> np.ndarray:
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        raise ValueError(f"elementwise_add needs equal shapes, got {a.shape} and {b.shape}")
    return a + b


def broadcast_add(a: Any, b: Any) -> np.ndarray:
    a, b = np.asarray(a), np.asarray(b)
    shape = broadcast_shape(a.shape, b.shape)
    return np.broadcast_to(a, shape) + np.broadcast_to(b, shape)


def matmul(a: Any, b: Any) -> np.ndarray:
    a, b = np.asarray(a), np.asarray(b)
    if a.ndim != 2 or b.ndim != 2:
        raise ValueError(f"matmul needs two 2-D arrays, got shapes {a.shape} and {b.shape}")
    if a.shape[1] != b.shape[0]:
        raise ValueError(f"inner dimensions differ: {a.shape} @ {b.shape}")
    return a @ b


def batch_flatten(x: Any) -> np.ndarray:
    x = np.asarray(x)
    if x.ndim < 2:
        raise ValueError(f"batch_flatten needs a batch axis and at least one more, got {x.shape}")
    return x.reshape(x.shape[0], math.prod(x.shape[1:]))
