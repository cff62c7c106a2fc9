# This file must stand alone: it is graded by itself, so an import of another exercise's
# file (`from activations import sigmoid`) fails when graded. Copy what you need from an
# earlier exercise into this file.
"""A dense (fully connected) layer, forward and backward, by hand.

What a dense layer computes
---------------------------
Every one of the layer's `units` outputs looks at every one of its `n_in` inputs.
Output unit j takes a weighted sum of the inputs, adds its own offset, and passes the
result through an activation function:

    z[j]   = x[0] * kernel[0, j] + x[1] * kernel[1, j] + ... + bias[j]
    out[j] = activation(z[j])

Doing this for a whole batch of N examples at once is a single matrix product:

    x        (N, n_in)         one example per row
    kernel   (n_in, units)     column j holds the weights of output unit j
    bias     (units,)          one offset per output unit
    z      = x @ kernel + bias (N, n_in) @ (n_in, units) -> (N, units); the bias is
                               broadcast over the N rows
    out    = activation(z)     (N, units)

The kernel is laid out exactly like the `kernel` of a Keras `Dense` layer:
`layer.get_weights()` returns `[kernel, bias]` with those shapes, so a layer built here
with the same numbers gives the same outputs as `keras.layers.Dense(units, activation=...)`.
Note the order: first the bias is added, then the activation is applied.

The activations are given by name, like in Keras:

    "linear"   z unchanged
    "relu"     max(0, z)
    "sigmoid"  1 / (1 + exp(-z)), computed so that z = -1000 gives no overflow
               warning: 0.5 * (1 + tanh(z / 2)) is the same function
    "tanh"     tanh(z)
    "softmax"  exp(z) / sum(exp(z)), over the LAST axis: each example's row of `units`
               values becomes probabilities that add up to 1. Subtract each row's OWN
               maximum first (`z.max(axis=-1, keepdims=True)`) so that exp never
               overflows; one maximum for the whole batch would leave a row far below
               it with exp(...) = 0 everywhere, and 0 / 0

The backward pass
-----------------
Training needs the slope of the loss with respect to everything the layer touches.
The chain rule arrives at the layer with `grad_out`, the gradient of the loss with
respect to z (the output of the linear part), one row per example, shape (N, units).
From it, for z = x @ kernel + bias:

    grad_x      = grad_out @ kernel.T      (N, units) @ (units, n_in) -> (N, n_in)
    grad_kernel = x.T @ grad_out           (n_in, N) @ (N, units)     -> (n_in, units)
    grad_bias   = grad_out summed over N   (N, units)                 -> (units,)

Each gradient has the shape of the thing it is the gradient of: that is the quickest
check of which matrix gets transposed. The bias gradient is a SUM over the batch, not a
mean: every example's output used the same bias, so their contributions add up. If the
loss averages over the batch, that 1/N is already inside `grad_out`; dividing again here
would count it twice.

Rules for this file: inputs may be NumPy arrays of any float dtype or nested Python
lists (convert them with `np.asarray`), and never change an input in place, not even
its shape: `bias.shape = (1, -1)` reshapes the caller's array, `bias.reshape(1, -1)`
makes a new view and leaves it alone.
"""

import numpy as np


def dense_forward(x, kernel, bias, activation="linear"):
    """Forward pass of a dense layer: `activation(x @ kernel + bias)`.

    Args:
        x: inputs, shape (N, n_in), one example per row.
        kernel: weights, shape (n_in, units), laid out like a Keras `Dense` kernel.
        bias: offsets, shape (units,).
        activation: one of "linear", "relu", "sigmoid", "tanh", "softmax"
            (softmax over the last axis, i.e. across the units of each example).

    Returns:
        An array of shape (N, units).

    Raises:
        ValueError: for an activation not in the list above, when `kernel` does not
            have as many rows as `x` has columns, or when `bias` does not hold one
            value per unit (`len(bias) != kernel.shape[1]`). Say in the message what
            was wrong. (NumPy's broadcasting would quietly accept a bias of length 1,
            so check the shapes yourself.)

    Example:
        >>> x = np.array([[1.0, 2.0]])                 # (1, 2): N=1, n_in=2
        >>> kernel = np.array([[1.0, 0.0, -1.0],
        ...                    [0.5, 1.0,  0.0]])      # (2, 3): units=3
        >>> bias = np.array([0.0, -3.0, 0.5])          # (3,)
        >>> dense_forward(x, kernel, bias)             # z = [2, 2, -1] + bias
        array([[ 2. , -1. , -0.5]])
        >>> dense_forward(x, kernel, bias, "relu")
        array([[2., 0., 0.]])
    """
    raise NotImplementedError


def dense_backward(grad_out, x, kernel):
    """Gradients of the linear part `z = x @ kernel + bias` of a dense layer.

    Args:
        grad_out: gradient of the loss with respect to z, shape (N, units).
        x: the inputs the forward pass saw, shape (N, n_in).
        kernel: the layer's weights, shape (n_in, units).

    Returns:
        A tuple `(grad_x, grad_kernel, grad_bias)` with the shapes of `x` (N, n_in),
        `kernel` (n_in, units) and the bias (units,) — a 1-D grad_bias, not (1, units).
        grad_bias sums grad_out over the N examples (a sum, not a mean).

    Example:
        >>> x = np.array([[1.0, 2.0],
        ...               [3.0, 4.0]])                 # (2, 2): N=2, n_in=2
        >>> kernel = np.array([[1.0, 0.0, -1.0],
        ...                    [0.5, 1.0,  0.0]])      # (2, 3): units=3
        >>> grad_out = np.array([[1.0, 0.0, 0.0],
        ...                      [0.0, 1.0, 2.0]])     # (2, 3)
        >>> grad_x, grad_kernel, grad_bias = dense_backward(grad_out, x, kernel)
        >>> grad_x                                     # grad_out @ kernel.T
        array([[ 1. ,  0.5],
               [-2. ,  1. ]])
        >>> grad_kernel                                # x.T @ grad_out
        array([[1., 3., 6.],
               [2., 4., 8.]])
        >>> grad_bias                                  # grad_out.sum(axis=0)
        array([1., 1., 2.])
    """
    raise NotImplementedError
