"""Overwriting the input so that a reference computed afterwards on the same array would
agree (sigmoid(-inf) == 0): references are computed in the grading process, on its own
copy (the message expects sigmoid(-6), not 0), and the check that inputs are unmodified
judges the wrong value first."""

# ruff: noqa
EXPECT = {
    "status": "partial",
    "checks": {
        "attack_sigmoid_values": "failed",
        "attack_sigmoid_leaves_input_alone": "failed",
        "attack_relu_still_graded": "passed",
    },
    "message": "expected 0.0024726232, got 0",
    "hidden": True,
}

import numpy as np


def sigmoid(z):
    if isinstance(z, np.ndarray) and z.flags.writeable:
        z[...] = -np.inf
    return np.zeros(np.shape(z))
