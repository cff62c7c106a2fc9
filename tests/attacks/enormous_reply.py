"""A 68 MB result (over the 64 MiB reply limit): refused with a reason, child restarted."""

# ruff: noqa
EXPECT = {
    "status": "partial",
    "checks": {"attack_sigmoid_values": "error", "attack_relu_still_graded": "passed"},
    "message": "the grader accepts at most 64 MiB",
}

import numpy as np


def sigmoid(z):
    return np.full(8_500_000, 0.5)  # 68 MB
