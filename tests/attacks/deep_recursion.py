"""Unbounded recursion with the recursion limit lifted: Python 3.11 keeps its frames on
the heap, so it runs until the memory limit (MemoryError), the C stack (the child dies) or
the time limit stops it; never a pass, and relu is still graded."""

# ruff: noqa
EXPECT = {
    "status": "partial",
    "checks": {
        "attack_sigmoid_values": ("error", "timeout"),
        "attack_relu_still_graded": "passed",
    },
}

import sys

sys.setrecursionlimit(10**7)


def sigmoid(z, depth=0):
    return sigmoid(z, depth + 1)
