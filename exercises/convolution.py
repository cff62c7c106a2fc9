# This file must stand alone: it is graded by itself, so an import of another exercise's
# file (`from activations import sigmoid`) fails when graded. Copy what you need from an
# earlier exercise into this file.
"""2-D convolution by hand: output sizes, zero padding, strides, many channels.

A convolution slides a small window of weights (the kernel) over an image. At every
stop it multiplies the pixels under the window by the weights, element by element, adds
everything up, and writes that one number into the output. The output is called a
feature map: it is large where the patch of image looks like the kernel. Because the
same few weights are used at every position, a convolutional layer needs far fewer
parameters than a dense layer on the same image, and it finds a pattern wherever it is.

Shapes (channels last, as in Keras)
-----------------------------------
    x       (N, H, W, C_in)            N images, H rows, W columns, C_in channels
                                       (3 for colour pictures, 1 for grey ones, or the
                                       feature maps of an earlier layer)
    kernel  (kh, kw, C_in, C_out)      laid out like the kernel of a Keras `Conv2D`:
                                       kernel[:, :, :, o] is the window of filter o, and
                                       it spans ALL input channels
    bias    (C_out,)                   one offset per filter
    out     (N, H_out, W_out, C_out)   one feature map per filter

One output number, for image n, position (i, j) and filter o, with stride (sh, sw):

    out[n, i, j, o] = sum over a < kh, b < kw, c < C_in of
                      x[n, i*sh + a, j*sw + b, c] * kernel[a, b, c, o]      + bias[o]

No kernel flip
--------------
In signal processing a "convolution" first turns the kernel upside down and back to
front; what deep learning calls convolution does NOT (mathematicians would call it
cross-correlation). Keras, TensorFlow and this exercise all use the formula above as it
stands: kernel[0, 0] meets the top-left pixel of the window. A flipped kernel gives a
different answer as soon as the kernel is not symmetric.

Output size, strides and padding (TensorFlow's rules)
-----------------------------------------------------
The stride is how far the window jumps between stops: an int (the same down and
across) or a pair (sh, sw). For one axis of length n, a window of k and a stride s:

    padding="valid"   no padding; the window stays inside the image:
                      n_out = ceil((n - k + 1) / s)          e.g. n=7, k=3, s=2 -> 3
    padding="same"    zeros are added around the image so that
                      n_out = ceil(n / s)                    e.g. n=7, k=3, s=2 -> 4
                      (with s=1 the output is as big as the input: hence "same")

For "same", the total number of zeros added along that axis is

    pad_total = max((n_out - 1) * s + k - n, 0)

and it is split as evenly as possible: pad_total // 2 before (top / left) and the rest
after (bottom / right). When pad_total is odd the EXTRA row or column goes at the bottom
or right — that is TensorFlow's choice, and the checks compare against it. (Note that
pad_total depends on the stride: do not assume it is always k - 1.)

Padding stops the image from shrinking layer after layer, and lets the pixels at the
border take part in more windows (without it, a corner pixel is seen by one window only,
a pixel in the middle by kh * kw of them).

Vectorising (what the speed check is about)
-------------------------------------------
The classic way to write conv2d is four nested loops (images, rows, columns, filters)
around a small sum. It is correct and a good first version (the correctness checks use
small inputs, so it passes them), but Python loops over every pixel are slow: a batch of
32 images of 28x28 with 16 channels and 32 filters of 3x3 is about 700,000 window sums.
One check, reported apart as a "speed" check, times exactly that batch and allows about a
second (up to three when the machine is busy); loops take several seconds, NumPy does it
in a few hundredths. All windows at once:

    from numpy.lib.stride_tricks import sliding_window_view
    windows = sliding_window_view(x, (kh, kw), axis=(1, 2))   # (N, H-kh+1, W-kw+1, C_in, kh, kw)
    windows = windows[:, ::sh, ::sw]                          # keep every sh-th row, sw-th column

`windows` is a view (no copy): windows[n, i, j] is the patch under the window at
stop (i, j), with its channel axis before the two window axes. Multiply-and-sum it with
the kernel over the three axes they share (c, a, b) in one call:

    np.einsum("nijcab,abco->nijo", windows, kernel)           # or
    np.tensordot(windows, kernel, axes=([3, 4, 5], [2, 0, 1]))

Rules for this file: inputs may be NumPy arrays of any float dtype or nested Python
lists, of ints too (a grey image is often whole numbers 0..255): convert with
`np.asarray(x, dtype=float)`, or an int image makes an int output that truncates every
value. Never change an input in place.
"""

