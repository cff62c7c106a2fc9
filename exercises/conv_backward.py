# This file must stand alone: it is graded by itself, so an import of another exercise's
# file (`from activations import sigmoid`) fails when graded. Copy what you need from an
# earlier exercise into this file.
"""Backpropagation through convolution and pooling: the gradients Keras computes for you.

Training a network means asking, for every weight: if I nudge you a little, how much does
the loss change? Backpropagation answers it one layer at a time, from the loss back to the
input. Each layer is handed `grad_out`, the gradient of the loss with respect to its OUTPUT
(same shape as the output), and must return the gradient with respect to each of its
INPUTS and weights (same shapes as those). You wrote the forward passes in `convolution`
and `pooling`; here you write their backward passes, exactly as TensorFlow's automatic
differentiation (`tf.GradientTape`) gives them.

The one rule: the chain rule, summed over every use
---------------------------------------------------
If a number v was used to make several outputs out[k], its gradient is the sum, over
every output it touched, of (gradient of that output) * (how much that output moves when
v moves):

    dL/dv = sum over k of  grad_out[k] * d out[k] / d v

A dense layer uses each weight once per example; a convolution uses each kernel weight at
EVERY window position, and each pixel in EVERY window that covers it. So both gradients
are sums over windows.

Worked example: one channel, a 3x3 image, a 2x2 kernel, stride 1, "valid"
-------------------------------------------------------------------------
    x = [[1, 2, 3],        kernel = [[1, 0],        out = conv2d(x, kernel) = [[1-5, 2-6],
         [4, 5, 6],                  [0, -1]]                                  [4-8, 5-9]]
         [7, 8, 9]]                                                         = [[-4, -4], [-4, -4]]

Say the loss is L = sum(g * out) with g = grad_out = [[1, 2], [3, 4]].

- grad_bias: bias[o] is added to every output of filter o, each with slope 1, so
  grad_bias[o] = sum of grad_out[..., o] over N, H_out and W_out:  1 + 2 + 3 + 4 = 10.

- grad_kernel: kernel[a, b] multiplied x[i + a, j + b] in the window at (i, j), so
                   grad_kernel[a, b] = sum over i, j of g[i, j] * x[i + a, j + b]
  That is the input CORRELATED with grad_out: slide g over x as if g were the kernel.
      grad_kernel[0, 0] = 1*1 + 2*2 + 3*4 + 4*5 = 37      grad_kernel[0, 1] = 1*2 + 2*3 + 3*5 + 4*6 = 47
      grad_kernel[1, 0] = 1*4 + 2*5 + 3*7 + 4*8 = 67      grad_kernel[1, 1] = 1*5 + 2*6 + 3*8 + 4*9 = 77
  With channels and a batch: grad_kernel[a, b, c, o] = sum over n, i, j of
  x[n, i*sh + a, j*sw + b, c] * grad_out[n, i, j, o] (x after padding). In NumPy, with the
  windows of the forward pass, (N, H_out, W_out, C_in, kh, kw):
      np.einsum("nijcab,nijo->abco", windows, grad_out)

- grad_x: the window at (i, j) sends g[i, j] * kernel[a, b] back to pixel (i + a, j + b),
  and a pixel collects from every window that covered it:
      pixel (0, 0) is only in window (0, 0), at (a, b) = (0, 0):  1 * 1            = 1
      pixel (1, 1) is in all four windows:  1*(-1) + 2*0 + 3*0 + 4*1                = 3
      grad_x = [[1, 2, 0],
                [3, 3, -2],
                [0, -3, -4]]
  With channels: window (n, i, j) sends grad_out[n, i, j, :] @ kernel[a, b].T (a vector of
  C_in numbers) to pixel (n, i*sh + a, j*sw + b). A loop over the kh*kw positions (a, b) of
  the window, each adding one strided slice at once, is fast:
      grad_padded[:, a : a + sh*H_out : sh, b : b + sw*W_out : sw, :] += grad_out @ kernel[a, b].T
  ("+=": windows overlap, and overlapping contributions ADD UP; a plain "=" loses them.)

Padding: do the forward padding ("same": TensorFlow's split, the extra row or column at the
bottom or right), compute the gradient of the PADDED input, then cut the padding off: the
zeros were not inputs, their gradient goes nowhere.

Pooling backward: where does the gradient go?
---------------------------------------------
Max pooling copies ONE value of each window: the largest. Moving the others a little does
not change the output at all, so their gradient is 0; moving the largest by d moves the
output by d, so it receives the window's whole grad_out:

    x window = [[1, 7],    max = 7    grad_out = 0.5    ->    grad_x window = [[0, 0.5],
                [3, 2]]                                                        [0, 0  ]]

Where windows overlap (strides smaller than the window), a pixel that wins several windows
collects the sum. With "same" padding the padding is -inf for the maximum: it never wins
and gets nothing. (The hidden inputs have no ties; np.argmax's first maximum is fine.)

Average pooling: out = (sum of the window's real pixels) / count, so every real pixel of
the window gets grad_out / count, where count is the number of in-bounds pixels of that
window (TensorFlow's "same" average counts only those: a 2x2 window hanging over the
border with 2 real pixels shares its gradient between those 2, a half each).

Rules for this file: convert every input with np.asarray(..., dtype=float), never change
an input in place, raise ValueError when grad_out does not have the shape the forward pass
would produce for these arguments (a gradient of the wrong shape is always a bug
upstream). Results are float arrays with exactly the shapes of the inputs they belong to.
A correct loop-by-loop answer passes the correctness checks; one "speed" check times
conv2d_backward on a (32, 28, 28, 16) batch with a (3, 3, 16, 32) kernel, which a
vectorised answer does in a fraction of a second.
"""

