"""Trusted NumPy reference for the `conv_backward` exercise (parent side, vectorised).

The backward passes of `convolution.conv2d` and of `pooling.max_pool2d` / `average_pool2d`,
proved against ``tf.GradientTape`` over ``tf.nn.conv2d``, ``tf.nn.max_pool2d`` and
``tf.nn.avg_pool2d`` and against central finite differences in
tests/test_reference_conv_backward.py. Besides the contract functions this module holds the
finite differences and the relative error the checks measure gradients with.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from nnlab.checks import reference

convolution = reference("convolution")
pooling = reference("pooling")

# CS231n's relative error |a - b| / max(|a|, |b|, TINY): TINY keeps two near-zero values
# that agree to ~1e-16 from looking far apart.
TINY = 1e-8


def _expect_grad_out(grad_out: np.ndarray, shape: tuple[int, ...], forward: str) -> None:
    if grad_out.shape != shape:
        raise ValueError(
            f"grad_out has shape {grad_out.shape}, but {forward} gives outputs of shape {shape}"
        )


def _pads(x_shape, window, strides, padding) -> tuple[tuple[int, int], tuple[int, int]]:
    """((top, bottom), (left, right)) zeros the forward pass adds; ValueError for bad padding."""
    if padding == "same":
        return (
            convolution.same_padding(x_shape[1], window[0], strides[0]),
            convolution.same_padding(x_shape[2], window[1], strides[1]),
        )
    if padding != "valid":
        raise ValueError(f'padding must be "valid" or "same", not {padding!r}')
    return (0, 0), (0, 0)


def _scatter_windows(
    pieces: np.ndarray, padded_shape: tuple[int, ...], strides: tuple[int, int]
) -> np.ndarray:
    """Add every window's piece (N, Ho, Wo, C, kh, kw) back where the window lay: the adjoint
    of taking windows, one pass per window position (kh*kw strided additions)."""
    _, h_out, w_out, _, kh, kw = pieces.shape
    sh, sw = strides
    total = np.zeros(padded_shape, dtype=pieces.dtype)
    for a in range(kh):
        for b in range(kw):
            total[:, a : a + sh * h_out : sh, b : b + sw * w_out : sw, :] += pieces[..., a, b]
    return total


def _crop(padded: np.ndarray, pads) -> np.ndarray:
    (top, bottom), (left, right) = pads
    h, w = padded.shape[1] - bottom, padded.shape[2] - right
    return padded[:, top:h, left:w, :]


def conv2d_backward(
    grad_out: np.ndarray,
    x: np.ndarray,
    kernel: np.ndarray,
    stride: int | tuple[int, int] = 1,
    padding: str = "valid",
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(grad_x, grad_kernel, grad_bias) of conv2d(x, kernel, bias, stride, padding)."""
    x = np.asarray(x, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    grad_out = np.asarray(grad_out, dtype=np.float64)
    if x.ndim != 4:
        raise ValueError(f"x must be 4-D (N, H, W, C), not of shape {x.shape}")
    if kernel.ndim != 4 or kernel.shape[2] != x.shape[3]:
        raise ValueError(
            f"kernel of shape {kernel.shape} does not fit x with {x.shape[3]} channels"
        )
    kh, kw, _, c_out = kernel.shape
    strides = convolution.pair(stride)
    pads = _pads(x.shape, (kh, kw), strides, padding)
    h_out = convolution.conv_output_size(x.shape[1], kh, strides[0], padding)
    w_out = convolution.conv_output_size(x.shape[2], kw, strides[1], padding)
    _expect_grad_out(grad_out, (x.shape[0], h_out, w_out, c_out), "conv2d")
    padded = np.pad(x, ((0, 0), *pads, (0, 0)))
    windows = sliding_window_view(padded, (kh, kw), axis=(1, 2))[:, :: strides[0], :: strides[1]]
    windows = windows[:, :h_out, :w_out]  # (N, Ho, Wo, C_in, kh, kw)
    # every weight met one input pixel per output position: sum input * output gradient
    grad_kernel = np.einsum("nijcab,nijo->abco", windows, grad_out, optimize=True)
    grad_bias = grad_out.sum(axis=(0, 1, 2))  # (C_out,)
    # every output position hands grad_out @ kernel.T back to the pixels of its window
    pieces = np.einsum("nijo,abco->nijcab", grad_out, kernel, optimize=True)
    grad_x = _crop(_scatter_windows(pieces, padded.shape, strides), pads)
    return grad_x, grad_kernel, grad_bias


def _pool_setup(grad_out, x, pool_size, strides, padding, forward):
    x = np.asarray(x, dtype=np.float64)
    grad_out = np.asarray(grad_out, dtype=np.float64)
    if x.ndim != 4:
        raise ValueError(f"x must be 4-D (N, H, W, C), not of shape {x.shape}")
    window = pooling.pair(pool_size)
    steps = pooling.pair(pool_size if strides is None else strides)
    pads = _pads(x.shape, window, steps, padding)
    expected = forward(np.zeros((1, *x.shape[1:])), pool_size, strides, padding).shape
    _expect_grad_out(grad_out, (x.shape[0], *expected[1:]), forward.__name__)
    return grad_out, x, window, steps, pads


def max_pool2d_backward(
    grad_out: np.ndarray,
    x: np.ndarray,
    pool_size: int | tuple[int, int] = 2,
    strides: int | tuple[int, int] | None = None,
    padding: str = "valid",
) -> np.ndarray:
    """Each window's gradient goes to its (first) largest value; overlaps add up."""
    grad_out, x, (ph, pw), steps, pads = _pool_setup(
        grad_out, x, pool_size, strides, padding, pooling.max_pool2d
    )
    padded = np.pad(x, ((0, 0), *pads, (0, 0)), constant_values=-np.inf)
    windows = sliding_window_view(padded, (ph, pw), axis=(1, 2))[:, :: steps[0], :: steps[1]]
    windows = windows[:, : grad_out.shape[1], : grad_out.shape[2]]  # (N, Ho, Wo, C, ph, pw)
    flat = windows.reshape(*windows.shape[:4], ph * pw)
    winner = np.argmax(flat, axis=-1)  # (N, Ho, Wo, C): the first maximum of each window
    pieces = np.zeros_like(flat)
    np.put_along_axis(pieces, winner[..., np.newaxis], grad_out[..., np.newaxis], axis=-1)
    pieces = pieces.reshape(windows.shape)
    return _crop(_scatter_windows(pieces, padded.shape, steps), pads)


def average_pool2d_backward(
    grad_out: np.ndarray,
    x: np.ndarray,
    pool_size: int | tuple[int, int] = 2,
    strides: int | tuple[int, int] | None = None,
    padding: str = "valid",
) -> np.ndarray:
    """Each window's gradient shared equally by its in-bounds pixels; overlaps add up."""
    grad_out, x, (ph, pw), steps, pads = _pool_setup(
        grad_out, x, pool_size, strides, padding, pooling.average_pool2d
    )
    inside = np.pad(np.ones((1, *x.shape[1:3], 1)), ((0, 0), *pads, (0, 0)))
    counts = sliding_window_view(inside, (ph, pw), axis=(1, 2))[:, :: steps[0], :: steps[1]]
    counts = counts[:, : grad_out.shape[1], : grad_out.shape[2]].sum(axis=(-2, -1))
    share = grad_out / counts  # (N, Ho, Wo, C) / (1, Ho, Wo, 1)
    pieces = np.broadcast_to(share[..., np.newaxis, np.newaxis], (*share.shape, ph, pw))
    padded_shape = (x.shape[0], inside.shape[1], inside.shape[2], x.shape[3])
    return _crop(_scatter_windows(pieces, padded_shape, steps), pads)


# --- what the checks measure with ---------------------------------------------------------------


def relative_error(a: np.ndarray, b: np.ndarray, tiny: float = TINY) -> np.ndarray:
    """CS231n's relative error, element by element: |a - b| / max(|a|, |b|, tiny); NaN where
    a value is NaN or both are the same infinity (the checks count NaN as wrong), silently:
    a learner's inf is judged, not warned about on the grader's stderr."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        return np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), tiny)


def numerical_gradient(loss, value: np.ndarray, step: float = 1e-5) -> np.ndarray:
    """Central finite differences (loss(v + step) - loss(v - step)) / (2 step), entry by entry."""
    value = np.array(value, dtype=np.float64)
    grad = np.zeros_like(value)
    for index in np.ndindex(value.shape):
        keep = value[index]
        value[index] = keep + step
        above = loss(value)
        value[index] = keep - step
        below = loss(value)
        value[index] = keep
        grad[index] = (above - below) / (2 * step)
    return grad


def numerical_conv2d_gradients(grad_out, x, kernel, bias, stride, padding):
    """Finite differences of sum(grad_out * conv2d(...)) for x, kernel and bias."""

    def loss(x_, kernel_, bias_):
        return float(np.sum(grad_out * convolution.conv2d(x_, kernel_, bias_, stride, padding)))

    return (
        numerical_gradient(lambda v: loss(v, kernel, bias), x),
        numerical_gradient(lambda v: loss(x, v, bias), kernel),
        numerical_gradient(lambda v: loss(x, kernel, v), bias),
    )


def numerical_pool_gradient(forward, grad_out, x, pool_size, strides, padding):
    """Finite differences of sum(grad_out * forward(x, ...)) for x."""
    return numerical_gradient(
        lambda v: float(np.sum(grad_out * forward(v, pool_size, strides, padding))), x
    )
