"""Broken answer for `optimizers`: Ignores the epsilon argument and always adds 1e-7 under the root."""

import numpy as np

BROKEN = ("rmsprop_update",)


def minibatches(x, y, batch_size, seed=None):
    """A list of `(x_batch, y_batch)`; shuffled reproducibly when `seed` is given."""
    x = np.asarray(x)
    y = np.asarray(y)
    n = x.shape[0]
    if y.shape[0] != n:
        raise ValueError(f"x has {n} examples but y has {y.shape[0]}")
    if seed is None:
        order = np.arange(n)
    else:
        order = np.random.default_rng(seed).permutation(n)
    batches = []
    for start in range(0, n, batch_size):
        rows = order[start : start + batch_size]  # the last slice may be shorter
        batches.append((x[rows], y[rows]))  # the same rows of x and y
    return batches


def sgd_update(param, grad, learning_rate=0.01):
    """`param - learning_rate * grad`, as a new array."""
    return np.asarray(param, dtype=float) - learning_rate * np.asarray(grad, dtype=float)


def rmsprop_update(param, grad, velocity, learning_rate=0.001, rho=0.9, epsilon=1e-7):
    """One Keras RMSprop step: returns `(new_param, new_velocity)`."""
    param = np.asarray(param, dtype=float)
    grad = np.asarray(grad, dtype=float)
    velocity = np.asarray(velocity, dtype=float)
    new_velocity = rho * velocity + (1 - rho) * grad**2
    new_param = param - learning_rate * grad / np.sqrt(new_velocity + 1e-7)
    return new_param, new_velocity
