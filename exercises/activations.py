# This file must stand alone: it is graded by itself, so an import of another exercise's
# file (`from activations import sigmoid`) fails when graded. Copy what you need from an
# earlier exercise into this file.
"""Exercise 2 — activation functions: sigmoid, tanh, arctan, ReLU, leaky ReLU, softmax.

A neuron first computes a weighted sum of its inputs plus a bias, `z = x @ w + b`, and
then passes `z` through an *activation function* `g(z)`. Without that non-linear step a
stack of layers would collapse into one big linear map, however deep it is; with it,
the network can bend its decision boundaries.

The functions you will write (z is any real number):

    sigmoid(z)    = 1 / (1 + e^-z)        range (0, 1)
    tanh(z)       = (e^z - e^-z) / (e^z + e^-z)   range (-1, 1), tanh(0) = 0
    arctan(z)     = inverse of tan         range (-pi/2, pi/2), about (-1.57, 1.57)
    relu(z)       = max(z, 0)              range [0, inf)
    leaky_relu(z) = z if z > 0 else alpha * z   (alpha small, 0.01 by default)
    softmax(z)_i  = e^z_i / sum_j e^z_j    a whole vector of numbers in (0, 1) summing to 1

Where each one is used
----------------------
* **sigmoid** squeezes any number into (0, 1), so it can be read as a probability: it is
  the usual choice for the single output unit of a yes/no (binary) classifier.
* **softmax** does the same for K classes at once: it turns a row of K scores into K
  probabilities that add up to 1 — the output layer of a multi-class classifier.
* **tanh** is an S-curve like sigmoid, but centred on 0 (tanh(z) = 2*sigmoid(2z) - 1), so
  the values it passes to the next layer average out near zero, which helps training of
  hidden layers. **arctan** is a gentler S-curve of the same family, with a wider range.
* **ReLU** and its variants are the default for hidden layers of today's networks.

Why ReLU took over: flat ends slow learning
-------------------------------------------
Gradient descent changes a weight in proportion to the slope of the activation. The
S-curves flatten out on both sides: sigmoid's slope is at most 0.25 (at z = 0) and is
already below 0.01 at |z| = 5; tanh's slope falls below 0.01 beyond |z| of about 3.
A neuron whose z lands far out on a flat end (it *saturates*) barely learns, and in a
deep stack those tiny slopes multiply layer after layer — the *vanishing gradient*.
ReLU's slope is exactly 1 for every positive z, so the signal passes through unshrunk,
and it costs almost nothing to compute. Its weak spot is the other side: for z < 0 the
output and the slope are both 0, and a unit whose z is negative for every example stops
learning for good (a *dead* unit). Leaky ReLU keeps a small slope `alpha` for z < 0, so
such a unit still gets a little gradient and can recover.

Numbers that are too big: numerical stability
---------------------------------------------
`np.exp(1000)` does not fit in a float64 (the largest is about 1.8e308, and e^710
already overflows): NumPy returns inf and warns "overflow encountered in exp".

* `1 / (1 + np.exp(-z))` at z = -1000 computes e^1000 = inf. The final value happens to
  be 0, but the warning tells you the arithmetic went out of range, and the twin form
  `np.exp(z) / (1 + np.exp(z))` returns inf/inf = nan at z = 1000. A stable sigmoid only
  ever exponentiates a number <= 0: with `e = exp(-|z|)` it is `1 / (1 + e)` for z >= 0
  and `e / (1 + e)` for z < 0 (the same function, multiplied by e^z/e^z). Another exact
  rewrite is `0.5 * (1 + tanh(z / 2))`. Careful: `np.where(cond, f(z), g(z))` evaluates
  BOTH f and g on every element, so both must be safe everywhere.
* softmax of [1000, 999] overflows the same way. Subtracting the same number c from every
  score does not change the result (the e^-c cancels between top and bottom), so use
  c = the largest score of each row: the biggest exponent becomes e^0 = 1 and nothing
  can overflow.

Conventions for this file
-------------------------
Every function takes a Python number (int or float), a (nested) list of them, or a NumPy
array of any float dtype and any shape, and returns a NumPy array of the SAME shape (a
number in gives shape (), a 0-D array or NumPy scalar). Start with
`z = np.asarray(z, dtype=float)`: an int input kept as ints would truncate, e.g. an
`np.empty_like(z)` filled with sigmoid values holds 0s and 1s. The result's dtype is
not graded otherwise; the model answer works in float64. Never change the input array
in place.

Run `nnlab grade activations` to check your work, `nnlab plot activations` to see your
curves over the reference ones, and `nnlab hint activations` when stuck.
"""

