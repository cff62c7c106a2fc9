# This file must stand alone: it is graded by itself, so an import of another exercise's
# file (`from activations import sigmoid`) fails when graded. Copy what you need from an
# earlier exercise into this file.
"""Pooling: shrinking feature maps with max and average windows.

After a convolution, a network usually makes its feature maps smaller before the next
one. Pooling does that with no weights at all: a window slides over each channel of each
image and summarises the values under it by one number,

    max pooling       the largest value in the window ("is the pattern there somewhere
                      in this patch?")
    average pooling   the mean of the values in the window (a smoothed, smaller picture)

Each channel is pooled on its own (unlike a convolution, which mixes channels), so the
number of channels never changes:

    x     (N, H, W, C)            channels last, as in Keras
    out   (N, H_out, W_out, C)    same N, same C

For image n, position (i, j), channel c, with a (ph, pw) window and strides (sh, sw):

    window = x[n, i*sh : i*sh + ph, j*sw : j*sw + pw, c]
    max_pool2d:      out[n, i, j, c] = window.max()
    average_pool2d:  out[n, i, j, c] = window.mean()

Window size and strides
-----------------------
`pool_size` is an int (a square window) or a pair (ph, pw). `strides` is also an int or a
pair, and when it is None (the default) it is the same as `pool_size`, as in Keras'
`MaxPooling2D`: the windows then tile the image without overlapping, and a 2x2 pool halves
both H and W. Strides smaller than the window make windows that overlap; every window
still reads from the ORIGINAL input, never from values already pooled.

Output sizes follow the same rules as the convolution exercise (TensorFlow's):

    padding="valid"   n_out = ceil((n - k + 1) / s)   windows that would stick out are dropped
    padding="same"    n_out = ceil(n / s)             the image is padded so they fit

"Same" padding for pooling
--------------------------
"Same" adds pad_total = max((n_out - 1) * s + k - n, 0) rows (or columns): pad_total // 2
before and the rest, with the odd extra one, after (bottom / right), exactly as for a
convolution. But what is "in" the padding must not change the answer:

- max pooling must never pick a padded value. If you pad with zeros, a window over the
  border of an all-negative image returns 0, which is not in the image at all. Pad with
  -inf instead (or take the max over the in-bounds part of the window only).
- average pooling divides by the number of REAL pixels in the window, not by ph * pw.
  A 2x2 window hanging over the bottom-right corner by one row and one column averages
  the single pixel it covers. (This is what `tf.nn.avg_pool2d` does.)

Vectorising
-----------
`np.lib.stride_tricks.sliding_window_view(x, (ph, pw), axis=(1, 2))[:, ::sh, ::sw]`
gives every window at once as a view of shape (N, H_out, W_out, C, ph, pw); then
`.max(axis=(4, 5))` or `.mean(axis=(4, 5))` pools them all in one call. For the average
with "same" padding, pool an array of ones the same way to count the real pixels of each
window.

Rules for this file: inputs may be NumPy arrays of any float dtype or nested Python lists,
of ints too (convert with `np.asarray(x, dtype=float)`, or the mean of an int image is
truncated); never change an input in place.
"""

import numpy as np


def max_pool2d(x, pool_size=2, strides=None, padding="valid"):
    """Max pooling of a batch of images, like Keras `MaxPooling2D`.

    Args:
        x: images or feature maps, shape (N, H, W, C).
        pool_size: window size, an int or a pair (ph, pw).
        strides: step between windows, an int or a pair (sh, sw); None means pool_size.
        padding: "valid" (drop windows that stick out) or "same" (pad so that
            H_out = ceil(H / sh); padded positions are never the maximum).

    Returns:
        A float array (float64 in the model answer) of shape (N, H_out, W_out, C).

    Raises:
        ValueError: when x is not 4-D, or padding is neither "valid" nor "same".

    Example:
        >>> x = np.array([[ 1.0,  2.0, -1.0],
        ...               [ 4.0,  3.0, -5.0],
        ...               [-2.0,  0.0, -3.0]]).reshape(1, 3, 3, 1)
        >>> max_pool2d(x)[0, :, :, 0]                   # one 2x2 window fits: [[1, 2], [4, 3]]
        array([[4.]])
        >>> max_pool2d(x, padding="same")[0, :, :, 0]   # the right column and bottom row get windows too
        array([[ 4., -1.],
               [ 0., -3.]])
    """
    raise NotImplementedError


def average_pool2d(x, pool_size=2, strides=None, padding="valid"):
    """Average pooling of a batch of images, like Keras `AveragePooling2D`.

    Args:
        x: images or feature maps, shape (N, H, W, C).
        pool_size: window size, an int or a pair (ph, pw).
        strides: step between windows, an int or a pair (sh, sw); None means pool_size.
        padding: "valid" or "same"; with "same", each window's mean is taken over its
            in-bounds values only (padding is neither summed nor counted).

    Returns:
        A float array (float64 in the model answer) of shape (N, H_out, W_out, C).

    Raises:
        ValueError: when x is not 4-D, or padding is neither "valid" nor "same".

    Example:
        >>> x = np.array([[ 1.0,  2.0, -1.0],
        ...               [ 4.0,  3.0, -5.0],
        ...               [-2.0,  0.0, -3.0]]).reshape(1, 3, 3, 1)
        >>> average_pool2d(x)[0, :, :, 0]               # (1 + 2 + 4 + 3) / 4
        array([[2.5]])
        >>> average_pool2d(x, padding="same")[0, :, :, 0]   # e.g. (-1 - 5) / 2, and -3 / 1
        array([[ 2.5, -3. ],
               [-1. , -3. ]])
    """
    raise NotImplementedError
