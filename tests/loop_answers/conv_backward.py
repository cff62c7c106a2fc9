"""A correct `conv_backward` answer written loop by loop, the way classic courses teach it
(Coursera's `conv_backward` and `pool_backward`: one window at a time)."""

import math

import numpy as np


def _pair(value):
    if np.ndim(value) == 0:
        return int(value), int(value)
    return int(value[0]), int(value[1])


def _pads(n, k, s, padding):
    if padding == "valid":
        return 0, 0
    if padding != "same":
        raise ValueError(f"unknown padding {padding!r}")
    total = max((math.ceil(n / s) - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def _setup(grad_out, x, window, strides, padding, channels, fill):
    (kh, kw), (sh, sw) = window, strides
    top, bottom = _pads(x.shape[1], kh, sh, padding)
    left, right = _pads(x.shape[2], kw, sw, padding)
    x_pad = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=fill)
    h_out = (x_pad.shape[1] - kh) // sh + 1
    w_out = (x_pad.shape[2] - kw) // sw + 1
    if grad_out.shape != (x.shape[0], h_out, w_out, channels):
        raise ValueError(f"grad_out has shape {grad_out.shape}")
    return x_pad, (top, left)


def conv2d_backward(grad_out, x, kernel, stride=1, padding="valid"):
    grad_out = np.array(grad_out, dtype=float)
    x = np.array(x, dtype=float)
    kernel = np.array(kernel, dtype=float)
    if x.ndim != 4 or kernel.shape[2] != x.shape[3]:
        raise ValueError("x must be (N, H, W, C) with the kernel's channels")
    kh, kw, _, c_out = kernel.shape
    sh, sw = _pair(stride)
    x_pad, (top, left) = _setup(grad_out, x, (kh, kw), (sh, sw), padding, c_out, 0.0)
    dx_pad = np.zeros(x_pad.shape)
    dw = np.zeros(kernel.shape)
    db = np.zeros(c_out)
    m, h_out, w_out, _ = grad_out.shape
    for i in range(m):
        for h in range(h_out):
            for w in range(w_out):
                for c in range(c_out):
                    v, u = h * sh, w * sw
                    a_slice = x_pad[i, v : v + kh, u : u + kw, :]
                    dx_pad[i, v : v + kh, u : u + kw, :] += (
                        kernel[:, :, :, c] * grad_out[i, h, w, c]
                    )
                    dw[:, :, :, c] += a_slice * grad_out[i, h, w, c]
                    db[c] += grad_out[i, h, w, c]
    dx = dx_pad[:, top : top + x.shape[1], left : left + x.shape[2], :]
    return dx, dw, db


def _pool_backward(grad_out, x, pool_size, strides, padding, mode):
    grad_out = np.array(grad_out, dtype=float)
    x = np.array(x, dtype=float)
    if x.ndim != 4:
        raise ValueError("x must be (N, H, W, C)")
    ph, pw = _pair(pool_size)
    sh, sw = _pair(pool_size if strides is None else strides)
    fill = -np.inf if mode == "max" else 0.0
    x_pad, (top, left) = _setup(grad_out, x, (ph, pw), (sh, sw), padding, x.shape[3], fill)
    real = np.zeros(x_pad.shape[1:3])
    real[top : top + x.shape[1], left : left + x.shape[2]] = 1.0
    dx_pad = np.zeros(x_pad.shape)
    m, h_out, w_out, channels = grad_out.shape
    for i in range(m):
        for h in range(h_out):
            for w in range(w_out):
                for c in range(channels):
                    v, u = h * sh, w * sw
                    if mode == "max":
                        a_slice = x_pad[i, v : v + ph, u : u + pw, c]
                        mask = a_slice == np.max(a_slice)
                        dx_pad[i, v : v + ph, u : u + pw, c] += mask * grad_out[i, h, w, c]
                    else:
                        inside = real[v : v + ph, u : u + pw]
                        share = grad_out[i, h, w, c] / np.sum(inside)
                        dx_pad[i, v : v + ph, u : u + pw, c] += inside * share
    return dx_pad[:, top : top + x.shape[1], left : left + x.shape[2], :]


def max_pool2d_backward(grad_out, x, pool_size=2, strides=None, padding="valid"):
    return _pool_backward(grad_out, x, pool_size, strides, padding, "max")


def average_pool2d_backward(grad_out, x, pool_size=2, strides=None, padding="valid"):
    return _pool_backward(grad_out, x, pool_size, strides, padding, "average")