import numpy as np


def conv_output_size(n, kernel_size, stride=1, padding="valid"):
    """Length of one output axis, by TensorFlow's formulas.

    Args:
        n: length of the input axis (H or W), an int.
        kernel_size: length of the window along that axis (kh or kw), an int.
        stride: step between two windows along that axis, an int >= 1.
        padding: "valid" -> ceil((n - kernel_size + 1) / stride);
            "same" -> ceil(n / stride) (the kernel size does not matter).

    Returns:
        An int (`math.ceil` returns one; a NumPy int is fine too). Not a float: `np.ceil`
        and `/` return floats, which is wrong.

    Example:
        >>> conv_output_size(28, 3)                     # 26 windows of 3 fit in 28
        26
        >>> conv_output_size(7, 3, stride=2)            # windows start at 0, 2, 4
        3
        >>> conv_output_size(7, 3, stride=2, padding="same")
        4
    """
    raise NotImplementedError


def zero_pad(x, pad):
    """Add rows and columns of zeros around every image of a batch.

    Args:
        x: images, shape (N, H, W, C).
        pad: either an int p (p zeros on all four sides), or
            ((top, bottom), (left, right)) for different amounts per side.

    Returns:
        An array of shape (N, top + H + bottom, left + W + right, C) with the same dtype
        as x: only H and W grow. The batch axis N and the channel axis C are never padded
        (`np.pad` needs a pair for EVERY axis: (0, 0) for N and C).

    Example:
        >>> x = np.array([1.0, 2.0, 3.0, 4.0]).reshape(1, 2, 2, 1)   # one 2x2 image
        >>> zero_pad(x, 1)[0, :, :, 0]                                # (1, 4, 4, 1) padded
        array([[0., 0., 0., 0.],
               [0., 1., 2., 0.],
               [0., 3., 4., 0.],
               [0., 0., 0., 0.]])
        >>> zero_pad(x, ((0, 1), (2, 0))).shape                       # 1 row below, 2 columns left
        (1, 3, 4, 1)
    """
    raise NotImplementedError


def conv2d(x, kernel, bias=None, stride=1, padding="valid"):
    """2-D convolution (cross-correlation) of a batch of images, like Keras `Conv2D`.

    Args:
        x: images, shape (N, H, W, C_in).
        kernel: weights, shape (kh, kw, C_in, C_out); kh and kw may differ and may be even.
        bias: None (no bias) or shape (C_out,), added to every position of filter o's map.
        stride: an int, or a pair (sh, sw) for rows and columns.
        padding: "valid" or "same" (see the module docstring: the extra row/column of
            "same" padding goes at the bottom/right).

    Returns:
        A float array of shape (N, H_out, W_out, C_out), with H_out and W_out given by
        `conv_output_size` (float64 is usual; the checks allow float32 rounding, so an
        answer that computes in float32 is right too).

    Raises:
        ValueError: when x is not 4-D (a single (H, W, C) image must be given as a batch
            of one), when the kernel's C_in is not x's number of channels, or when padding
            is neither "valid" nor "same".

    Example:
        >>> x = np.arange(16.0).reshape(1, 4, 4, 1)    # one 4x4 grey image: 0, 1, ..., 15
        >>> kernel = np.array([[1.0, 0.0],
        ...                    [0.0, -1.0]]).reshape(2, 2, 1, 1)
        >>> conv2d(x, kernel)[0, :, :, 0]               # top-left minus bottom-right: 0 - 5
        array([[-5., -5., -5.],
               [-5., -5., -5.],
               [-5., -5., -5.]])
        >>> conv2d(x, kernel, bias=np.array([5.0]), stride=2, padding="same").shape
        (1, 2, 2, 1)
    """
    raise NotImplementedError
