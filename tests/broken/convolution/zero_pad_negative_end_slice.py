"""Broken zero_pad: copies x into out[:, top:-bottom, left:-right], an empty slice when bottom or right is 0 (conv2d uses zero_pad)."""

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

BROKEN = ("zero_pad", "conv2d")


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
    n, h, w, c = x.shape
    out = np.zeros((n, top + h + bottom, left + w + right, c), dtype=x.dtype)
    out[:, top:-bottom, left:-right, :] = x  # -0 is 0: an empty slice when bottom or right is 0
    return out


def conv2d(x, kernel, bias=None, stride=1, padding="valid"):
    x = np.asarray(x, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    if x.ndim != 4:
        raise ValueError(f"x must have 4 axes (N, H, W, C), but its shape is {x.shape}")
    if kernel.ndim != 4 or kernel.shape[2] != x.shape[3]:
        raise ValueError(
            f"kernel of shape {kernel.shape} needs (kh, kw, C_in, C_out) with C_in = {x.shape[3]}"
        )
    kh, kw = kernel.shape[:2]
    sh, sw = _pair(stride)
    if padding == "same":
        x = zero_pad(x, (_same_padding(x.shape[1], kh, sh), _same_padding(x.shape[2], kw, sw)))
    elif padding != "valid":
        raise ValueError(f'padding must be "valid" or "same", not {padding!r}')
    windows = sliding_window_view(x, (kh, kw), axis=(1, 2))  # (N, H-kh+1, W-kw+1, C_in, kh, kw)
    windows = windows[:, ::sh, ::sw]  # (N, H_out, W_out, C_in, kh, kw)
    out = np.einsum("nijcab,abco->nijo", windows, kernel, optimize=True)  # (N, H_out, W_out, C_out)
    if bias is not None:
        out = out + np.asarray(bias, dtype=float)  # (C_out,) broadcast over N, H_out, W_out
    return out
