"""Broken answer for `optimizers`: Shuffles inside each batch only: every epoch the same examples share a batch."""

import numpy as np

BROKEN = ("minibatches",)


def minibatches(x, y, batch_size, seed=None):
    """A list of `(x_batch, y_batch)`; shuffled reproducibly when `seed` is given."""
    x = np.asarray(x)
    y = np.asarray(y)
    n = x.shape[0]
    if y.shape[0] != n:
        raise ValueError(f"x has {n} examples but y has {y.shape[0]}")
    rng = np.random.default_rng(seed)
    batches = []
    for start in range(0, n, batch_size):
        rows = np.arange(start, min(start + batch_size, n))
        if seed is not None:
            rows = rng.permutation(rows)  # shuffles inside the batch only
        batches.append((x[rows], y[rows]))
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
    new_param = param - learning_rate * grad / np.sqrt(new_velocity + epsilon)
    return new_param, new_velocity
