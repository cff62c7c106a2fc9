"""Broken cnn_numpy: every step is taken with learning rate 0.05, whatever the argument."""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

BROKEN = ("train_cnn_numpy",)

# --- layers, copied from the convolution, pooling and conv_backward exercises --------------------
# (only what this network needs: 3x3 kernels, "same" padding, stride 1; 2x2 valid max pooling)


def _conv2d_same(x, kernel, bias):
    padded = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    windows = sliding_window_view(padded, (3, 3), axis=(1, 2))  # (N, H, W, C, 3, 3)
    return np.einsum("nijcab,abco->nijo", windows, kernel, optimize=True) + bias


def _conv2d_same_backward(grad_out, x, kernel):
    padded = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    windows = sliding_window_view(padded, (3, 3), axis=(1, 2))
    grad_kernel = np.einsum("nijcab,nijo->abco", windows, grad_out, optimize=True)
    grad_bias = grad_out.sum(axis=(0, 1, 2))
    return grad_kernel, grad_bias  # the input's gradient is not needed: x is the data


def _max_pool2(a):
    n, h, w, f = a.shape
    a = a[:, : h // 2 * 2, : w // 2 * 2]  # valid: an odd last row or column is dropped
    return a.reshape(n, h // 2, 2, w // 2, 2, f).max(axis=(2, 4))


def _max_pool2_backward(grad_out, a):
    n, h, w, f = a.shape
    kept = a[:, : h // 2 * 2, : w // 2 * 2].reshape(n, h // 2, 2, w // 2, 2, f)
    # (N, H/2, 2, W/2, 2, F) -> one row of 4 per window: the gradient goes to its maximum
    windows = kept.transpose(0, 1, 3, 5, 2, 4).reshape(n, h // 2, w // 2, f, 4)
    winner = windows.argmax(axis=-1)[..., np.newaxis]
    pieces = np.zeros(windows.shape)
    np.put_along_axis(pieces, winner, grad_out[..., np.newaxis], axis=-1)
    pieces = pieces.reshape(n, h // 2, w // 2, f, 2, 2).transpose(0, 1, 4, 2, 5, 3)
    grad_a = np.zeros(a.shape)
    grad_a[:, : h // 2 * 2, : w // 2 * 2] = pieces.reshape(n, h // 2 * 2, w // 2 * 2, f)
    return grad_a


def _softmax(logits):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


# --- the network --------------------------------------------------------------------------------


def init_cnn(input_shape, num_classes, filters=8, seed=0):
    h, w, c = input_shape
    rng = np.random.default_rng(seed)
    flat = (h // 2) * (w // 2) * filters
    return {
        "K": rng.normal(0.0, np.sqrt(2.0 / (9 * c)), size=(3, 3, c, filters)),  # He
        "b": np.zeros(filters),
        "W": rng.normal(0.0, np.sqrt(2.0 / (flat + num_classes)), size=(flat, num_classes)),
        "c": np.zeros(num_classes),
    }


def _forward(params, x):
    z = _conv2d_same(x, params["K"], params["b"])  # (N, H, W, F)
    a = np.maximum(z, 0.0)
    pooled = _max_pool2(a)  # (N, H//2, W//2, F)
    flat = pooled.reshape(len(x), -1)  # (N, D)
    logits = flat @ params["W"] + params["c"]  # (N, D) @ (D, K) -> (N, K)
    return z, a, pooled, flat, logits


def cnn_forward(params, x):
    x = np.asarray(x, dtype=float)
    return _softmax(_forward(params, x)[-1])


def cnn_loss_and_gradients(params, x, y):
    x = np.asarray(x, dtype=float)
    y = np.asarray(y).astype(int).reshape(-1)
    n = len(y)
    z, a, pooled, flat, logits = _forward(params, x)
    p = _softmax(logits)
    loss = -np.mean(np.log(np.clip(p[np.arange(n), y], 1e-12, None)))
    d_logits = p.copy()
    d_logits[np.arange(n), y] -= 1.0  # softmax + cross-entropy: p - one_hot
    d_logits /= n  # the mean over N
    d_pooled = (d_logits @ params["W"].T).reshape(pooled.shape)
    d_z = _max_pool2_backward(d_pooled, a) * (z > 0)  # back through the pooling and the relu
    d_kernel, d_bias = _conv2d_same_backward(d_z, x, params["K"])
    grads = {"K": d_kernel, "b": d_bias, "W": flat.T @ d_logits, "c": d_logits.sum(axis=0)}
    return loss, grads


def train_cnn_numpy(x, y, num_classes, epochs=10, learning_rate=0.05, batch_size=32, seed=0):
    x = np.asarray(x, dtype=float)
    y = np.asarray(y).astype(int).reshape(-1)
    params = init_cnn(x.shape[1:], num_classes, seed=seed)
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        order = rng.permutation(len(x))  # a new order of mini-batches every epoch
        for start in range(0, len(x), batch_size):
            batch = order[start : start + batch_size]
            _, grads = cnn_loss_and_gradients(params, x[batch], y[batch])
            params = {key: params[key] - 0.05 * grads[key] for key in params}  # the mistake
    return params


def predict_classes(params, x):
    x = np.asarray(x, dtype=float)
    return np.argmax(_forward(params, x)[-1], axis=1)
