"""os._exit() inside sigmoid kills the child at every call; it is restarted for the rest."""

# ruff: noqa
EXPECT = {
    "status": "partial",
    "checks": {"attack_sigmoid_values": "error", "attack_relu_still_graded": "passed"},
    "message": "exited with status 0 during sigmoid",
    "hidden": True,
}

import os


def sigmoid(z):
    os._exit(0)
