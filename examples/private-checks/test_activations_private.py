"""An instructor's private checks for `activations`, added to the hidden ones with --checks.

Same form as grader/: pytest functions taking the `learner` fixture, tagged with @check.
The file name must be test_<exercise>.py or test_<exercise>_<anything>.py. Its weight
shares the exercise's 100 points with the hidden checks.

    nnlab grade activations --checks examples/private-checks
    nnlab grade-batch submissions/ --checks examples/private-checks --format csv
"""

import numpy as np

from nnlab.checks import check, expect_close

# Gradescope shows these tests to students once the grades are published (the default for
# private checks); "hidden", "after_due_date" or "visible" would change that for the file.
VISIBILITY = "after_published"


@check(
    "sigmoid", weight=1, hint="sigmoid(-z) = 1 - sigmoid(z): the curve is symmetric about (0, 0.5)."
)
def test_sigmoid_is_symmetric_about_one_half(learner):
    z = np.linspace(-6.0, 6.0, 25)
    left = learner.call("sigmoid", -z).value
    right = learner.call("sigmoid", z).value
    expect_close(left, 1.0 - right, hint="compare sigmoid(-z) with 1 - sigmoid(z)")


@check("sigmoid", weight=1, hint="At z = 0 the sigmoid is exactly one half.")
def test_sigmoid_of_zero_is_one_half(learner):
    expect_close(learner.call("sigmoid", np.zeros(3)), np.full(3, 0.5))
