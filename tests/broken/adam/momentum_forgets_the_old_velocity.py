"""Broken adam: each step uses only the new gradient: velocity = -learning_rate * grad."""

import numpy as np

BROKEN = ("momentum_update",)


def momentum_update(param, grad, velocity, learning_rate=0.01, momentum=0.9):
    param = np.asarray(param, dtype=float)
    grad = np.asarray(grad, dtype=float)
    velocity = np.asarray(velocity, dtype=float)
    velocity = -learning_rate * grad + 0 * momentum * velocity  # the mistake
    return param + velocity, velocity


def adam_update(param, grad, m, v, t, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    param = np.asarray(param, dtype=float)
    grad = np.asarray(grad, dtype=float)
    m = beta_1 * np.asarray(m, dtype=float) + (1 - beta_1) * grad
    v = beta_2 * np.asarray(v, dtype=float) + (1 - beta_2) * grad**2
    # both averages start at 0 and are too small early on: divide by (1 - beta**t) to undo it
    alpha = learning_rate * np.sqrt(1 - beta_2**t) / (1 - beta_1**t)
    return param - alpha * m / (np.sqrt(v) + epsilon), m, v


# --- the network of the `network` exercise, copied from there ------------------------------------


def _init_params(n_in, n_hidden, seed=0):
    rng = np.random.default_rng(seed)
    return {
        "W1": rng.normal(0.0, 0.5, size=(n_in, n_hidden)),
        "b1": np.zeros(n_hidden),
        "W2": rng.normal(0.0, 0.5, size=(n_hidden, 1)),
        "b2": np.zeros(1),
    }


def _loss_and_gradients(params, x, y):
    n = x.shape[0]
    z1 = x @ params["W1"] + params["b1"]  # (N, h)
    a1 = np.maximum(z1, 0.0)
    z2 = a1 @ params["W2"] + params["b2"]  # (N, 1)
    p = np.clip(0.5 * (1.0 + np.tanh(0.5 * z2)), 1e-7, 1 - 1e-7)  # sigmoid without overflow
    loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    dz2 = (p - y) / n
    dz1 = (dz2 @ params["W2"].T) * (z1 > 0)
    grads = {"W1": x.T @ dz1, "b1": dz1.sum(axis=0), "W2": a1.T @ dz2, "b2": dz2.sum(axis=0)}
    return loss, grads


def adam_train(x, y, n_hidden=16, epochs=100, learning_rate=0.01, seed=0):
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float).reshape(-1, 1)
    params = _init_params(x.shape[1], n_hidden, seed)
    m = {key: np.zeros_like(value) for key, value in params.items()}
    v = {key: np.zeros_like(value) for key, value in params.items()}
    for t in range(1, epochs + 1):  # one full-batch step per epoch; t counts from 1
        _, grads = _loss_and_gradients(params, x, y)
        for key in params:
            params[key], m[key], v[key] = adam_update(
                params[key], grads[key], m[key], v[key], t, learning_rate
            )
    return params
