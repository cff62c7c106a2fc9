"""The keras_model data and accuracy that the checks use agree with Keras' own metric."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from nnlab.checks import reference

ref = reference("keras_model")

pytestmark = pytest.mark.tensorflow


def test_accuracy_agrees_with_keras_binary_accuracy() -> None:
    rng = np.random.default_rng(3)
    labels = rng.integers(0, 2, size=50).astype(np.float32)
    probabilities = rng.random((50, 1))
    probabilities[:3] = 0.5  # the threshold itself counts as class 0, as in Keras
    metric = keras.metrics.BinaryAccuracy()
    metric.update_state(labels[:, np.newaxis], probabilities)
    assert ref.accuracy(probabilities, labels) == pytest.approx(float(metric.result()))


@pytest.mark.parametrize("input_dim", [3, 4, 7])
def test_problem_is_repeatable_balanced_and_sized_by_input_dim(input_dim: int) -> None:
    first, second = ref.binary_problem(5, input_dim), ref.binary_problem(5, input_dim)
    for key, array in first.items():
        assert np.array_equal(array, second[key]), key
    assert first["x_train"].shape == (640, input_dim) and first["x_train"].dtype == np.float32
    assert first["x_test"].shape == (1000, input_dim)
    assert first["y_test"].mean() == 0.5
    assert 0.35 < first["y_train"].mean() < 0.65
    assert not np.array_equal(first["y_train"], ref.binary_problem(6, input_dim)["y_train"])
