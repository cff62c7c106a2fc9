"""An ndarray subclass that overrides comparisons, ufuncs and __array_function__."""

# ruff: noqa
EXPECT = {
    "status": "partial",
    "checks": {"attack_sigmoid_values": "failed", "attack_relu_still_graded": "passed"},
    "hidden": True,
}

import numpy as np


class Agreeable(np.ndarray):
    def __eq__(self, other):
        return np.ones(self.shape, dtype=bool)

    __le__ = __ge__ = __eq__

    def __array_function__(self, func, types, args, kwargs):
        return True

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return np.zeros(self.shape).view(np.ndarray)


def sigmoid(z):
    return np.zeros(np.shape(z)).view(Agreeable)
