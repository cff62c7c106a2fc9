"""The `pooling` reference agrees with TensorFlow: `tf.nn.max_pool2d` and `tf.nn.avg_pool2d`
(and the Keras layers' default strides) on random shapes, windows, strides and paddings.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from nnlab.checks import reference

pytestmark = pytest.mark.tensorflow

ref = reference("pooling")
PAIRS = [(ref.max_pool2d, tf.nn.max_pool2d), (ref.average_pool2d, tf.nn.avg_pool2d)]
# tf.nn.max_pool2d on float64 returns values rounded through float32 (measured: relative
# differences up to 6e-8), although the exact answer is one of the inputs
tolerance = {ref.max_pool2d: 1e-7, ref.average_pool2d: 1e-12}


def _int_or_pair(rng: np.random.Generator, low: int, high: int):
    if rng.random() < 0.5:
        return int(rng.integers(low, high))
    return int(rng.integers(low, high)), int(rng.integers(low, high))


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("pair", PAIRS, ids=["max", "average"])
def test_pooling_matches_tensorflow_on_random_cases(pair, padding: str) -> None:
    ours, theirs = pair
    rng = np.random.default_rng(81 if padding == "valid" else 82)
    for _ in range(120):
        n, c = (int(v) for v in rng.integers(1, 4, size=2))
        h, w = (int(v) for v in rng.integers(1, 10, size=2))
        pool = ref.pair(_int_or_pair(rng, 1, 5))
        if padding == "valid":
            pool = (min(pool[0], h), min(pool[1], w))
        strides = _int_or_pair(rng, 1, 4)
        x = rng.normal(size=(n, h, w, c)) - 2.0  # mostly negative: zero padding would show
        expected = theirs(x, pool, strides, padding.upper()).numpy()
        got = ours(x, pool, strides, padding)
        assert got.shape == expected.shape, (x.shape, pool, strides, padding)
        np.testing.assert_allclose(got, expected, rtol=tolerance[ours], atol=1e-12)


@pytest.mark.parametrize(
    ("layer", "ours"),
    [
        (keras.layers.MaxPooling2D, ref.max_pool2d),
        (keras.layers.AveragePooling2D, ref.average_pool2d),
    ],
)
def test_default_strides_equal_pool_size_like_keras(layer, ours) -> None:
    x = np.random.default_rng(83).normal(size=(2, 7, 9, 3))
    for pool, padding in ((2, "valid"), (3, "same"), ((2, 3), "same")):
        expected = keras.ops.convert_to_numpy(layer(pool, padding=padding, dtype="float64")(x))
        np.testing.assert_allclose(ours(x, pool, None, padding), expected, rtol=1e-12)


def test_same_pooling_ignores_the_padding() -> None:
    x = -np.ones((1, 5, 5, 1))
    np.testing.assert_array_equal(ref.max_pool2d(x, 2, None, "same"), -np.ones((1, 3, 3, 1)))
    np.testing.assert_array_equal(ref.average_pool2d(x, 2, None, "same"), -np.ones((1, 3, 3, 1)))


@pytest.mark.parametrize("ours", [ref.max_pool2d, ref.average_pool2d])
def test_value_errors(ours) -> None:
    with pytest.raises(ValueError):
        ours(np.ones((4, 4, 1)))
    with pytest.raises(ValueError):
        ours(np.ones((1, 4, 4, 1)), 2, None, "full")
