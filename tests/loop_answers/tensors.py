"""A correct `tensors` answer written with loops and plain Python, the classic-course way."""

import numpy as np


def rank(x):
    return len(np.shape(x))


def describe(x):
    array = np.array(x)
    shape = tuple(int(n) for n in array.shape)
    return {"rank": len(shape), "shape": shape, "dtype": array.dtype.name}


def broadcast_shape(shape_a, shape_b):
    result = []
    for i in range(1, max(len(shape_a), len(shape_b)) + 1):
        size_a = shape_a[-i] if i <= len(shape_a) else 1
        size_b = shape_b[-i] if i <= len(shape_b) else 1
        if size_a != size_b and size_a != 1 and size_b != 1:
            raise ValueError(f"cannot broadcast {shape_a} with {shape_b}")
        result.insert(0, size_b if size_a == 1 else size_a)
    return tuple(result)


def elementwise_add(a, b):
    a, b = np.array(a, dtype=float), np.array(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError("shapes differ")
    out = np.zeros(a.shape)
    for index in np.ndindex(a.shape):
        out[index] = a[index] + b[index]
    return out


def broadcast_add(a, b):
    a, b = np.array(a, dtype=float), np.array(b, dtype=float)
    shape = broadcast_shape(a.shape, b.shape)
    out = np.zeros(shape)
    for index in np.ndindex(shape):
        index_a = tuple(
            0 if n == 1 else i for i, n in zip(index[len(shape) - a.ndim :], a.shape, strict=True)
        )
        index_b = tuple(
            0 if n == 1 else i for i, n in zip(index[len(shape) - b.ndim :], b.shape, strict=True)
        )
        out[index] = a[index_a] + b[index_b]
    return out


def matmul(a, b):
    a, b = np.array(a, dtype=float), np.array(b, dtype=float)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[0]:
        raise ValueError(f"cannot multiply {a.shape} by {b.shape}")
    out = np.zeros((a.shape[0], b.shape[1]))
    for i in range(a.shape[0]):
        for j in range(b.shape[1]):
            for t in range(a.shape[1]):
                out[i, j] += a[i, t] * b[t, j]
    return out


def batch_flatten(x):
    x = np.array(x, dtype=float)
    if x.ndim < 2:
        raise ValueError("need at least 2 axes")
    rows = []
    for example in x:
        rows.append([value for value in example.flat])
    return np.array(rows).reshape(x.shape[0], -1)
