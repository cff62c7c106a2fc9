"""A correct `convolution` answer written loop by loop, the way classic courses teach it."""

import math

import numpy as np


def conv_output_size(n, kernel_size, stride=1, padding="valid"):
    if padding == "same":
        return math.ceil(n / stride)
    return (n - kernel_size) // stride + 1  # the classic formula: equal to ceil((n - k + 1) / s)


def zero_pad(x, pad):
    x = np.asarray(x)
    if isinstance(pad, int):
        pad = ((pad, pad), (pad, pad))
    (top, bottom), (left, right) = pad
    n, h, w, c = x.shape
    out = np.zeros((n, top + h + bottom, left + w + right, c), dtype=x.dtype)
    for i in range(h):
        for j in range(w):
            out[:, top + i, left + j, :] = x[:, i, j, :]
    return out


def conv_single_step(a_slice, kernel, bias):
    return np.sum(a_slice * kernel) + bias


def conv2d(x, kernel, bias=None, stride=1, padding="valid"):
    x = np.array(x, dtype=float)
    kernel = np.array(kernel, dtype=float)
    if x.ndim != 4:
        raise ValueError("x must be (N, H, W, C)")
    if kernel.shape[2] != x.shape[3]:
        raise ValueError("kernel channels do not match x")
    if padding not in ("valid", "same"):
        raise ValueError(f"unknown padding {padding!r}")
    m, n_h_prev, n_w_prev, _ = x.shape
    f_h, f_w, _, n_c = kernel.shape
    s_h, s_w = (stride, stride) if isinstance(stride, int) else stride
    if padding == "same":
        n_h = math.ceil(n_h_prev / s_h)
        n_w = math.ceil(n_w_prev / s_w)
        pad_h = max((n_h - 1) * s_h + f_h - n_h_prev, 0)
        pad_w = max((n_w - 1) * s_w + f_w - n_w_prev, 0)
        x = zero_pad(x, ((pad_h // 2, pad_h - pad_h // 2), (pad_w // 2, pad_w - pad_w // 2)))
    else:
        n_h = (n_h_prev - f_h) // s_h + 1
        n_w = (n_w_prev - f_w) // s_w + 1
    b = np.zeros(n_c) if bias is None else np.array(bias, dtype=float)
    z = np.zeros((m, n_h, n_w, n_c))
    for i in range(m):
        for h in range(n_h):
            vert_start = h * s_h
            vert_end = vert_start + f_h
            for w in range(n_w):
                horiz_start = w * s_w
                horiz_end = horiz_start + f_w
                for c in range(n_c):
                    a_slice = x[i, vert_start:vert_end, horiz_start:horiz_end, :]
                    z[i, h, w, c] = conv_single_step(a_slice, kernel[:, :, :, c], b[c])
    return z
