"""Broken network: the loss clips probabilities to [1e-6, 1 - 1e-6], wider than the contract's 1e-7."""

import numpy as np

BROKEN = ("loss_and_gradients",)
MESSAGE = "1.9e-7 to 5e-7 away"


def init_params(n_in, n_hidden, seed=0):
    rng = np.random.default_rng(seed)
    return {
        "W1": rng.normal(0.0, 0.5, size=(n_in, n_hidden)),  # (d, h)
        "b1": np.zeros(n_hidden),  # (h,)
        "W2": rng.normal(0.0, 0.5, size=(n_hidden, 1)),  # (h, 1)
        "b2": np.zeros(1),  # (1,)
    }


def _sigmoid(z):
    # 0.5 * (1 + tanh(z / 2)) equals 1 / (1 + exp(-z)) and never overflows
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def forward(params, x):
    x = np.asarray(x, dtype=np.float64)
    z1 = x @ params["W1"] + params["b1"]  # (N, d) @ (d, h) -> (N, h)
    a1 = np.maximum(z1, 0.0)  # (N, h)
    z2 = a1 @ params["W2"] + params["b2"]  # (N, h) @ (h, 1) -> (N, 1)
    return _sigmoid(z2)  # (N, 1)


def loss_and_gradients(params, x, y):
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).reshape(-1, 1)
    n = x.shape[0]

    # forward pass, keeping what the backward pass needs
    z1 = x @ params["W1"] + params["b1"]  # (N, h)
    a1 = np.maximum(z1, 0.0)  # (N, h)
    z2 = a1 @ params["W2"] + params["b2"]  # (N, 1)
    p = _sigmoid(z2)  # (N, 1)

    eps = 1e-6
    p_clipped = np.clip(p, eps, 1 - eps)
    loss = -np.mean(y * np.log(p_clipped) + (1 - y) * np.log(1 - p_clipped))

    # backward pass
    dz2 = (p - y) / n  # (N, 1)
    dW2 = a1.T @ dz2  # (h, N) @ (N, 1) -> (h, 1)
    db2 = dz2.sum(axis=0)  # (1,)
    da1 = dz2 @ params["W2"].T  # (N, 1) @ (1, h) -> (N, h)
    dz1 = da1 * (z1 > 0)  # (N, h)
    dW1 = x.T @ dz1  # (d, N) @ (N, h) -> (d, h)
    db1 = dz1.sum(axis=0)  # (h,)

    grads = {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
    return float(loss), grads


def train(x, y, n_hidden=16, epochs=200, learning_rate=0.5, seed=0):
    x = np.asarray(x, dtype=np.float64)
    params = init_params(x.shape[1], n_hidden, seed)
    for _ in range(epochs):
        _, grads = loss_and_gradients(params, x, y)
        for key in params:
            params[key] = params[key] - learning_rate * grads[key]
    return params


def predict(params, x):
    return (forward(params, x)[:, 0] >= 0.5).astype(np.int64)  # (N,)
