"""The keras_cnn images and accuracy that the checks use agree with Keras' own metric."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from nnlab.checks import reference

ref = reference("keras_cnn")

pytestmark = pytest.mark.tensorflow


def test_accuracy_agrees_with_keras_sparse_categorical_accuracy() -> None:
    rng = np.random.default_rng(4)
    labels = rng.integers(0, ref.NUM_CLASSES, size=60)
    probabilities = rng.dirichlet(np.ones(ref.NUM_CLASSES), size=60)
    metric = keras.metrics.SparseCategoricalAccuracy()
    metric.update_state(labels, probabilities)
    assert ref.accuracy(probabilities, labels) == pytest.approx(float(metric.result()))


def test_images_are_repeatable_balanced_and_channels_last() -> None:
    first, second = ref.image_problem(9), ref.image_problem(9)
    for key, array in first.items():
        assert np.array_equal(array, second[key]), key
    assert first["x_train"].shape == (600, 12, 12, 1) and first["x_train"].dtype == np.float32
    assert first["y_train"].dtype == np.int64
    counts = np.bincount(first["y_test"], minlength=ref.NUM_CLASSES)
    assert counts.tolist() == [150] * ref.NUM_CLASSES


@pytest.mark.parametrize("label", range(4))
def test_each_class_draws_its_shape(label: int) -> None:
    image = ref.draw(label, np.random.default_rng(label), size=12)
    rows, columns = np.nonzero(image)
    height, width = np.ptp(rows) + 1, np.ptp(columns) + 1
    if label == 0:
        assert width >= 7 and height <= 2
    elif label == 1:
        assert height >= 7 and width <= 2
    elif label == 2:
        assert height == width == len(rows) >= 7
    else:
        assert height == width and len(rows) == height * width
