"""Looking for the grader's secrets (its environment, its memory): the child
gets a scrubbed environment and, as root, another user. If it found the secret, this
sigmoid would turn honest and pass; it must fail."""

# ruff: noqa
EXPECT = {
    "status": "partial",
    "checks": {"attack_sigmoid_values": "failed", "attack_relu_still_graded": "passed"},
    "hidden": True,
}

import os

import numpy as np

_honest_sigmoid = sigmoid


def _found_secret():
    if "NNLAB_ATTACK_SECRET" in os.environ:
        return True
    for path in (f"/proc/{os.getppid()}/environ", "/proc/1/environ", f"/proc/{os.getppid()}/mem"):
        try:
            with open(path, "rb") as handle:
                if b"NNLAB_ATTACK_SECRET" in handle.read(1 << 20):
                    return True
        except OSError:
            pass
    return False


def sigmoid(z):
    if _found_secret():
        return _honest_sigmoid(z)
    return np.zeros(np.shape(z))
