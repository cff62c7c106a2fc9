# This file must stand alone: it is graded by itself, so an import of another exercise's
# file (`from activations import sigmoid`) fails when graded. Copy what you need from an
# earlier exercise into this file.
"""A small convolutional network trained from scratch, in NumPy only.

This is the `keras_cnn` network without Keras: you wrote every piece already (conv2d in
`convolution`, max_pool2d in `pooling`, their backward passes in `conv_backward`, the dense
layer in `dense`, softmax and cross-entropy in `activations` and `losses`, mini-batches in
`optimizers`). Here they become one network that learns to tell four shapes apart in small
grey pictures: a horizontal bar, a vertical bar, a diagonal bar and a square blob.

The network (fixed by the contract)
-----------------------------------
    x       (N, H, W, C)        images, channels last
    z     = conv2d(x, K, b, stride=1, padding="same")        (N, H, W, F)       K (3, 3, C, F)
    a     = relu(z)                                          (N, H, W, F)
    pooled = max_pool2d(a, 2)   2x2 windows, stride 2, "valid"  (N, H//2, W//2, F)
    flat  = pooled.reshape(N, -1)                            (N, D), D = H//2 * W//2 * F
    logits = flat @ W + c                                    (N, K)             W (D, K)
    p     = softmax(logits)                                  (N, K), rows sum to 1
    loss  = mean over n of  -log p[n, y[n]]                  y: (N,) integer labels 0..K-1

("valid" pooling drops an odd last row or column, which is why W has H//2 * W//2 * F rows.
Flatten in C order, as `reshape` does and as Keras' Flatten does.)

Backward, layer by layer (each step is the chain rule of `conv_backward`)
-------------------------------------------------------------------------
    d_logits = (p - one_hot(y)) / N            softmax and cross-entropy together; / N: the mean
    grads["W"] = flat.T @ d_logits             (D, N) @ (N, K) -> (D, K)
    grads["c"] = d_logits.sum(axis=0)          (K,)
    d_pooled = (d_logits @ W.T).reshape(pooled.shape)    undo the flatten
    d_a      = max_pool2d_backward(d_pooled, a)          each window's gradient to its maximum
    d_z      = d_a * (z > 0)                             relu lets the gradient through where z > 0
    _, grads["K"], grads["b"] = conv2d_backward(d_z, x, K, padding="same")

(The gradient with respect to x is not needed: x is data, not a weight.)

Worked example of the first step: N = 2 images, K = 3 classes, labels y = [2, 0] and
p = [[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]] give

    d_logits = ([[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]] - [[0, 0, 1], [1, 0, 0]]) / 2
             = [[0.1, 0.15, -0.25], [-0.2, 0.05, 0.15]]

the right class is pushed up, the others down, each in proportion to its probability.

Training
--------
`train_cnn_numpy` is mini-batch gradient descent: every epoch, shuffle the examples (with
np.random.default_rng(seed)), cut them into batches of batch_size (the last may be smaller),
and for each batch compute the gradients and take params[k] - learning_rate * grads[k].
Copy what you need from your earlier exercises into this file (conv2d, max_pool2d and
their backward passes; only stride 1 "same" 3x3 and 2x2 valid pooling are used here).

Start from the right scale: with weights from N(0, 0.01²) the signal shrinks a hundredfold
in each layer and 10 epochs are not enough to learn anything. Scale the kernel like He,
std sqrt(2 / (9 * C)) (3x3xC numbers go into each output), and W like Glorot, std
sqrt(2 / (D + K)).

Speed: one training run is 10 epochs of 19 batches, about 190 forward and backward passes.
A vectorised conv2d (sliding_window_view + einsum, as in `convolution`) does it in one or
two seconds. A conv2d with Python loops over pixels takes minutes: the training check will
tell you it is correct but too slow, and the cure is to vectorise conv2d and its backward
pass (im2col or stride tricks), not to train less.

Rules for this file: NumPy only (no TensorFlow or Keras), convert inputs with np.asarray,
never change params, x or y in place (return new dicts and arrays).
"""

import numpy as np


def init_cnn(input_shape, num_classes, filters=8, seed=0):
    """The network's starting weights.

    Args:
        input_shape: (H, W, C) of one image.
        num_classes: K, the number of classes.
        filters: F, the number of convolution filters.
        seed: for np.random.default_rng(seed): the same seed gives the same weights.

    Returns:
        {"K": (3, 3, C, F), "b": (F,), "W": (H//2 * W//2 * F, K), "c": (K,)}: small random
        kernel and dense weights (see "Start from the right scale"), zero biases.

    Example:
        >>> params = init_cnn((12, 12, 1), 4)
        >>> {key: value.shape for key, value in params.items()}
        {'K': (3, 3, 1, 8), 'b': (8,), 'W': (288, 4), 'c': (4,)}
    """
    raise NotImplementedError


def cnn_forward(params, x):
    """Class probabilities for a batch of images.

    Args:
        params: a dict as init_cnn returns it.
        x: images, shape (N, H, W, C).

    Returns:
        p, shape (N, K): softmax of the logits, each row sums to 1 (compute the softmax
        stably: subtract each row's maximum before np.exp).

    Example (zero weights: every class equally likely):
        >>> params = {key: np.zeros_like(value) for key, value in init_cnn((4, 4, 1), 2).items()}
        >>> cnn_forward(params, np.ones((3, 4, 4, 1)))
        array([[0.5, 0.5],
               [0.5, 0.5],
               [0.5, 0.5]])
    """
    raise NotImplementedError


def cnn_loss_and_gradients(params, x, y):
    """The mean cross-entropy loss and its gradient for every parameter.

    Args:
        params: a dict as init_cnn returns it.
        x: images, shape (N, H, W, C).
        y: integer labels, shape (N,), values 0..K-1.

    Returns:
        (loss, grads): loss a float; grads a dict with the keys and shapes of params
        ("K", "b", "W", "c"). The checks compare each gradient with finite differences of
        the loss, so a wrong one is named (K, b, W or c) with the first entry that disagrees.

    Example (zero weights: p = 1/K for every class, so the loss is log K):
        >>> params = {key: np.zeros_like(value) for key, value in init_cnn((4, 4, 1), 2).items()}
        >>> loss, grads = cnn_loss_and_gradients(params, np.ones((2, 4, 4, 1)), np.array([0, 1]))
        >>> round(float(loss), 6), grads["c"]         # log 2; both classes pushed equally
        (0.693147, array([0., 0.]))
    """
    raise NotImplementedError


def train_cnn_numpy(x, y, num_classes, epochs=10, learning_rate=0.05, batch_size=32, seed=0):
    """Train the network with mini-batch gradient descent.

    Args:
        x: training images (N, H, W, C); y: their integer labels (N,).
        num_classes: K.
        epochs: passes over the training set.
        learning_rate: the gradient-descent step size.
        batch_size: examples per step (the last batch of an epoch may be smaller).
        seed: for init_cnn and for the shuffles: the same seed gives the same result.

    Returns:
        params after training (the dict of init_cnn). On the hidden pictures (12x12, four
        shapes) the checks ask for a test accuracy well above guessing (0.25).
    """
    raise NotImplementedError


def predict_classes(params, x):
    """The most probable class of each image.

    Returns:
        An int array of shape (N,): np.argmax of the probabilities (or the logits) per row.
    """
    raise NotImplementedError
