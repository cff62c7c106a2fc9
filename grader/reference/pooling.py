"""Trusted NumPy reference for the `pooling` exercise (parent side, vectorised).

Proved against ``tf.nn.max_pool2d`` and ``tf.nn.avg_pool2d`` in tests/test_reference_pooling.py.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def pair(value: int | tuple[int, int]) -> tuple[int, int]:
    """An int or a pair of ints as a pair: 2 -> (2, 2)."""
    if isinstance(value, (int, np.integer)):
        return int(value), int(value)
    first, second = value
    return int(first), int(second)


def same_padding(n: int, window: int, stride: int) -> tuple[int, int]:
    """(before, after) for "same": total max((out-1)*s + k - n, 0), the odd one after."""
    out = math.ceil(n / stride)
    total = max((out - 1) * stride + window - n, 0)
    return total // 2, total - total // 2


def _windows(
    x: np.ndarray,
    pool_size: int | tuple[int, int],
    strides: int | tuple[int, int] | None,
    padding: str,
    fill: float,
) -> np.ndarray:
    """Every pooling window as a view: (N, H_out, W_out, C, ph, pw); padding filled with ``fill``."""
    if x.ndim != 4:
        raise ValueError(f"x must be 4-D (N, H, W, C), not of shape {x.shape}")
    ph, pw = pair(pool_size)
    sh, sw = pair(pool_size if strides is None else strides)
    if padding == "same":
        pads = same_padding(x.shape[1], ph, sh), same_padding(x.shape[2], pw, sw)
        x = np.pad(x, ((0, 0), *pads, (0, 0)), constant_values=fill)
    elif padding != "valid":
        raise ValueError(f'padding must be "valid" or "same", not {padding!r}')
    return sliding_window_view(x, (ph, pw), axis=(1, 2))[:, ::sh, ::sw]


def max_pool2d(
    x: np.ndarray,
    pool_size: int | tuple[int, int] = 2,
    strides: int | tuple[int, int] | None = None,
    padding: str = "valid",
) -> np.ndarray:
    """Largest value of each window; "same" padding never wins (it is -inf)."""
    x = np.asarray(x, dtype=np.float64)
    return _windows(x, pool_size, strides, padding, -np.inf).max(axis=(-2, -1))


def average_pool2d(
    x: np.ndarray,
    pool_size: int | tuple[int, int] = 2,
    strides: int | tuple[int, int] | None = None,
    padding: str = "valid",
) -> np.ndarray:
    """Mean of the in-bounds values of each window (padding is neither summed nor counted)."""
    x = np.asarray(x, dtype=np.float64)
    sums = _windows(x, pool_size, strides, padding, 0.0).sum(axis=(-2, -1))
    inside = np.ones((1, *x.shape[1:3], 1))  # 1 where a pixel exists, 0 in the padding
    counts = _windows(inside, pool_size, strides, padding, 0.0).sum(axis=(-2, -1))
    return sums / counts  # (N, Ho, Wo, C) / (1, Ho, Wo, 1)
