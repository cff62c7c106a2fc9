# This file must stand alone: it is graded by itself, so an import of another exercise's
# file (`from activations import sigmoid`) fails when graded. Copy what you need from an
# earlier exercise into this file.
"""A two-layer network, trained from scratch
==========================================

Everything from the earlier exercises meets here: a dense layer, an activation, a
loss, its gradient, and gradient descent. You build a tiny binary classifier and
train it on points that no straight line can separate.

The architecture (fixed)
------------------------
::

    x (N, d) --Dense(h, relu)--> a1 (N, h) --Dense(1, sigmoid)--> p (N, 1)

    z1 = x @ W1 + b1        (N, d) @ (d, h) + (h,)  -> (N, h)
    a1 = relu(z1)           max(z1, 0)              -> (N, h)
    z2 = a1 @ W2 + b2       (N, h) @ (h, 1) + (1,)  -> (N, 1)
    p  = sigmoid(z2)        1 / (1 + exp(-z2))      -> (N, 1)

The parameters travel together in one dict of float64 NumPy arrays::

    params = {"W1": (d, h), "b1": (h,), "W2": (h, 1), "b2": (1,)}

Kernels are `(n_in, units)`, like a Keras `Dense` kernel. `N` is the number of
examples, `d` the number of input features, `h` the number of hidden units.

Why the hidden layer matters: without the relu, `z2` would be `x @ (W1 @ W2) + ...`,
one straight-line boundary however many units you stack. The relu bends it.

The loss
--------
Labels `y` are `(N, 1)` arrays of 0 and 1. The loss is the mean binary
cross-entropy over the N examples::

    L = -mean( y * log(p) + (1 - y) * log(1 - p) )

A confident wrong answer (p == 0.0 exactly, in floating point, while y == 1) would
give log(0) = -inf. Clip the probabilities first, `np.clip(p, 1e-7, 1 - 1e-7)`, as
Keras does (or compute the loss from z2 with a stable log-sigmoid; both are accepted).

Backpropagation, one step at a time
-----------------------------------
Walk the forward pass backwards, multiplying local slopes (the chain rule). Write
`dX` for "the gradient of L with respect to X"; it always has the shape of X.

1. Output layer. For one example the loss changes with p at the rate
   `(p - y) / (p * (1 - p))`, and the sigmoid changes with z2 at the rate
   `p * (1 - p)`. Multiplied, the awkward factors cancel: `dz2 = (p - y) / N`,
   shape (N, 1). The `/ N` comes from the *mean* in the loss; forget it and every
   step is N times too big.
2. Second dense layer (like `dense_backward`)::

       dW2 = a1.T @ dz2          (h, N) @ (N, 1) -> (h, 1)
       db2 = dz2.sum(axis=0)     (1,)
       da1 = dz2 @ W2.T          (N, 1) @ (1, h) -> (N, h)

3. The relu passes the gradient where its input was positive and blocks it
   elsewhere: `dz1 = da1 * (z1 > 0)`, shape (N, h). The mask is taken on z1, the
   relu's input (the slope at exactly 0 is taken as 0).
4. First dense layer::

       dW1 = x.T @ dz1           (d, N) @ (N, h) -> (d, h)
       db1 = dz1.sum(axis=0)     (h,)

A quick sanity test of any backward pass: every gradient has its parameter's shape.
The grader goes further and nudges each parameter by a tiny amount, both ways, to
measure the slope numerically (central finite differences) and compare.

Initialisation
--------------
Start the weights small and random, e.g. `rng.normal(0, 0.5, size=...)` with
`rng = np.random.default_rng(seed)`, and the biases at zero. Not all zeros for the
weights: then every hidden unit computes the same thing, receives the same gradient,
and stays identical to the others forever, so h units are worth one. Random
weights break that symmetry; zero biases are fine once they are broken. He
(`std = sqrt(2 / n_in)`) and Glorot initialisations are good choices too. Very
large weights saturate the sigmoid; very tiny ones (0.01) make the first steps slow.

Training
--------
Full-batch gradient descent: compute the loss and gradients on the whole training
set, step every parameter against its gradient, repeat `epochs` times::

    params[key] = params[key] - learning_rate * grads[key]

(Mini-batches, as in the `optimizers` exercise, are fine too.) Then `predict` turns
probabilities into labels with the threshold 0.5.

Choices this exercise makes where the contract is silent
--------------------------------------------------------
- Parameters are float64 arrays in a dict with exactly the keys W1, b1, W2, b2.
- Inputs `x` may be lists or any float dtype: convert with
  `np.asarray(x, dtype=np.float64)`. Never modify the caller's arrays in place:
  `np.asarray` hands back the very same array when it is already float64, so write
  `x = x - m`, not `x -= m`. The same goes for the `params` dict you are given:
  `forward`, `loss_and_gradients` and `predict` only read it. Keep z1, a1 and the
  like in local variables, not in `params["z1"]`.
- `train` draws its starting weights from `seed` (use your `init_params`), so the
  same call gives the same result and a different seed a different one.
- `predict` labels an example 1 when its probability is >= 0.5 and returns
  integers (`.astype(int)`), shape (N,) — not (N, 1), not floats.
"""

