"""The `optimizers` reference agrees with Keras: `rmsprop_update` with
`keras.optimizers.RMSprop` and `sgd_update` with `keras.optimizers.SGD`, step by step on
the same gradients, and `minibatches` has the properties the checks look for.

Keras' RMSprop here is the one the contract names: momentum=0, centered=False, velocities
starting at zeros. Variables are float64 so the agreement is close to float64 precision;
Keras keeps the learning rate in a float32 variable, so the reference is given that same
float32-rounded rate (`as_keras_rate`). One case uses Keras' default float32 variables.
"""

from __future__ import annotations

import inspect

import keras
import numpy as np
import pytest
import tensorflow as tf

from nnlab.checks import reference

pytestmark = pytest.mark.tensorflow

ref = reference("optimizers")


def gradients(seed: int, shape: tuple[int, ...], steps: int, scale: float | None = None):
    rng = np.random.default_rng(seed)
    for _ in range(steps):
        size = scale if scale is not None else 10.0 ** rng.uniform(-3, 1)
        yield rng.normal(scale=size, size=shape)


def as_keras_rate(learning_rate: float) -> float:
    return float(np.float32(learning_rate))


def run_keras(optimizer, start: np.ndarray, grads, dtype: str = "float64") -> list[np.ndarray]:
    variable = tf.Variable(start.astype(dtype))
    trajectory = []
    for grad in grads:
        optimizer.apply_gradients([(tf.constant(grad.astype(dtype)), variable)])
        trajectory.append(variable.numpy().copy())
    return trajectory


@pytest.mark.parametrize(
    ("learning_rate", "rho", "epsilon"),
    [(0.001, 0.9, 1e-7), (0.01, 0.5, 1e-7), (0.1, 0.99, 1e-6), (0.05, 0.0, 1e-7)],
)
def test_rmsprop_matches_keras_over_several_steps(learning_rate, rho, epsilon) -> None:
    shape = (3, 4)
    start = np.random.default_rng(1).normal(size=shape)
    grads = list(gradients(2, shape, steps=8))
    optimizer = keras.optimizers.RMSprop(learning_rate=learning_rate, rho=rho, epsilon=epsilon)
    assert optimizer.momentum == 0 and not optimizer.centered
    expected = run_keras(optimizer, start, grads)
    param, velocity = start, np.zeros(shape)
    for step, grad in enumerate(grads):
        param, velocity = ref.rmsprop_update(
            param, grad, velocity, as_keras_rate(learning_rate), rho, epsilon
        )
        np.testing.assert_allclose(param, expected[step], rtol=1e-12, atol=1e-14)


def test_rmsprop_defaults_are_keras_defaults() -> None:
    shape = (5,)
    start = np.random.default_rng(3).normal(size=shape)
    grads = list(gradients(4, shape, steps=6))
    expected = run_keras(keras.optimizers.RMSprop(), start, grads)
    param, velocity = start, np.zeros(shape)
    for step, grad in enumerate(grads):
        param, velocity = ref.rmsprop_update(param, grad, velocity, as_keras_rate(0.001))
        np.testing.assert_allclose(param, expected[step], rtol=1e-12, atol=1e-14)


def test_rmsprop_tiny_gradients_need_epsilon_inside_the_root() -> None:
    start = np.array([0.5, -0.5, 0.0, 1.0])
    grads = [np.array([1e-4, -1e-4, 3e-4, -2e-5])] * 5
    expected = run_keras(keras.optimizers.RMSprop(learning_rate=0.1), start, grads)
    param, velocity = start, np.zeros(4)
    outside, outside_velocity = start, np.zeros(4)
    for step, grad in enumerate(grads):
        param, velocity = ref.rmsprop_update(param, grad, velocity, as_keras_rate(0.1))
        np.testing.assert_allclose(param, expected[step], rtol=1e-12, atol=1e-14)
        outside_velocity = 0.9 * outside_velocity + 0.1 * grad**2
        outside = outside - 0.1 * grad / (np.sqrt(outside_velocity) + 1e-7)
    # the other placement of epsilon moves much further: the checks can tell them apart
    keras_step = np.abs(expected[-1] - start)
    outside_step = np.abs(outside - start)
    assert (outside_step > 2 * keras_step).all()


def test_rmsprop_matches_keras_float32_variables() -> None:
    shape = (4, 3)
    start = np.random.default_rng(5).normal(size=shape).astype(np.float32)
    grads = [g.astype(np.float32) for g in gradients(6, shape, steps=5)]
    expected = run_keras(keras.optimizers.RMSprop(learning_rate=0.01), start, grads, "float32")
    param, velocity = start, np.zeros(shape, np.float32)
    for step, grad in enumerate(grads):
        param, velocity = ref.rmsprop_update(param, grad, velocity, learning_rate=0.01)
        np.testing.assert_allclose(param, expected[step], rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("learning_rate", [None, 0.1, 0.5])
def test_sgd_matches_keras(learning_rate) -> None:
    shape = (2, 3, 2)
    start = np.random.default_rng(7).normal(size=shape)
    grads = list(gradients(8, shape, steps=4, scale=1.0))
    optimizer = (
        keras.optimizers.SGD() if learning_rate is None else keras.optimizers.SGD(learning_rate)
    )
    expected = run_keras(optimizer, start, grads)
    param = start
    for step, grad in enumerate(grads):
        param = (
            ref.sgd_update(param, grad, as_keras_rate(0.01))
            if learning_rate is None
            else ref.sgd_update(param, grad, as_keras_rate(learning_rate))
        )
        np.testing.assert_allclose(param, expected[step], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(("n", "batch_size", "seed"), [(10, 3, None), (37, 5, 3), (6, 9, 2)])
def test_reference_minibatches_have_the_checked_properties(n, batch_size, seed) -> None:
    x = np.arange(n * 2, dtype=float).reshape(n, 2)
    y = np.arange(n, dtype=float) * 2  # y[i] == x[i, 0]
    batches = ref.minibatches(x, y, batch_size, seed)
    sizes = [len(b[0]) for b in batches]
    assert sizes == [batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size else [])
    order = np.concatenate([b[1] for b in batches]) / 2
    assert sorted(order) == list(range(n))
    assert all(np.array_equal(xb[:, 0], yb) for xb, yb in batches)
    assert (list(order) == list(range(n))) == (seed is None)


def test_reference_defaults_are_keras_defaults() -> None:
    def defaults(function):
        return {
            name: p.default
            for name, p in inspect.signature(function).parameters.items()
            if p.default is not inspect.Parameter.empty
        }

    rmsprop, sgd = keras.optimizers.RMSprop(), keras.optimizers.SGD()
    assert defaults(ref.rmsprop_update) == {
        "learning_rate": pytest.approx(float(rmsprop.learning_rate), rel=1e-7),
        "rho": rmsprop.rho,
        "epsilon": rmsprop.epsilon,
    }
    assert defaults(ref.sgd_update) == {
        "learning_rate": pytest.approx(float(sgd.learning_rate), rel=1e-7)
    }
