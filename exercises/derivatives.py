# This file must stand alone: it is graded by itself, so an import of another exercise's
# file (`from activations import sigmoid`) fails when graded. Copy what you need from an
# earlier exercise into this file.
"""Derivatives: how steep each activation is.

Why a network needs slopes
--------------------------
Training nudges every weight a little in the direction that lowers the loss. To know
which direction that is, backpropagation multiplies slopes together along the path
from the loss back to the weight (the chain rule). One factor on that path is the
activation's own slope: if a neuron computes a = g(z), the signal coming back through
it gets multiplied by g'(z), the derivative of g evaluated at the neuron's input z.
So for every activation you wrote in `activations`, you now write its derivative.

The closed forms
----------------
Write s = sigmoid(z) and t = tanh(z). Then

    sigmoid'(z) = s * (1 - s)           largest at z = 0, where it is 0.25
    tanh'(z)    = 1 - t**2              largest at z = 0, where it is 1
    arctan'(z)  = 1 / (1 + z**2)        1 at z = 0, and it fades slowly (like 1/z**2)
    relu'(z)    = 1 if z > 0 else 0
    leaky'(z)   = 1 if z > 0 else alpha

The sigmoid and tanh forms reuse the activation itself: compute s (or t) from z
first, then plug it in.

The classic trap: which z?
--------------------------
Every function here takes the *input* z, not the activation value. A common bug is to
write `z * (1 - z)` for the sigmoid's slope, which is only right if you were handed
s = sigmoid(z). Here you are handed z: at z = 0 that bug gives 0 instead of 0.25, and at
z = 2 it gives -2, a negative slope for a function that only ever goes up. The same
slip turns tanh's slope into `1 - z**2`, which is negative for |z| > 1.

Kinks: what is the slope at exactly 0?
--------------------------------------
ReLU and leaky ReLU have a corner at z = 0: the slope is one value just left of it and
1 just right of it, so strictly speaking there is no derivative there. Code still has to
return a number. This course follows TensorFlow's gradients and takes the slope on the
LEFT: relu_derivative(0) == 0 and leaky_relu_derivative(0) == alpha. In code that
means testing `z > 0` (not `z >= 0`) for the slope of 1.

Vanishing slopes
----------------
Far from zero the sigmoid and tanh flatten out: at z = 10 the sigmoid's slope is about
4.5e-5 and tanh's about 8e-9. Multiply a few of those along a deep network and the
learning signal all but disappears; this is the "vanishing gradient" problem and one
reason ReLU (slope exactly 1 for every positive z) became the default in hidden
layers. Your functions must still behave at huge inputs: at |z| = 1000 they must
return finite values (0 to within rounding) with no overflow warning, so compute
the sigmoid in a stable way before using it.

Conventions for every function
------------------------------
- `z` may be a Python number, a (nested) list, or a NumPy array of any float dtype
  and any shape. Turn it into an array first: `z = np.asarray(z, dtype=float)`. The
  `dtype=float` matters when z holds ints such as [[-2, 0, 3]]: an int array (and
  anything made from it with np.ones_like or np.zeros_like) stores 0.01 as 0.
- The result has exactly the shape of `z`; a scalar input gives a 0-d result (a NumPy
  scalar or a 0-d array both count).
- Do not change `z` in place: the caller may still need it.

Check yourself with `nnlab grade derivatives`, and see your curves beside the
reference with `nnlab plot derivatives`.
"""

import numpy as np


def sigmoid_derivative(z):
    """Slope of the sigmoid at z: s * (1 - s) with s = sigmoid(z).

    z: scalar, list or array of any shape. Returns the same shape.
    Must be finite, with no overflow warning, even at z = -1000 or z = 1000.

    Example:
        >>> sigmoid_derivative(np.array([0.0, 2.0]))
        array([0.25      , 0.10499359])
    """
    raise NotImplementedError


def tanh_derivative(z):
    """Slope of tanh at z: 1 - tanh(z)**2.

    z: scalar, list or array of any shape. Returns the same shape.
    Must be finite, with no overflow warning, even at z = -1000 or z = 1000.

    Example:
        >>> tanh_derivative(np.array([0.0, 1.0]))
        array([1.        , 0.41997434])
    """
    raise NotImplementedError


def arctan_derivative(z):
    """Slope of arctan at z: 1 / (1 + z**2).

    z: scalar, list or array of any shape. Returns the same shape.

    Example:
        >>> arctan_derivative(np.array([0.0, 1.0, -3.0]))
        array([1. , 0.5, 0.1])
    """
    raise NotImplementedError


def relu_derivative(z):
    """Slope of ReLU at z: 1.0 where z > 0, else 0.0 (so exactly 0.0 at z == 0).

    z: scalar, list or array of any shape. Returns the same shape, as floats.

    Example:
        >>> relu_derivative(np.array([-2.0, 0.0, 3.0]))
        array([0., 0., 1.])
    """
    raise NotImplementedError


def leaky_relu_derivative(z, alpha=0.01):
    """Slope of leaky ReLU at z: 1.0 where z > 0, else alpha (so alpha at z == 0).

    z: scalar, list or array of any shape. Returns the same shape, as floats.
    alpha: the slope for z <= 0, the same alpha that `leaky_relu(z, alpha)` uses.

    Example:
        >>> leaky_relu_derivative(np.array([-2.0, 0.0, 3.0]), alpha=0.1)
        array([0.1, 0.1, 1. ])
    """
    raise NotImplementedError
