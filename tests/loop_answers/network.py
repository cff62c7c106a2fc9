"""A correct `network` answer written loop by loop: one example, one unit at a time."""

import math

import numpy as np


def init_params(n_in, n_hidden, seed=0):
    rng = np.random.default_rng(seed)
    W1 = np.zeros((n_in, n_hidden))
    W2 = np.zeros((n_hidden, 1))
    for i in range(n_in):
        for j in range(n_hidden):
            W1[i, j] = rng.normal(0.0, math.sqrt(2.0 / n_in))  # He initialisation
    for j in range(n_hidden):
        W2[j, 0] = rng.normal(0.0, math.sqrt(2.0 / n_hidden))
    return {"W1": W1, "b1": np.zeros(n_hidden), "W2": W2, "b2": np.zeros(1)}


def _sigmoid(z):
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def _example_forward(params, row):
    """z1, a1 (lists of h numbers), z2 and p (numbers) for one example."""
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    n_in, n_hidden = W1.shape
    z1, a1 = [], []
    for j in range(n_hidden):
        total = float(b1[j])
        for i in range(n_in):
            total += float(row[i]) * float(W1[i, j])
        z1.append(total)
        a1.append(total if total > 0 else 0.0)
    z2 = float(b2[0])
    for j in range(n_hidden):
        z2 += a1[j] * float(W2[j, 0])
    return z1, a1, z2, _sigmoid(z2)


def forward(params, x):
    x = np.asarray(x, dtype=np.float64)
    out = np.zeros((x.shape[0], 1))
    for n in range(x.shape[0]):
        out[n, 0] = _example_forward(params, x[n])[3]
    return out


def loss_and_gradients(params, x, y):
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).reshape(-1, 1)
    count = x.shape[0]
    n_in, n_hidden = params["W1"].shape
    grads = {
        "W1": np.zeros((n_in, n_hidden)),
        "b1": np.zeros(n_hidden),
        "W2": np.zeros((n_hidden, 1)),
        "b2": np.zeros(1),
    }
    eps = 1e-7
    loss = 0.0
    for n in range(count):
        z1, a1, _, p = _example_forward(params, x[n])
        target = float(y[n, 0])
        clipped = min(max(p, eps), 1 - eps)
        loss -= target * math.log(clipped) + (1 - target) * math.log(1 - clipped)
        dz2 = (p - target) / count
        grads["b2"][0] += dz2
        for j in range(n_hidden):
            grads["W2"][j, 0] += a1[j] * dz2
            if z1[j] > 0:
                dz1 = dz2 * float(params["W2"][j, 0])
                grads["b1"][j] += dz1
                for i in range(n_in):
                    grads["W1"][i, j] += x[n, i] * dz1
    return loss / count, grads


def train(x, y, n_hidden=16, epochs=200, learning_rate=0.5, seed=0):
    x = np.asarray(x, dtype=np.float64)
    params = init_params(x.shape[1], n_hidden, seed)
    for _ in range(epochs):
        _, grads = loss_and_gradients(params, x, y)
        for key in params:
            params[key] = params[key] - learning_rate * grads[key]
    return params


def predict(params, x):
    probabilities = forward(params, x)
    labels = np.zeros(probabilities.shape[0], dtype=int)
    for n in range(probabilities.shape[0]):
        if probabilities[n, 0] >= 0.5:
            labels[n] = 1
    return labels
