"""The `convolution` reference agrees with TensorFlow: `tf.nn.conv2d` (+ bias) on random
shapes, strides and paddings, `keras.layers.Conv2D` for the kernel layout, and TensorFlow's
own output sizes. Everything runs in float64, so agreement is close to float64 precision.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from nnlab.checks import reference

pytestmark = pytest.mark.tensorflow

ref = reference("convolution")


def random_case(rng: np.random.Generator, padding: str):
    n, c_in, c_out = (int(v) for v in rng.integers(1, 4, size=3))
    h, w = (int(v) for v in rng.integers(1, 10, size=2))
    kh, kw = (int(v) for v in rng.integers(1, 5, size=2))
    if padding == "valid":
        kh, kw = min(kh, h), min(kw, w)
    stride = (
        int(rng.integers(1, 4))
        if rng.random() < 0.5
        else (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
    )
    x = rng.normal(size=(n, h, w, c_in))
    kernel = rng.normal(size=(kh, kw, c_in, c_out))
    bias = rng.normal(size=c_out) if rng.random() < 0.7 else None
    return x, kernel, bias, stride


@pytest.mark.parametrize("padding", ["valid", "same"])
def test_conv2d_matches_tf_nn_conv2d_on_random_cases(padding: str) -> None:
    rng = np.random.default_rng(91 if padding == "valid" else 92)
    for _ in range(150):
        x, kernel, bias, stride = random_case(rng, padding)
        expected = tf.nn.conv2d(x, kernel, strides=stride, padding=padding.upper()).numpy()
        if bias is not None:
            expected = tf.nn.bias_add(expected, bias).numpy()
        got = ref.conv2d(x, kernel, bias, stride, padding)
        assert got.shape == expected.shape, (x.shape, kernel.shape, stride, padding)
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize(
    ("x_shape", "kernel_shape", "stride"),
    [
        ((1, 4, 4, 1), (2, 2, 1, 1), 1),
        ((1, 8, 8, 1), (3, 3, 1, 1), 2),
        ((2, 5, 6, 2), (4, 3, 2, 3), 1),
    ],
)
def test_same_padding_puts_the_extra_row_at_bottom_like_tensorflow(
    x_shape, kernel_shape, stride
) -> None:
    rng = np.random.default_rng(93)
    x, kernel = rng.normal(size=x_shape), rng.normal(size=kernel_shape)
    expected = tf.nn.conv2d(x, kernel, strides=stride, padding="SAME").numpy()
    np.testing.assert_allclose(ref.conv2d(x, kernel, None, stride, "same"), expected, rtol=1e-10)
    # the odd padding row really matters here: putting it on top gives another answer
    kh, kw = kernel_shape[:2]
    (top, bottom), (left, right) = (
        ref.same_padding(x_shape[1], kh, stride),
        ref.same_padding(x_shape[2], kw, stride),
    )
    assert (top, left) != (bottom, right)
    flipped = ref.conv2d(ref.zero_pad(x, ((bottom, top), (right, left))), kernel, None, stride)
    assert not np.allclose(flipped, expected)


def test_kernel_layout_is_the_one_of_keras_conv2d() -> None:
    rng = np.random.default_rng(94)
    for padding, strides in (("valid", (1, 1)), ("same", (2, 1)), ("same", (2, 3))):
        x = rng.normal(size=(2, 7, 6, 3))
        layer = keras.layers.Conv2D(4, (3, 2), strides=strides, padding=padding, dtype="float64")
        layer.build(x.shape)
        kernel, bias = rng.normal(size=(3, 2, 3, 4)), rng.normal(size=4)
        layer.set_weights([kernel, bias])
        assert layer.get_weights()[0].shape == (3, 2, 3, 4)  # (kh, kw, C_in, C_out)
        expected = keras.ops.convert_to_numpy(layer(x))
        got = ref.conv2d(x, kernel, bias, strides, padding)
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-10)


def test_conv_output_size_matches_tensorflow_shapes() -> None:
    for n in (1, 2, 5, 7, 8, 28):
        for k in (1, 2, 3, 5):
            for s in (1, 2, 3):
                for padding in ("valid", "same"):
                    if padding == "valid" and k > n:
                        continue
                    x, kernel = np.zeros((1, n, 1, 1)), np.zeros((k, 1, 1, 1))
                    out = tf.nn.conv2d(x, kernel, strides=(s, 1), padding=padding.upper())
                    size = ref.conv_output_size(n, k, s, padding)
                    assert type(size) is int
                    assert size == out.shape[1], (n, k, s, padding)


def test_float32_inputs_stay_close_to_tensorflow_in_float32() -> None:
    rng = np.random.default_rng(95)
    x = rng.normal(size=(4, 9, 9, 5)).astype(np.float32)
    kernel = rng.normal(size=(3, 3, 5, 6)).astype(np.float32)
    got = ref.conv2d(x, kernel, None, 2, "same")
    assert got.dtype == np.float32
    expected = tf.nn.conv2d(x, kernel, strides=2, padding="SAME").numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


def test_zero_pad_matches_tf_pad_and_raises_nothing_on_zero() -> None:
    x = np.random.default_rng(96).normal(size=(2, 3, 4, 2))
    for pad, paddings in (
        (1, [[0, 0], [1, 1], [1, 1], [0, 0]]),
        (((0, 1), (2, 0)), [[0, 0], [0, 1], [2, 0], [0, 0]]),
        (0, [[0, 0]] * 4),
    ):
        np.testing.assert_array_equal(ref.zero_pad(x, pad), tf.pad(x, paddings).numpy())


def test_conv2d_value_errors() -> None:
    with pytest.raises(ValueError):
        ref.conv2d(np.ones((5, 5, 3)), np.ones((2, 2, 3, 1)))
    with pytest.raises(ValueError):
        ref.conv2d(np.ones((1, 5, 5, 3)), np.ones((2, 2, 1, 1)))
