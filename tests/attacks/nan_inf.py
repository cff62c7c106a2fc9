"""NaN and inf results: comparisons with NaN are False, so a careless checker passes them."""

# ruff: noqa
EXPECT = {
    "status": "partial",
    "checks": {"attack_sigmoid_values": "failed", "attack_relu_still_graded": "passed"},
    "hidden": True,
}

import numpy as np


def sigmoid(z):
    out = np.full(np.shape(z), np.nan)
    out.flat[::2] = np.inf
    return out
