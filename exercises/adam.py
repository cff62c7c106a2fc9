# This file must stand alone: it is graded by itself, so an import of another exercise's
# file (`from activations import sigmoid`) fails when graded. Copy what you need from an
# earlier exercise into this file.
"""Momentum and Adam, as Keras does them, and the two-layer network trained with Adam.

Plain gradient descent takes a step of learning_rate * grad, whatever happened before. Two
problems follow. Where the loss surface is a long narrow valley, the gradient points mostly
across the valley, so the steps zig-zag from wall to wall and crawl along it. And one
learning rate must suit every weight, although some gradients are a thousand times smaller
than others. Momentum fixes the first; Adam fixes both. Keras' `SGD(momentum=...)` and
`Adam` are what nearly everyone uses; your functions must give exactly their steps.

Momentum: a ball rolling downhill
---------------------------------
Keep a velocity, one number per weight (start: zeros, the shape of the weight). Each step
the old velocity is kept in part (momentum, e.g. 0.9) and the new gradient pushes it:

    velocity = momentum * velocity - learning_rate * grad
    param    = param + velocity

Worked example, learning_rate=0.1, momentum=0.9, the same gradient 1.0 every step:

    step 1: velocity = 0.9 * 0     - 0.1 = -0.1      param moves by -0.1
    step 2: velocity = 0.9 * -0.1  - 0.1 = -0.19     param moves by -0.19
    step 3: velocity = 0.9 * -0.19 - 0.1 = -0.271    ...  towards -0.1 / (1 - 0.9) = -1.0

Where the gradient keeps its sign, the steps grow up to 1 / (1 - momentum) = 10 times the
plain step; where it flips sign every step (the zig-zag), the pushes cancel out.

Adam: momentum plus a step size per weight
------------------------------------------
Adam keeps two running averages per weight: m of the gradients (the momentum part) and v
of the SQUARED gradients (how big the gradients of this weight usually are). It then steps
by m / sqrt(v): about learning_rate in size for every weight, whether its gradients are
tiny or huge. At step t (t = 1 for the first step; m and v start at zeros):

    m     = beta_1 * m + (1 - beta_1) * grad
    v     = beta_2 * v + (1 - beta_2) * grad**2
    alpha = learning_rate * sqrt(1 - beta_2**t) / (1 - beta_1**t)
    param = param - alpha * m / (sqrt(v) + epsilon)

Why the bias correction (the alpha line) matters
------------------------------------------------
m and v start at zero, so in the first steps they are averages of a few gradients AND of a
lot of zeros: far too small. Dividing by (1 - beta**t) undoes exactly that: after one step
m = (1 - beta_1) * grad, and m / (1 - beta_1**1) = grad again. Worked example, defaults
(beta_1=0.9, beta_2=0.999), first step, grad = 0.5:

    m = 0.1 * 0.5 = 0.05        v = 0.001 * 0.25 = 0.00025        sqrt(v) = 0.0158
    without correction:  m / sqrt(v)                              = 3.16   (3 x too big)
    with correction:     (m / (1 - 0.9)) / sqrt(v / (1 - 0.999))  = 0.5 / 0.5 = 1.0

so the first step is learning_rate * 1.0, as intended. v's average is the more starved one
(beta_2 is closer to 1), so without the correction the early steps are several times too
large: 3.2 x at t = 1, 6.5 x at t = 10, still 1.3 x at t = 1000. The correction of both
averages is folded into one number, alpha, as Keras does it.

Where epsilon goes: Keras adds it to sqrt(v) (the uncorrected v), as written above. The
Adam paper adds it to the square root of the CORRECTED v; the two differ visibly when the
gradients are tiny, and the checks follow Keras.

The network, trained with Adam
------------------------------
`adam_train` trains the network of the `network` exercise: x (N, d) -> Dense(n_hidden,
relu) -> Dense(1, sigmoid), mean binary cross-entropy. Copy your init_params and your
loss_and_gradients (forward pass and backprop) from network.py into this file, then, instead
of params[k] -= learning_rate * grads[k], keep m[k] and v[k] for every parameter and call
adam_update, with t = 1, 2, 3, ... one full-batch step per epoch. Plain gradient descent at
Adam's learning rate (0.01) needs hundreds of epochs on the hidden data set; Adam needs
a few dozen.

Rules for this file: convert array inputs with np.asarray(..., dtype=float) (lists and
float32 arrays must work), return NEW arrays (never change param, grad, velocity, m or v in
place: the caller keeps using them), and keep the parameter names and defaults of the stubs.
"""

import numpy as np


def momentum_update(param, grad, velocity, learning_rate=0.01, momentum=0.9):
    """One step of gradient descent with momentum, like keras.optimizers.SGD(momentum=...).

    Args:
        param: the weights, an array of any shape (or a number).
        grad: the gradient of the loss with respect to param, same shape.
        velocity: the velocity from the previous step, same shape (zeros at the start).
        learning_rate: the step size.
        momentum: the fraction of the old velocity kept, in [0, 1).

    Returns:
        (new_param, new_velocity): velocity = momentum * velocity - learning_rate * grad,
        then param + velocity.

    Example (the first two steps of the worked example above):
        >>> param, velocity = momentum_update(np.array([2.0]), np.array([1.0]), np.zeros(1), 0.1, 0.9)
        >>> param, velocity
        (array([1.9]), array([-0.1]))
        >>> momentum_update(param, np.array([1.0]), velocity, 0.1, 0.9)
        (array([1.71]), array([-0.19]))
    """
    raise NotImplementedError


def adam_update(param, grad, m, v, t, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    """One Adam step at step number t, like keras.optimizers.Adam.

    Args:
        param, grad: the weights and their gradient, the same shape.
        m, v: the running averages of the gradient and of its square from the previous step
            (zeros at the start), the shape of param.
        t: the number of this step, 1 for the first.
        learning_rate, beta_1, beta_2, epsilon: Keras' names and defaults.

    Returns:
        (new_param, new_m, new_v), see the module docstring; epsilon is added to sqrt(v).

    Example (first step: the step is almost exactly learning_rate, whatever the gradient):
        >>> param, m, v = adam_update(np.array([1.0, 1.0]), np.array([0.5, -200.0]),
        ...                           np.zeros(2), np.zeros(2), t=1, learning_rate=0.1)
        >>> param.round(4)                   # epsilon makes the small one a hair shorter
        array([0.9, 1.1])
        >>> m, v
        (array([  0.05, -20.  ]), array([2.5e-04, 4.0e+01]))
    """
    raise NotImplementedError


def adam_train(x, y, n_hidden=16, epochs=100, learning_rate=0.01, seed=0):
    """Train the two-layer network of the `network` exercise with full-batch Adam.

    Args:
        x: inputs, shape (N, d).
        y: labels 0 or 1, shape (N, 1) (accept (N,) too: reshape it).
        n_hidden: units of the hidden relu layer.
        epochs: full-batch Adam steps to take (t = 1, 2, ..., epochs).
        learning_rate: Adam's learning rate (beta_1, beta_2 and epsilon at their defaults).
        seed: for the initial weights (your init_params(d, n_hidden, seed) from network.py).

    Returns:
        params: {"W1": (d, n_hidden), "b1": (n_hidden,), "W2": (n_hidden, 1), "b2": (1,)}.
        On the hidden data set (two noisy rings) the checks ask for a test accuracy that
        plain gradient descent at this learning rate needs hundreds of epochs to reach.
    """
    raise NotImplementedError
