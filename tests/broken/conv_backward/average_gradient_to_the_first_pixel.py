"""Broken conv_backward: average_pool2d_backward sends each window's whole gradient to its top-left pixel."""

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

BROKEN = ("average_pool2d_backward",)


def _pair(value):
    """2 -> (2, 2); (2, 1) -> (2, 1)."""
    if np.ndim(value) == 0:
        return int(value), int(value)
    first, second = value
    return int(first), int(second)


def _paddings(x_shape, window, strides, padding):
    """((top, bottom), (left, right)) zeros of the forward pass; TensorFlow's "same" split."""
    if padding == "valid":
        return (0, 0), (0, 0)
    if padding != "same":
        raise ValueError(f'padding must be "valid" or "same", not {padding!r}')
    pads = []
    for n, k, s in zip(x_shape[1:3], window, strides, strict=True):
        total = max((math.ceil(n / s) - 1) * s + k - n, 0)
        pads.append((total // 2, total - total // 2))
    return tuple(pads)


def _output_shape(x_shape, window, strides, pads, channels):
    """(N, H_out, W_out, channels) of a window sliding over the padded input."""
    (top, bottom), (left, right) = pads
    h = x_shape[1] + top + bottom
    w = x_shape[2] + left + right
    h_out = (h - window[0]) // strides[0] + 1
    w_out = (w - window[1]) // strides[1] + 1
    return x_shape[0], h_out, w_out, channels


def _windows(padded, window, strides):
    """Every window as a view: (N, H_out, W_out, C, kh, kw)."""
    return sliding_window_view(padded, window, axis=(1, 2))[:, :: strides[0], :: strides[1]]


def _add_back(pieces, padded_shape, strides, pads):
    """Add each window's piece (N, Ho, Wo, C, kh, kw) onto the pixels it came from; drop the
    padding. One strided addition per position inside the window, so overlaps add up."""
    _, h_out, w_out, _, kh, kw = pieces.shape
    sh, sw = strides
    total = np.zeros(padded_shape)
    for a in range(kh):
        for b in range(kw):
            total[:, a : a + sh * h_out : sh, b : b + sw * w_out : sw, :] += pieces[..., a, b]
    (top, bottom), (left, right) = pads
    return total[:, top : total.shape[1] - bottom, left : total.shape[2] - right, :]


def _check_grad_out(grad_out, expected_shape, forward):
    if grad_out.shape != expected_shape:
        raise ValueError(
            f"grad_out has shape {grad_out.shape}, but {forward} gives {expected_shape} here"
        )


def conv2d_backward(grad_out, x, kernel, stride=1, padding="valid"):
    grad_out = np.asarray(grad_out, dtype=float)
    x = np.asarray(x, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    if x.ndim != 4:
        raise ValueError(f"x must have 4 axes (N, H, W, C), but its shape is {x.shape}")
    if kernel.ndim != 4 or kernel.shape[2] != x.shape[3]:
        raise ValueError(f"kernel {kernel.shape} needs (kh, kw, C_in, C_out), C_in = {x.shape[3]}")
    window, strides = kernel.shape[:2], _pair(stride)
    pads = _paddings(x.shape, window, strides, padding)
    _check_grad_out(
        grad_out, _output_shape(x.shape, window, strides, pads, kernel.shape[3]), "conv2d"
    )
    padded = np.pad(x, ((0, 0), *pads, (0, 0)))
    windows = _windows(padded, window, strides)  # (N, Ho, Wo, C_in, kh, kw)
    # kernel[a, b, c, o] met x at (a, b, c) of every window: correlate x with grad_out
    grad_kernel = np.einsum("nijcab,nijo->abco", windows, grad_out, optimize=True)
    grad_bias = grad_out.sum(axis=(0, 1, 2))  # bias[o] was added at every (n, i, j)
    # every output value hands grad_out * kernel back to the pixels of its window
    pieces = np.einsum("nijo,abco->nijcab", grad_out, kernel, optimize=True)
    grad_x = _add_back(pieces, padded.shape, strides, pads)
    return grad_x, grad_kernel, grad_bias


def max_pool2d_backward(grad_out, x, pool_size=2, strides=None, padding="valid"):
    grad_out = np.asarray(grad_out, dtype=float)
    x = np.asarray(x, dtype=float)
    if x.ndim != 4:
        raise ValueError(f"x must have 4 axes (N, H, W, C), but its shape is {x.shape}")
    window = _pair(pool_size)
    steps = _pair(pool_size if strides is None else strides)
    pads = _paddings(x.shape, window, steps, padding)
    _check_grad_out(grad_out, _output_shape(x.shape, window, steps, pads, x.shape[3]), "max_pool2d")
    padded = np.pad(x, ((0, 0), *pads, (0, 0)), constant_values=-np.inf)  # padding never wins
    windows = _windows(padded, window, steps)  # (N, Ho, Wo, C, ph, pw)
    flat = windows.reshape(*windows.shape[:4], -1)  # (N, Ho, Wo, C, ph*pw)
    winner = flat.argmax(axis=-1)[..., np.newaxis]  # where each window's maximum sits
    pieces = np.zeros(flat.shape)
    np.put_along_axis(pieces, winner, grad_out[..., np.newaxis], axis=-1)  # all to the winner
    return _add_back(pieces.reshape(windows.shape), padded.shape, steps, pads)


def average_pool2d_backward(grad_out, x, pool_size=2, strides=None, padding="valid"):
    grad_out = np.asarray(grad_out, dtype=float)
    x = np.asarray(x, dtype=float)
    if x.ndim != 4:
        raise ValueError(f"x must have 4 axes (N, H, W, C), but its shape is {x.shape}")
    window = _pair(pool_size)
    steps = _pair(pool_size if strides is None else strides)
    pads = _paddings(x.shape, window, steps, padding)
    _check_grad_out(
        grad_out, _output_shape(x.shape, window, steps, pads, x.shape[3]), "average_pool2d"
    )
    real = np.pad(np.ones((1, x.shape[1], x.shape[2], 1)), ((0, 0), *pads, (0, 0)))
    counts = _windows(real, window, steps).sum(axis=(4, 5))  # (1, Ho, Wo, 1) real pixels
    share = grad_out / counts  # (N, Ho, Wo, C): what each real pixel of a window gets
    pieces = np.zeros((*share.shape, *window))
    pieces[..., 0, 0] = grad_out  # the mistake
    padded_shape = (x.shape[0], real.shape[1], real.shape[2], x.shape[3])
    return _add_back(pieces, padded_shape, steps, pads)
