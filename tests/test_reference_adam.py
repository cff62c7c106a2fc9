"""The `adam` reference agrees with Keras: `momentum_update` with
`keras.optimizers.SGD(momentum=...)` and `adam_update` with `keras.optimizers.Adam`, stepped
on the same gradients for several steps; and `adam_train` with a Keras Adam driving the
network reference's gradients.

Variables are float64; Keras keeps the learning rate in a float32 variable, so the reference
is given that same float32-rounded rate (`as_keras_rate`), as in test_reference_optimizers.
Keras also turns `momentum`, `beta_1` and `beta_2` into float32 tensors before it raises them
to powers (measured: with beta_2 = 0.999 its first step differs from the float64 formula by
6e-6, relatively), so the step-by-step comparisons use rates exact in float32 (0.875,
0.998046875, ...) and agree to 1e-10; the defaults are compared to 1e-4.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from nnlab.checks import reference

pytestmark = pytest.mark.tensorflow

ref = reference("adam")
network = reference("network")


def gradients(seed: int, shape: tuple[int, ...], steps: int):
    rng = np.random.default_rng(seed)
    for _ in range(steps):
        yield rng.normal(scale=10.0 ** rng.uniform(-4, 1), size=shape)


def as_keras_rate(learning_rate: float) -> float:
    return float(np.float32(learning_rate))


def run_keras(optimizer, start: np.ndarray, grads) -> list[np.ndarray]:
    variable = tf.Variable(start)
    trajectory = []
    for grad in grads:
        optimizer.apply_gradients([(tf.constant(grad), variable)])
        trajectory.append(variable.numpy().copy())
    return trajectory


@pytest.mark.parametrize(
    ("learning_rate", "momentum"), [(0.01, 0.875), (0.1, 0.5), (0.001, 0.9921875), (0.05, 0.0)]
)
def test_momentum_matches_keras_sgd_over_several_steps(learning_rate, momentum) -> None:
    shape = (3, 4)
    start = np.random.default_rng(1).normal(size=shape)
    grads = list(gradients(2, shape, steps=10))
    optimizer = keras.optimizers.SGD(learning_rate=learning_rate, momentum=momentum)
    assert not optimizer.nesterov
    expected = run_keras(optimizer, start, grads)
    param, velocity = start, np.zeros(shape)
    for step, grad in enumerate(grads):
        param, velocity = ref.momentum_update(
            param, grad, velocity, as_keras_rate(learning_rate), momentum
        )
        np.testing.assert_allclose(param, expected[step], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(
    ("learning_rate", "beta_1", "beta_2", "epsilon"),
    [
        (0.001, 0.875, 0.998046875, 1e-7),
        (0.01, 0.75, 0.9921875, 1e-7),
        (0.1, 0.5, 0.875, 1e-4),
        (0.003, 0.0, 0.998046875, 1e-8),
    ],
)
def test_adam_matches_keras_over_several_steps(learning_rate, beta_1, beta_2, epsilon) -> None:
    shape = (2, 5)
    start = np.random.default_rng(3).normal(size=shape)
    grads = list(gradients(4, shape, steps=12))
    optimizer = keras.optimizers.Adam(
        learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon
    )
    assert not optimizer.amsgrad
    expected = run_keras(optimizer, start, grads)
    param, m, v = start, np.zeros(shape), np.zeros(shape)
    for step, grad in enumerate(grads, start=1):
        param, m, v = ref.adam_update(
            param, grad, m, v, step, as_keras_rate(learning_rate), beta_1, beta_2, epsilon
        )
        np.testing.assert_allclose(param, expected[step - 1], rtol=1e-10, atol=1e-12)


def test_adam_with_the_default_rates_matches_keras_to_float32_betas() -> None:
    shape = (4,)
    start = np.random.default_rng(5).normal(size=shape)
    grads = list(gradients(6, shape, steps=10))
    expected = run_keras(keras.optimizers.Adam(), start, grads)
    param, m, v = start, np.zeros(shape), np.zeros(shape)
    for step, grad in enumerate(grads, start=1):
        param, m, v = ref.adam_update(param, grad, m, v, step, as_keras_rate(0.001))
        np.testing.assert_allclose(param, expected[step - 1], rtol=1e-4)


def test_adam_puts_epsilon_where_keras_does_for_tiny_gradients() -> None:
    """Tiny gradients: epsilon outside the root of the uncorrected v (Keras) and the paper's
    placement (outside the root of the bias-corrected v) give visibly different steps."""
    beta_1, beta_2 = 0.875, 0.998046875
    start, grad = np.zeros(3), np.array([1e-9, -3e-8, 2e-7])
    optimizer = keras.optimizers.Adam(learning_rate=0.001, beta_1=beta_1, beta_2=beta_2)
    expected = run_keras(optimizer, start, [grad, grad])
    param, m, v = start, np.zeros(3), np.zeros(3)
    for step in (1, 2):
        param, m, v = ref.adam_update(param, grad, m, v, step, as_keras_rate(0.001), beta_1, beta_2)
        np.testing.assert_allclose(param, expected[step - 1], rtol=1e-10)
    m1, v1 = (1 - beta_1) * grad, (1 - beta_2) * grad**2
    paper = -0.001 * (m1 / (1 - beta_1)) / (np.sqrt(v1 / (1 - beta_2)) + 1e-7)
    assert not np.allclose(paper, expected[0], rtol=1e-2)


def test_adam_train_is_full_batch_keras_adam_on_the_network_gradients() -> None:
    x, y = network.make_dataset(5, n=120)
    params = network.init_params(2, 6, seed=3)
    variables = {key: tf.Variable(value) for key, value in params.items()}
    optimizer = keras.optimizers.Adam(learning_rate=0.01)
    for _ in range(15):
        current = {key: variable.numpy() for key, variable in variables.items()}
        _, grads = network.loss_and_gradients(current, x, y)
        optimizer.apply_gradients([(tf.constant(grads[k]), variables[k]) for k in network.KEYS])
    ours = ref.adam_train(x, y, n_hidden=6, epochs=15, learning_rate=as_keras_rate(0.01), seed=3)
    for key in network.KEYS:  # Keras' float32 betas: see the module docstring
        np.testing.assert_allclose(ours[key], variables[key].numpy(), rtol=1e-4, atol=1e-5)


def test_adam_train_beats_plain_descent_at_the_same_learning_rate() -> None:
    x, y = network.make_dataset(1013)
    x_train, y_train, x_test, y_test = x[:400], y[:400], x[400:], y[400:]
    assert ref.accuracy(ref.adam_train(x_train, y_train, epochs=50), x_test, y_test) > 0.9
    needed = ref.gradient_descent_epochs(
        x_train, y_train, x_test, y_test, 0.9, learning_rate=0.01, most=2000
    )
    assert needed > 200
