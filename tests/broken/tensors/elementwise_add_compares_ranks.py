"""Broken elementwise_add: compares ranks, not shapes, so (3, 1) and (3, 4) broadcast silently."""

import math

import numpy as np

BROKEN = ("elementwise_add",)


def rank(x):
    return np.asarray(x).ndim


def describe(x):
    x = np.asarray(x)
    return {"rank": x.ndim, "shape": tuple(x.shape), "dtype": str(x.dtype)}


def broadcast_shape(shape_a, shape_b):
    shape_a, shape_b = tuple(shape_a), tuple(shape_b)
    n = max(len(shape_a), len(shape_b))
    # align the trailing axes by padding the shorter shape with 1s on the left
    shape_a = (1,) * (n - len(shape_a)) + shape_a
    shape_b = (1,) * (n - len(shape_b)) + shape_b
    result = []
    for size_a, size_b in zip(shape_a, shape_b, strict=True):
        if size_a == size_b or size_b == 1:
            result.append(int(size_a))
        elif size_a == 1:
            result.append(int(size_b))
        else:
            raise ValueError(f"shapes {shape_a} and {shape_b} are not compatible")
    return tuple(result)


def elementwise_add(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.ndim != b.ndim:
        raise ValueError("ranks differ")
    return a + b


def broadcast_add(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return a + b  # NumPy broadcasts, and raises ValueError when the shapes do not fit


def matmul(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.ndim != 2 or b.ndim != 2:
        raise ValueError(f"matmul needs 2-D arrays, got shapes {a.shape} and {b.shape}")
    if a.shape[1] != b.shape[0]:
        raise ValueError(f"inner dimensions differ: {a.shape} @ {b.shape}")
    return a @ b  # (n, k) @ (k, m) -> (n, m)


def batch_flatten(x):
    x = np.asarray(x)
    if x.ndim < 2:
        raise ValueError(f"need a batch axis and at least one more, got shape {x.shape}")
    n = x.shape[0]
    features = math.prod(x.shape[1:])
    return x.reshape(n, features)  # (N, d1, d2, ...) -> (N, d1*d2*...), C order
