"""float subclasses that claim to equal anything cross as plain floats, and are wrong."""

# ruff: noqa
EXPECT = {
    "status": "partial",
    "checks": {"attack_sigmoid_values": "failed", "attack_relu_still_graded": "passed"},
    "hidden": True,
}

import numpy as np


class Yes(float):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __sub__(self, other):
        return Yes(0.0)

    __rsub__ = __sub__

    def __abs__(self):
        return Yes(0.0)

    def __le__(self, other):
        return True

    __lt__ = __ge__ = __gt__ = __le__
    __hash__ = float.__hash__


def sigmoid(z):
    return [Yes(0.5) for _ in np.ravel(z)]
