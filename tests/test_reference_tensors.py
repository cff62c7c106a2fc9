"""The `tensors` reference agrees with NumPy, TensorFlow and Keras.

The hidden checks never import TensorFlow; this module proves, once, that the
reference's broadcasting rule is `np.broadcast_shapes` / `tf.broadcast_static_shape`,
its product `tf.matmul` and its flattening `keras.layers.Flatten`.
"""

from __future__ import annotations

import itertools

import keras
import numpy as np
import pytest
import tensorflow as tf

from nnlab.checks import reference

pytestmark = pytest.mark.tensorflow

ref = reference("tensors")

SHAPES = [(), (1,), (3,), (4,), (0,), (3, 1), (1, 4), (3, 4), (2, 1, 4), (2, 3, 1), (5, 3, 4)]


def test_broadcast_shape_agrees_with_numpy_and_tensorflow_on_every_pair() -> None:
    for a, b in itertools.product(SHAPES, repeat=2):
        try:
            expected = np.broadcast_shapes(a, b)
        except ValueError:
            with pytest.raises(ValueError):
                ref.broadcast_shape(a, b)
            with pytest.raises(ValueError):
                tf.broadcast_static_shape(tf.TensorShape(a), tf.TensorShape(b))
            continue
        got = ref.broadcast_shape(a, b)
        assert got == expected and type(got) is tuple, (a, b)
        assert all(type(n) is int for n in got)
        assert tuple(tf.broadcast_static_shape(tf.TensorShape(a), tf.TensorShape(b))) == got


def test_broadcast_add_agrees_with_tensorflow() -> None:
    rng = np.random.default_rng(21)
    for a_shape, b_shape in [((3, 4), (4,)), ((3, 1), (1, 4)), ((), (2, 2)), ((2, 3, 4), (3, 1))]:
        a, b = rng.normal(size=a_shape), rng.normal(size=b_shape)
        expected = tf.add(tf.constant(a), tf.constant(b)).numpy()
        np.testing.assert_allclose(ref.broadcast_add(a, b), expected, rtol=1e-15)
    with pytest.raises(ValueError):
        ref.broadcast_add(np.zeros((3, 4)), np.zeros(3))


def test_elementwise_add_refuses_what_broadcasting_would_accept() -> None:
    a, b = np.arange(6.0).reshape(2, 3), np.ones((2, 3))
    np.testing.assert_array_equal(ref.elementwise_add(a, b), tf.add(a, b).numpy())
    for shape_a, shape_b in [((3,), (1, 3)), ((), (3,)), ((2, 3), (3,))]:
        with pytest.raises(ValueError):
            ref.elementwise_add(np.zeros(shape_a), np.zeros(shape_b))


def test_matmul_agrees_with_tf_matmul() -> None:
    rng = np.random.default_rng(22)
    for n, k, m in [(2, 3, 4), (1, 5, 1), (4, 4, 4), (7, 2, 3)]:
        a, b = rng.normal(size=(n, k)), rng.normal(size=(k, m))
        expected = tf.matmul(tf.constant(a), tf.constant(b)).numpy()
        np.testing.assert_allclose(ref.matmul(a, b), expected, rtol=1e-12, atol=1e-14)


def test_matmul_refuses_what_tf_matmul_refuses_and_vectors() -> None:
    with pytest.raises((ValueError, tf.errors.InvalidArgumentError)):
        tf.matmul(tf.zeros((2, 3)), tf.zeros((2, 3)))
    for shape_a, shape_b in [((2, 3), (2, 3)), ((3,), (3, 2)), ((2, 2, 3), (3, 4))]:
        with pytest.raises(ValueError):
            ref.matmul(np.zeros(shape_a), np.zeros(shape_b))


def test_batch_flatten_agrees_with_keras_flatten() -> None:
    rng = np.random.default_rng(23)
    flatten = keras.layers.Flatten(dtype="float64")  # the default policy would cast to float32
    for shape in [(2, 3, 4), (5, 2, 2, 3), (1, 7, 1), (3, 6), (4, 28, 28, 1)]:
        x = rng.normal(size=shape)
        expected = keras.ops.convert_to_numpy(flatten(tf.constant(x)))
        got = ref.batch_flatten(x)
        assert got.shape == expected.shape
        np.testing.assert_array_equal(got, expected)
    with pytest.raises(ValueError):
        ref.batch_flatten(np.zeros(5))


def test_rank_and_describe_agree_with_tensorflow() -> None:
    for value in [3.5, [1.0, 2.0], np.zeros((2, 3), dtype=np.float32), np.zeros((2, 1, 4))]:
        tensor = tf.constant(value)
        description = ref.describe(value)
        assert ref.rank(value) == int(tf.rank(tensor)) == description["rank"]
        assert description["shape"] == tuple(tensor.shape)
        assert type(description["rank"]) is int and type(description["dtype"]) is str
    assert ref.describe(np.zeros((2, 3), dtype=np.float32))["dtype"] == tf.float32.name
