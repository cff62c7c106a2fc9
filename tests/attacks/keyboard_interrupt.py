"""KeyboardInterrupt raised by sigmoid must not interrupt the grader."""

# ruff: noqa
EXPECT = {
    "status": "partial",
    "checks": {"attack_sigmoid_values": "error", "attack_relu_still_graded": "passed"},
    "message": "KeyboardInterrupt",
    "hidden": True,
}


def sigmoid(z):
    raise KeyboardInterrupt