import numpy as np


def conv2d_backward(grad_out, x, kernel, stride=1, padding="valid"):
    """Gradients of conv2d(x, kernel, bias, stride, padding) given grad_out.

    Args:
        grad_out: gradient of the loss with respect to conv2d's output,
            shape (N, H_out, W_out, C_out).
        x: the images conv2d was given, shape (N, H, W, C_in).
        kernel: the weights conv2d was given, shape (kh, kw, C_in, C_out).
        stride: an int or a pair (sh, sw), as for conv2d.
        padding: "valid" or "same", as for conv2d (TensorFlow's split).

    Returns:
        (grad_x, grad_kernel, grad_bias) with the shapes of x, kernel and (C_out,).

    Raises:
        ValueError: when x is not 4-D, the kernel's C_in is not x's number of channels,
            padding is unknown, or grad_out's shape is not conv2d's output shape here.

    Example (the worked example above):
        >>> x = np.arange(1.0, 10.0).reshape(1, 3, 3, 1)
        >>> kernel = np.array([[1.0, 0.0], [0.0, -1.0]]).reshape(2, 2, 1, 1)
        >>> grad_out = np.array([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 2, 2, 1)
        >>> grad_x, grad_kernel, grad_bias = conv2d_backward(grad_out, x, kernel)
        >>> grad_x[0, :, :, 0]
        array([[ 1.,  2.,  0.],
               [ 3.,  3., -2.],
               [ 0., -3., -4.]])
        >>> grad_kernel[:, :, 0, 0]
        array([[37., 47.],
               [67., 77.]])
        >>> grad_bias
        array([10.])
    """
    raise NotImplementedError


def max_pool2d_backward(grad_out, x, pool_size=2, strides=None, padding="valid"):
    """Gradient of max_pool2d(x, pool_size, strides, padding) with respect to x.

    Args:
        grad_out: gradient of the loss with respect to the pooled output (N, H_out, W_out, C).
        x: the input max_pool2d was given, shape (N, H, W, C).
        pool_size, strides, padding: as for max_pool2d (strides defaults to pool_size).

    Returns:
        grad_x, shape (N, H, W, C): each window's grad_out at the position of its maximum
        (per image and per channel), zeros elsewhere, overlapping windows added up.

    Raises:
        ValueError: when x is not 4-D, padding is unknown, or grad_out's shape is not
            max_pool2d's output shape here.

    Example:
        >>> x = np.array([[1.0, 7.0], [3.0, 2.0]]).reshape(1, 2, 2, 1)
        >>> max_pool2d_backward(np.array([0.5]).reshape(1, 1, 1, 1), x)[0, :, :, 0]
        array([[0. , 0.5],
               [0. , 0. ]])
    """
    raise NotImplementedError


def average_pool2d_backward(grad_out, x, pool_size=2, strides=None, padding="valid"):
    """Gradient of average_pool2d(x, pool_size, strides, padding) with respect to x.

    Args:
        grad_out: gradient of the loss with respect to the pooled output (N, H_out, W_out, C).
        x: the input average_pool2d was given, shape (N, H, W, C).
        pool_size, strides, padding: as for average_pool2d (strides defaults to pool_size).

    Returns:
        grad_x, shape (N, H, W, C): each window's grad_out divided by its number of
        in-bounds pixels, added to each of those pixels (overlaps add up).

    Raises:
        ValueError: when x is not 4-D, padding is unknown, or grad_out's shape is not
            average_pool2d's output shape here.

    Example:
        >>> x = np.zeros((1, 3, 3, 1))
        >>> grad_out = np.ones((1, 2, 2, 1))                  # "same": 2x2 windows, stride 2
        >>> average_pool2d_backward(grad_out, x, padding="same")[0, :, :, 0]
        array([[0.25, 0.25, 0.5 ],
               [0.25, 0.25, 0.5 ],
               [0.5 , 0.5 , 1.  ]])
    """
    raise NotImplementedError
