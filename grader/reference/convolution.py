"""Trusted NumPy reference for the `convolution` exercise (parent side, vectorised).

Proved against ``tf.nn.conv2d`` and ``keras.layers.Conv2D`` in
tests/test_reference_convolution.py; timed against ``tf.nn.conv2d`` in benchmarks/conv2d.py.
Results are float64, or float32 when every input is float32 (the checks always pass float64).
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


def conv_output_size(n: int, kernel_size: int, stride: int = 1, padding: str = "valid") -> int:
    """TensorFlow's output length: valid ceil((n - k + 1) / s), same ceil(n / s)."""
    if padding == "valid":
        return max(math.ceil((n - kernel_size + 1) / stride), 0)
    if padding == "same":
        return math.ceil(n / stride)
    raise ValueError(f'padding must be "valid" or "same", not {padding!r}')


def same_padding(n: int, kernel_size: int, stride: int) -> tuple[int, int]:
    """(before, after) for "same": total max((out-1)*s + k - n, 0), the odd one after."""
    out = math.ceil(n / stride)
    total = max((out - 1) * stride + kernel_size - n, 0)
    return total // 2, total - total // 2


def zero_pad(x: np.ndarray, pad: int | tuple[tuple[int, int], tuple[int, int]]) -> np.ndarray:
    """Zeros around H and W of an (N, H, W, C) array; N and C untouched; dtype kept."""
    x = np.asarray(x)
    if isinstance(pad, (int, np.integer)):
        (top, bottom), (left, right) = (pad, pad), (pad, pad)
    else:
        (top, bottom), (left, right) = pad
    return np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))


def conv2d(
    x: np.ndarray,
    kernel: np.ndarray,
    bias: np.ndarray | None = None,
    stride: int | tuple[int, int] = 1,
    padding: str = "valid",
) -> np.ndarray:
    """Cross-correlation of (N, H, W, C_in) with (kh, kw, C_in, C_out) -> (N, H_out, W_out, C_out)."""
    dtype = np.result_type(np.asarray(x), np.asarray(kernel), np.float32)
    x = np.asarray(x, dtype=dtype)
    kernel = np.asarray(kernel, dtype=dtype)
    if x.ndim != 4:
        raise ValueError(f"x must be 4-D (N, H, W, C), not of shape {x.shape}")
    if kernel.ndim != 4 or kernel.shape[2] != x.shape[3]:
        raise ValueError(
            f"kernel of shape {kernel.shape} does not fit x with {x.shape[3]} channels"
        )
    kh, kw, _, c_out = kernel.shape
    sh, sw = pair(stride)
    if padding == "same":
        x = zero_pad(x, (same_padding(x.shape[1], kh, sh), same_padding(x.shape[2], kw, sw)))
    elif padding != "valid":
        raise ValueError(f'padding must be "valid" or "same", not {padding!r}')
    windows = sliding_window_view(x, (kh, kw), axis=(1, 2))[
        :, ::sh, ::sw
    ]  # (N, Ho, Wo, C_in, kh, kw)
    out = np.zeros((*windows.shape[:3], c_out), dtype=dtype)  # (N, Ho, Wo, C_out)
    # one matrix product per kernel tap (kh*kw of them), each over every window at once:
    # faster than gathering all windows into one big matrix, because nothing is copied kh*kw times
    for i in range(kh):
        for j in range(kw):
            out += windows[..., i, j] @ kernel[i, j]  # (N, Ho, Wo, C_in) @ (C_in, C_out)
    if bias is not None:
        out += np.asarray(bias, dtype=dtype)  # (C_out,) broadcast over N, Ho, Wo
    return out
