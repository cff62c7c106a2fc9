"""Trusted NumPy reference for the `convolution` exercise (parent side, vectorised).

Proved against ``tf.nn.conv2d`` and ``keras.layers.Conv2D`` in
tests/test_reference_convolution.py; timed against ``tf.nn.conv2d`` in benchmarks/conv2d.py.
Results are float64, or float32 when every input is float32 (the checks always pass float64).
"""

from __future__ import annotations

import math

import numpy as np

CHUNK_BYTES = 2 << 20  # conv2d's window buffer: stays in cache (2-4 MB measured fastest)


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
    kh, kw, c_in, c_out = kernel.shape
    sh, sw = pair(stride)
    if sh < 1 or sw < 1:
        raise ValueError(f"stride must be at least 1, not {stride!r}")
    if padding == "same":
        x = zero_pad(x, (same_padding(x.shape[1], kh, sh), same_padding(x.shape[2], kw, sw)))
    elif padding != "valid":
        raise ValueError(f'padding must be "valid" or "same", not {padding!r}')
    x = np.ascontiguousarray(x)  # the window view below relies on C order
    n, h, w, _ = x.shape
    if kh > h or kw > w:
        raise ValueError(f"kernel of shape {kernel.shape} is larger than x of shape {x.shape}")
    h_out, w_out = (h - kh) // sh + 1, (w - kw) // sw + 1
    # The windows without copying anything (im2col as a view): the window of output pixel
    # (n, r, c) is kh runs of kw*C_in numbers, run k being pixels c*sw..c*sw+kw-1 of input row
    # r*sh+k with all their channels, contiguous in x; its runs side by side line up with
    # kernel.reshape(depth, C_out). Each run is seen as one item of kw*C_in*itemsize bytes:
    # copying such items is about a quarter faster than copying their numbers one by one.
    depth = kh * kw * c_in  # numbers in one window
    run = np.dtype((np.void, kw * c_in * x.itemsize))
    sn, s_h, s_w, _ = x.strides
    runs = np.ndarray((n, h_out, w_out, kh), run, x, strides=(sn, sh * s_h, sw * s_w, s_h))
    runs.flags.writeable = False  # runs[n, r, c, k]: run k of the window of (n, r, c)
    weights = kernel.reshape(depth, c_out)
    out = np.empty((n, h_out, w_out, c_out), dtype=dtype)
    flat_out = out.reshape(n * h_out * w_out, c_out)  # row (image*h_out + line)*w_out + column
    # Fast because nearly all the work is one matrix product per chunk of windows,
    # (pixels, depth) @ (depth, C_out), which OpenBLAS runs as fast as any matrix product of
    # that size, on as many threads as it is given. Each chunk's windows are first copied into
    # one buffer of about CHUNK_BYTES that stays in cache, never into one matrix kh*kw times
    # the size of x, so the copy takes a fraction of the product's time. One product per
    # kernel tap was 1.5-3x slower (1 or 2 threads): kh*kw thin products (inner size C_in)
    # over strided windows, then kh*kw passes over out to add them up.
    pixels = max(CHUNK_BYTES // max(depth * x.itemsize, 1), 1)  # output pixels per chunk
    images = max(pixels // (h_out * w_out), 1)  # whole images per chunk, or one image in
    lines = min(max(pixels // w_out, 1), h_out)  # blocks of output lines when it is too big
    buffer = np.empty(min(images, n) * lines * w_out * depth, dtype=dtype)
    for image in range(0, n, images):
        for line in range(0, h_out, lines):
            chunk = runs[image : image + images, line : line + lines]  # (<= images, <= lines, ..)
            start, count = (image * h_out + line) * w_out, math.prod(chunk.shape[:3])
            cols = buffer[: count * depth]
            if depth:  # else nothing to copy (and 0-byte runs cannot be viewed)
                np.copyto(cols.view(run).reshape(chunk.shape), chunk)
            np.matmul(cols.reshape(count, depth), weights, out=flat_out[start : start + count])
    if bias is not None:
        out += np.asarray(bias, dtype=dtype)  # (C_out,) broadcast over N, Ho, Wo
    return out
