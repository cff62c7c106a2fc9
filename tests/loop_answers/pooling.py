"""A correct `pooling` answer written loop by loop, the way classic courses teach it."""

import math

import numpy as np


def _pool(x, pool_size, strides, padding, mode):
    x = np.array(x, dtype=float)
    if x.ndim != 4:
        raise ValueError("x must be (N, H, W, C)")
    if padding not in ("valid", "same"):
        raise ValueError("padding must be 'valid' or 'same'")
    f_h, f_w = (pool_size, pool_size) if isinstance(pool_size, int) else pool_size
    if strides is None:
        strides = (f_h, f_w)
    s_h, s_w = (strides, strides) if isinstance(strides, int) else strides
    m, n_h_prev, n_w_prev, n_c = x.shape
    if padding == "same":
        n_h, n_w = math.ceil(n_h_prev / s_h), math.ceil(n_w_prev / s_w)
        top = max((n_h - 1) * s_h + f_h - n_h_prev, 0) // 2
        left = max((n_w - 1) * s_w + f_w - n_w_prev, 0) // 2
    else:
        n_h, n_w = (n_h_prev - f_h) // s_h + 1, (n_w_prev - f_w) // s_w + 1
        top = left = 0
    a = np.zeros((m, n_h, n_w, n_c))
    for i in range(m):
        for h in range(n_h):
            vert_start = max(h * s_h - top, 0)
            vert_end = min(h * s_h - top + f_h, n_h_prev)
            for w in range(n_w):
                horiz_start = max(w * s_w - left, 0)
                horiz_end = min(w * s_w - left + f_w, n_w_prev)
                for c in range(n_c):
                    a_slice = x[i, vert_start:vert_end, horiz_start:horiz_end, c]
                    a[i, h, w, c] = np.max(a_slice) if mode == "max" else np.mean(a_slice)
    return a


def max_pool2d(x, pool_size=2, strides=None, padding="valid"):
    return _pool(x, pool_size, strides, padding, "max")


def average_pool2d(x, pool_size=2, strides=None, padding="valid"):
    return _pool(x, pool_size, strides, padding, "average")
