"""Broken conv2d: 'same' padding of the columns uses the row stride sh."""

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

BROKEN = ("conv2d",)


def _pair(value):
    """2 -> (2, 2); (2, 1) -> (2, 1)."""
    if np.ndim(value) == 0:
        return int(value), int(value)
    first, second = value
    return int(first), int(second)


def _same_padding(n, kernel_size, stride):
    """(before, after) zeros for "same" padding: the odd one goes after."""
    n_out = math.ceil(n / stride)
    total = max((n_out - 1) * stride + kernel_size - n, 0)
    return total // 2, total - total // 2


def conv_output_size(n, kernel_size, stride=1, padding="valid"):
    if padding == "valid":
        return math.ceil((n - kernel_size + 1) / stride)
    if padding == "same":
        return math.ceil(n / stride)
    raise ValueError(f'padding must be "valid" or "same", not {padding!r}')


def zero_pad(x, pad):
    x = np.asarray(x)
    if np.ndim(pad) == 0:
        pad = ((pad, pad), (pad, pad))
    (top, bottom), (left, right) = pad
    return np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))


def conv2d(x, kernel, bias=None, stride=1, padding="valid"):
    x = np.asarray(x, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    if x.ndim != 4:
        raise ValueError("x must be 4-D")
    if kernel.ndim != 4 or kernel.shape[2] != x.shape[3]:
        raise ValueError("channels")

    kh, kw = kernel.shape[:2]
    sh, sw = _pair(stride)
    if padding == "same":
        x = zero_pad(x, (_same_padding(x.shape[1], kh, sh), _same_padding(x.shape[2], kw, sh)))
    elif padding != "valid":
        raise ValueError("padding")
    windows = sliding_window_view(x, (kh, kw), axis=(1, 2))[:, ::sh, ::sw]
    out = np.einsum("nijcab,abco->nijo", windows, kernel)
    if bias is not None:
        out = out + np.asarray(bias, dtype=float)
    return out
