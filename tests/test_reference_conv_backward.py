"""The `conv_backward` reference agrees with TensorFlow's automatic differentiation:
``tf.GradientTape`` over ``tf.nn.conv2d`` (plus a bias), ``tf.nn.max_pool2d`` and
``tf.nn.avg_pool2d``, on random shapes, strides and paddings, with float64 constants; and
with central finite differences of the forward references, as the checks measure it.
"""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from nnlab.checks import reference

pytestmark = pytest.mark.tensorflow

ref = reference("conv_backward")
convolution = reference("convolution")
pooling = reference("pooling")


def _int_or_pair(rng: np.random.Generator, low: int, high: int):
    if rng.random() < 0.5:
        return int(rng.integers(low, high))
    return int(rng.integers(low, high)), int(rng.integers(low, high))


def conv_case(rng: np.random.Generator, padding: str):
    n, c_in, c_out = (int(v) for v in rng.integers(1, 4, size=3))
    h, w = (int(v) for v in rng.integers(3, 9, size=2))
    kh, kw = int(rng.integers(1, min(h, 4) + 1)), int(rng.integers(1, min(w, 4) + 1))
    stride = _int_or_pair(rng, 1, 4)
    x = rng.normal(size=(n, h, w, c_in))
    kernel = rng.normal(size=(kh, kw, c_in, c_out))
    bias = rng.normal(size=c_out)
    out_shape = convolution.conv2d(x, kernel, bias, stride, padding).shape
    return x, kernel, bias, stride, rng.normal(size=out_shape)


def tf_conv_gradients(grad_out, x, kernel, bias, stride, padding):
    x_, kernel_, bias_ = (tf.constant(v, tf.float64) for v in (x, kernel, bias))
    with tf.GradientTape() as tape:
        tape.watch([x_, kernel_, bias_])
        out = tf.nn.bias_add(
            tf.nn.conv2d(x_, kernel_, convolution.pair(stride), padding.upper()), bias_
        )
        loss = tf.reduce_sum(out * tf.constant(grad_out, tf.float64))
    return [g.numpy() for g in tape.gradient(loss, [x_, kernel_, bias_])]


@pytest.mark.parametrize("padding", ["valid", "same"])
def test_conv2d_backward_matches_gradient_tape(padding: str) -> None:
    rng = np.random.default_rng(1201 if padding == "valid" else 1202)
    for _ in range(60):
        x, kernel, bias, stride, grad_out = conv_case(rng, padding)
        expected = tf_conv_gradients(grad_out, x, kernel, bias, stride, padding)
        got = ref.conv2d_backward(grad_out, x, kernel, stride, padding)
        for ours, theirs in zip(got, expected, strict=True):
            assert ours.shape == theirs.shape, (x.shape, kernel.shape, stride, padding)
            np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


POOLS = [
    (ref.max_pool2d_backward, tf.nn.max_pool2d, pooling.max_pool2d),
    (ref.average_pool2d_backward, tf.nn.avg_pool2d, pooling.average_pool2d),
]


def distinct_values(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """No ties anywhere (the checks promise that), mostly negative so that zero padding shows."""
    size = int(np.prod(shape))
    return (rng.permutation(size) * 0.1 + rng.uniform(0.0, 0.01, size)).reshape(shape) - size * 0.08


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("pool", POOLS, ids=["max", "average"])
def test_pool_backward_matches_gradient_tape(pool, padding: str) -> None:
    ours, theirs, forward = pool
    rng = np.random.default_rng(1203 if padding == "valid" else 1204)
    for _ in range(80):
        n, c = (int(v) for v in rng.integers(1, 4, size=2))
        h, w = (int(v) for v in rng.integers(1, 9, size=2))
        window = pooling.pair(_int_or_pair(rng, 1, 4))
        if padding == "valid":
            window = (min(window[0], h), min(window[1], w))
        strides = _int_or_pair(rng, 1, 4) if rng.random() < 0.7 else None
        x = distinct_values(rng, (n, h, w, c))
        grad_out = rng.normal(size=forward(x, window, strides, padding).shape)
        x_ = tf.constant(x, tf.float64)
        with tf.GradientTape() as tape:
            tape.watch(x_)
            out = theirs(x_, window, window if strides is None else strides, padding.upper())
            loss = tf.reduce_sum(out * tf.constant(grad_out, tf.float64))
        expected = tape.gradient(loss, x_).numpy()
        got = ours(grad_out, x, window, strides, padding)
        assert got.shape == x.shape
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)


def test_conv2d_backward_matches_finite_differences() -> None:
    rng = np.random.default_rng(1205)
    worst = 0.0
    for padding in ("valid", "same"):
        for _ in range(6):
            x, kernel, bias, stride, grad_out = conv_case(rng, padding)
            numerical = ref.numerical_conv2d_gradients(grad_out, x, kernel, bias, stride, padding)
            got = ref.conv2d_backward(grad_out, x, kernel, stride, padding)
            for ours, theirs in zip(got, numerical, strict=True):
                worst = max(worst, float(np.max(ref.relative_error(ours, theirs))))
    assert worst < 1e-6  # CS231n: below 1e-7 is usually right; linear maps do far better


@pytest.mark.parametrize("pool", POOLS, ids=["max", "average"])
def test_pool_backward_matches_finite_differences(pool) -> None:
    ours, _, forward = pool
    rng = np.random.default_rng(1206)
    for padding, window, strides in (("valid", 2, None), ("same", 3, 2), ("valid", (3, 2), 1)):
        x = distinct_values(rng, (2, 5, 6, 2))
        grad_out = rng.normal(size=forward(x, window, strides, padding).shape)
        numerical = ref.numerical_pool_gradient(forward, grad_out, x, window, strides, padding)
        got = ours(grad_out, x, window, strides, padding)
        assert float(np.max(ref.relative_error(got, numerical))) < 1e-6


def test_grad_out_of_the_wrong_shape_is_a_value_error() -> None:
    x, kernel = np.ones((1, 5, 5, 2)), np.ones((3, 3, 2, 4))
    with pytest.raises(ValueError):
        ref.conv2d_backward(np.ones((1, 5, 5, 4)), x, kernel)  # "same"'s shape, not "valid"'s
    with pytest.raises(ValueError):
        ref.max_pool2d_backward(np.ones((1, 3, 3, 2)), x)  # valid pooling gives (1, 2, 2, 2)
    with pytest.raises(ValueError):
        ref.average_pool2d_backward(np.ones((1, 2, 2, 1)), x)