import numpy as np


def init_params(n_in, n_hidden, seed=0):
    """Random starting parameters for a network with `n_in` inputs and `n_hidden` units.

    Returns a dict of float64 arrays: "W1" (n_in, n_hidden), "b1" (n_hidden,),
    "W2" (n_hidden, 1), "b2" (1,). Weights small and random (drawn from
    `np.random.default_rng(seed)`), biases exactly zero. The same seed gives the same
    weights; different seeds give different ones.

    Example:
        >>> params = init_params(2, 3, seed=0)
        >>> {key: value.shape for key, value in params.items()}
        {'W1': (2, 3), 'b1': (3,), 'W2': (3, 1), 'b2': (1,)}
        >>> params["b1"]
        array([0., 0., 0.])
    """
    raise NotImplementedError


def forward(params, x):
    """The network's probabilities for each example of `x`.

    x: (N, d). Returns p of shape (N, 1), every value in [0, 1]; `params` and `x`
    are left as they were. Compute the
    sigmoid so that large |z2| gives no overflow warning (e.g.
    `0.5 * (1 + np.tanh(0.5 * z))`, which equals 1 / (1 + exp(-z))).

    Example (one input, one hidden unit):
        >>> params = {"W1": np.array([[2.0]]), "b1": np.array([-1.0]),
        ...           "W2": np.array([[3.0]]), "b2": np.array([0.5])}
        >>> forward(params, np.array([[0.0], [1.0]]))
        array([[0.62245933],
               [0.97068777]])

    (x = 0: z1 = -1, relu gives 0, z2 = 0.5, sigmoid(0.5) = 0.622;
     x = 1: z1 = 1, a1 = 1, z2 = 3.5, sigmoid(3.5) = 0.971.)
    """
    raise NotImplementedError


def loss_and_gradients(params, x, y):
    """Mean binary cross-entropy and its gradient with respect to every parameter.

    x: (N, d); y: (N, 1) of 0/1. Returns `(loss, grads)`: `loss` a float, `grads` a
    dict with the same keys and shapes as `params` ("W1" (d, h), "b1" (h,),
    "W2" (h, 1), "b2" (1,)). Clip probabilities to [1e-7, 1 - 1e-7] inside the
    logarithms (or use a stable log-sigmoid). Do not modify `params`, `x` or `y`.

    Example (the network of `forward`'s example, labels 0 and 1):
        >>> loss, grads = loss_and_gradients(params, np.array([[0.0], [1.0]]),
        ...                                  np.array([[0.0], [1.0]]))
        >>> round(loss, 4)
        0.5019
        >>> grads["W2"]          # a1.T @ dz2 = [[0, 1]] @ [[0.311], [-0.0147]]
        array([[-0.01465612]])

    (dz2 = (p - y) / N = ([0.622, 0.971] - [0, 1]) / 2 = [0.311, -0.0147].)
    """
    raise NotImplementedError


def train(x, y, n_hidden=16, epochs=200, learning_rate=0.5, seed=0):
    """Train a fresh network on (x, y) by gradient descent and return its params.

    x: (N, d); y: (N, 1) of 0/1. Start from `init_params(d, n_hidden, seed)`, then
    repeat `epochs` times: gradients on the whole training set, one step of size
    `learning_rate` against them. Returns the trained params dict (same keys and
    shapes as `init_params`). With `learning_rate=0` nothing may change; more epochs
    must lower the training loss. Leave `x` and `y` unmodified, and do not rescale
    the features inside `train`: the params it returns are used by `predict` on raw
    inputs like those it was given.

    Example (two rings of points, inner ring label 0, outer ring label 1):
        >>> params = train(x_train, y_train)          # defaults: h=16, 200 epochs
        >>> (predict(params, x_test) == y_test[:, 0]).mean()    # about 0.99
        0.995

    A straight-line classifier stays near 0.5 on such data; the hidden check asks
    for 0.9 on held-out points.
    """
    raise NotImplementedError


def predict(params, x):
    """Class labels for `x`: 1 where the probability is >= 0.5, else 0.

    x: (N, d). Returns an integer array of shape (N,).

    Example (the network of `forward`'s example):
        >>> predict(params, np.array([[0.0], [1.0], [-3.0]]))
        array([1, 1, 1])
        >>> predict({**params, "b2": np.array([-1.0])}, np.array([[0.0], [1.0]]))
        array([0, 1])
    """
    raise NotImplementedError
