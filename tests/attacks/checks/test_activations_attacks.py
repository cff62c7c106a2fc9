"""The checks the attack corpus is graded with (beside or instead of the course's own).

They are small and fixed so that each attack's expected verdict does not depend on the
course content, which changes; ``tests/test_attacks.py`` also grades some attacks with
the course's hidden checks.
"""

import numpy as np

from nnlab.checks import check, expect_close, expect_unmodified, fail

SPEED_LIMIT_SECONDS = 0.5


def sigmoid_reference(z):
    z = np.asarray(z, dtype=float)
    return np.exp(-np.logaddexp(0.0, -z))


@check("sigmoid", weight=2, hint="sigmoid(z) = 1 / (1 + exp(-z)).")
def test_attack_sigmoid_values(learner):
    z = np.linspace(-6.0, 6.0, 13)
    expect_close(learner.call("sigmoid", z), sigmoid_reference(z))


@check("sigmoid", after=(), hint="Work on a copy of z.")  # each verdict its own
def test_attack_sigmoid_leaves_input_alone(learner):
    z = np.linspace(-3.0, 3.0, 7)
    expect_unmodified(learner.call("sigmoid", z), sigmoid_reference(z))


@check("sigmoid", kind="speed", after=(), hint="One vectorised expression is enough.")
def test_attack_sigmoid_is_fast(learner):
    z = np.zeros(1000)
    outcome = learner.call("sigmoid", z)
    expect_close(outcome, sigmoid_reference(z))
    if outcome.wall_seconds > SPEED_LIMIT_SECONDS:
        fail(
            f"sigmoid took {outcome.wall_seconds:.2f} s on 1000 values "
            f"(measured by the grader); the limit is {SPEED_LIMIT_SECONDS} s."
        )


@check("relu", hint="relu(z) = max(z, 0).")
def test_attack_relu_still_graded(learner):
    z = np.array([-1.0, 0.0, 2.0])
    expect_close(learner.call("relu", z), np.maximum(z, 0.0))
