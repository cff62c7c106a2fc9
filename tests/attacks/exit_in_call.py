"""sys.exit() inside sigmoid: an error for sigmoid's checks, relu still graded."""

# ruff: noqa
EXPECT = {
    "status": "partial",
    "checks": {"attack_sigmoid_values": "error", "attack_relu_still_graded": "passed"},
    "message": "SystemExit",
    "hidden": True,
}

import sys


def sigmoid(z):
    sys.exit(0)
