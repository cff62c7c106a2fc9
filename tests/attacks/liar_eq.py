"""An object whose comparisons always say yes; it cannot cross, so it is not an array."""

# ruff: noqa
EXPECT = {
    "status": "partial",
    "checks": {"attack_sigmoid_values": "failed", "attack_relu_still_graded": "passed"},
    "message": "Liar",
    "hidden": True,
}

import numpy as np


class Liar:
    shape = property(lambda self: (13,))
    dtype = np.dtype(float)

    def __eq__(self, other):
        return True

    __le__ = __ge__ = __lt__ = __gt__ = __eq__

    def __ne__(self, other):
        return False

    def __array__(self, dtype=None, copy=None):
        return np.zeros(13)

    def __array_function__(self, func, types, args, kwargs):
        return True

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return True

    def __float__(self):
        return 0.5


def sigmoid(z):
    return Liar()
