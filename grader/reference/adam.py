"""Trusted NumPy reference for the `adam` exercise (parent side only).

`momentum_update` and `adam_update` are Keras' rules (`keras.optimizers.SGD(momentum=...)`,
`keras.optimizers.Adam`), proved step by step against them in tests/test_reference_adam.py.
`adam_train` trains the `network` exercise's two-layer network (its reference's
init_params and gradients) with Adam, full batch; `gradient_descent_epochs` measures how
many epochs plain gradient descent needs for the same accuracy, which the checks quote.
"""

from __future__ import annotations

import numpy as np

from nnlab.checks import reference

network = reference("network")
KEYS = network.KEYS


def momentum_update(
    param, grad, velocity, learning_rate: float = 0.01, momentum: float = 0.9
) -> tuple[np.ndarray, np.ndarray]:
    """Keras' SGD with momentum (not Nesterov): v = momentum*v - lr*g; param + v."""
    param, grad, velocity = (np.asarray(a, dtype=np.float64) for a in (param, grad, velocity))
    velocity = momentum * velocity - learning_rate * grad
    return param + velocity, velocity


def adam_update(
    param,
    grad,
    m,
    v,
    t: int,
    learning_rate: float = 0.001,
    beta_1: float = 0.9,
    beta_2: float = 0.999,
    epsilon: float = 1e-7,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Keras' Adam at step t (1 for the first): bias correction folded into the step size,
    epsilon outside the square root of the uncorrected v."""
    param, grad, m, v = (np.asarray(a, dtype=np.float64) for a in (param, grad, m, v))
    m = beta_1 * m + (1.0 - beta_1) * grad
    v = beta_2 * v + (1.0 - beta_2) * np.square(grad)
    alpha = learning_rate * np.sqrt(1.0 - beta_2**t) / (1.0 - beta_1**t)
    return param - alpha * m / (np.sqrt(v) + epsilon), m, v


def adam_train(
    x, y, n_hidden: int = 16, epochs: int = 100, learning_rate: float = 0.01, seed: int = 0
) -> dict[str, np.ndarray]:
    """Full-batch Adam from network's init_params: one step per epoch, t = 1, 2, ..."""
    x = np.asarray(x, dtype=np.float64)
    params = network.init_params(x.shape[1], n_hidden, seed)
    m = {key: np.zeros_like(value) for key, value in params.items()}
    v = {key: np.zeros_like(value) for key, value in params.items()}
    for t in range(1, epochs + 1):
        _, grads = network.loss_and_gradients(params, x, y)
        for key in KEYS:
            params[key], m[key], v[key] = adam_update(
                params[key], grads[key], m[key], v[key], t, learning_rate
            )
    return params


def accuracy(params: dict, x, y) -> float:
    return float(np.mean(network.predict(params, x) == np.asarray(y).reshape(-1)))


def gradient_descent_epochs(
    x,
    y,
    x_test,
    y_test,
    target: float,
    n_hidden: int = 16,
    learning_rate: float = 0.5,
    seed: int = 0,
    most: int = 2000,
) -> int:
    """The first epoch after which plain full-batch gradient descent (network's train, at its
    default learning rate) reaches ``target`` test accuracy; ``most`` if it never does."""
    x = np.asarray(x, dtype=np.float64)
    params = network.init_params(x.shape[1], n_hidden, seed)
    for epoch in range(1, most + 1):
        _, grads = network.loss_and_gradients(params, x, y)
        params = {key: params[key] - learning_rate * grads[key] for key in KEYS}
        if accuracy(params, x_test, y_test) >= target:
            return epoch
    return most