import numpy as np


def sigmoid(z):
    """The logistic sigmoid 1 / (1 + e^-z), element-wise; values in (0, 1).

    z: a number, a list or an array of any shape and float dtype  ->  an array of the
    same shape (shape () for a number).
    Must be numerically stable: sigmoid(-1000) is 0.0 and sigmoid(1000) is 1.0, with no
    overflow warning (see "numerical stability" above).

    Example:
        >>> sigmoid(np.array([-1000.0, -1.0, 0.0, 2.0]))
        array([0.        , 0.26894142, 0.5       , 0.88079708])
    """
    raise NotImplementedError


def tanh(z):
    """The hyperbolic tangent, element-wise; values in (-1, 1), odd: tanh(-z) = -tanh(z).

    z: a number, a list or an array of any shape  ->  same shape (() for a number).
    Large |z| must give ±1, not nan.

    Example:
        >>> tanh([0.0, 0.5, -3.0])
        array([ 0.        ,  0.46211716, -0.99505475])
    """
    raise NotImplementedError


def arctan(z):
    """The inverse tangent, element-wise; values in (-pi/2, pi/2), in radians.

    z: a number, a list or an array of any shape  ->  same shape (() for a number).
    For large |z| the values approach ±pi/2 ≈ ±1.5708.

    Example:
        >>> arctan([-1.0, 0.0, 1.0])    # tan(pi/4) = 1
        array([-0.78539816,  0.        ,  0.78539816])
    """
    raise NotImplementedError


def relu(z):
    """The rectified linear unit max(z, 0), element-wise.

    z: a number, a list or an array of any shape  ->  same shape (() for a number),
    as numbers (not True/False). relu(0) is 0.

    Example:
        >>> relu(np.array([[-2.0, 0.0], [0.5, 3.0]]))
        array([[0. , 0. ],
               [0.5, 3. ]])
    """
    raise NotImplementedError


def leaky_relu(z, alpha=0.01):
    """Leaky ReLU: z where z > 0, alpha * z elsewhere (so leaky_relu(0) is 0).

    z: a number, a list or an array of any shape  ->  same shape (() for a number).
    alpha: the slope for negative z, a small non-negative number (use the one you
    are given, not always 0.01).

    Example:
        >>> leaky_relu([-10.0, 0.0, 4.0])
        array([-0.1,  0. ,  4. ])
        >>> leaky_relu([-10.0, 4.0], alpha=0.2)
        array([-2.,  4.])
    """
    raise NotImplementedError


def softmax(z, axis=-1):
    """Softmax along `axis`: e^z / (sum of e^z along axis), each slice sums to 1.

    z: a number, a list or an array of any shape  ->  same shape. With the default
    axis=-1 a (N, K) input gives one probability distribution per row; axis=0
    normalises each column instead. Must be numerically stable: subtract each slice's
    maximum first (keepdims=True keeps the shapes broadcastable). A single number
    (0-D) is its own slice: softmax(3.0) is 1.0.

    Example:
        >>> softmax(np.array([[1.0, 2.0, 3.0], [1000.0, 1000.0, 1000.0]]))
        array([[0.09003057, 0.24472847, 0.66524096],
               [0.33333333, 0.33333333, 0.33333333]])
    """
    raise NotImplementedError
