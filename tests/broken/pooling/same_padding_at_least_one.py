"""Broken pooling: 'same' padding is never less than one row/column (max(..., 1)), which adds a window when a 1x1 window steps by 1."""

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

BROKEN = ("max_pool2d", "average_pool2d")
MESSAGE = "pads the rows (0, 0) and the columns (0, 0)"


def _pair(value):
    """2 -> (2, 2); (2, 1) -> (2, 1)."""
    if np.ndim(value) == 0:
        return int(value), int(value)
    first, second = value
    return int(first), int(second)


def _same_padding(n, window, stride):
    """(before, after) for "same" padding: the odd one goes after."""
    total = max((math.ceil(n / stride) - 1) * stride + window - n, 1)
    return total // 2, total - total // 2


def _windows(x, pool_size, strides, padding, fill):
    """Every window as a view, (N, H_out, W_out, C, ph, pw); padding holds `fill`."""
    if x.ndim != 4:
        raise ValueError(f"x must have 4 axes (N, H, W, C), but its shape is {x.shape}")
    ph, pw = _pair(pool_size)
    sh, sw = _pair(pool_size if strides is None else strides)
    if padding == "same":
        pad_h, pad_w = _same_padding(x.shape[1], ph, sh), _same_padding(x.shape[2], pw, sw)
        x = np.pad(x, ((0, 0), pad_h, pad_w, (0, 0)), constant_values=fill)
    elif padding != "valid":
        raise ValueError(f'padding must be "valid" or "same", not {padding!r}')
    return sliding_window_view(x, (ph, pw), axis=(1, 2))[:, ::sh, ::sw]


def max_pool2d(x, pool_size=2, strides=None, padding="valid"):
    x = np.asarray(x, dtype=float)
    windows = _windows(x, pool_size, strides, padding, fill=-np.inf)  # padding never wins
    return windows.max(axis=(4, 5))  # (N, H_out, W_out, C)


def average_pool2d(x, pool_size=2, strides=None, padding="valid"):
    x = np.asarray(x, dtype=float)
    sums = _windows(x, pool_size, strides, padding, fill=0.0).sum(axis=(4, 5))
    ones = np.ones((1, x.shape[1], x.shape[2], 1))  # 1 on every real pixel, 0 in the padding
    counts = _windows(ones, pool_size, strides, padding, fill=0.0).sum(axis=(4, 5))
    return sums / counts  # (N, H_out, W_out, C) / (1, H_out, W_out, 1): real pixels only
