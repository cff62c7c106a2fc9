# This file must stand alone: it is graded by itself, so an import of another exercise's
# file (`from activations import sigmoid`) fails when graded. Copy what you need from an
# earlier exercise into this file.
"""Mini-batch gradient descent and RMSprop, by hand.

Gradient descent in one line
----------------------------
Training nudges every parameter against its gradient, the direction in which the loss
grows fastest:

    new_param = param - learning_rate * grad

The learning rate sets the size of the nudge: too small and training crawls, too large
and the loss jumps around or explodes.

Mini-batches
------------
The exact gradient averages over the whole training set, which is slow for large sets.
Mini-batch gradient descent cuts the set into small batches and takes one step per batch:
a noisier gradient, but many more steps for the same amount of arithmetic. One pass over
all batches is an epoch. Before each epoch the examples are usually shuffled, so that the
batches differ from epoch to epoch; an example's inputs and its label must move
together, or the network learns from the wrong labels.

    x (N, ...)  y (N, ...)  --shuffle rows of both the same way-->  cut into batches
    batch sizes: batch_size, batch_size, ..., and the rest (N % batch_size) at the end

RMSprop
-------
One learning rate for every parameter is a compromise: some parameters see large
gradients, others tiny ones. RMSprop keeps, for every parameter, a running average of
its squared gradient (the "velocity" v here, as Keras calls it) and divides each step by
its square root, so steps are of similar size whatever the gradient's scale:

    v         = rho * v + (1 - rho) * grad**2        decay the old average, mix in the new
    new_param = param - learning_rate * grad / sqrt(v + epsilon)

This is exactly `keras.optimizers.RMSprop` (momentum=0, centered=False), whose defaults
are learning_rate=0.001, rho=0.9, epsilon=1e-7. Notice where epsilon goes: INSIDE the
square root, as Keras puts it. (Some texts write `sqrt(v) + epsilon`; with small
gradients the two give clearly different steps, and here only Keras' form is right.)
v starts at zeros of the parameter's shape; each call returns the new v for the next.

Rules for this file: none of the functions may change its inputs in place (no
`param -= ...`, no `velocity *= ...`, no `np.random.shuffle(x)`): return new arrays.
Inputs may be NumPy arrays of any float dtype, Python lists or (for the updates) plain
numbers, ints included; `np.asarray` turns them all into arrays. For the updates use
`np.asarray(param, dtype=float)`: a copy of an int list stays an int array, and
assigning 2.5 into it stores 2.
"""

import numpy as np


def minibatches(x, y, batch_size, seed=None):
    """Cut (x, y) into mini-batches, shuffled when a seed is given.

    Args:
        x: inputs, shape (N, ...): one example per row (first axis).
        y: targets, shape (N, ...): row i is the target of row i of x.
        batch_size: number of examples per batch (a positive int).
        seed: None keeps the examples in their original order; an int shuffles them
            reproducibly: the same seed gives the same order every time, different
            seeds give different orders. Use `np.random.default_rng(seed).permutation(N)`
            (our choice; any reproducible shuffle that depends on the seed is accepted).
            Shuffle all N examples first, then cut: shuffling inside each batch, or only
            the order of the batches, keeps the same examples together in every epoch.

    Returns:
        A list of tuples `(x_batch, y_batch)` of arrays. Every example appears in exactly
        one batch, with its own target; every batch holds `batch_size` examples except
        the last, which holds the remaining `N % batch_size` when N is not a multiple
        (it is kept, not dropped). When batch_size >= N there is one batch holding all.

    Example:
        >>> x = np.array([[0.0, 0.5], [1.0, 1.5], [2.0, 2.5], [3.0, 3.5], [4.0, 4.5]])
        >>> y = np.array([0.0, 1.0, 2.0, 3.0, 4.0])        # x (5, 2), y (5,)
        >>> for xb, yb in minibatches(x, y, batch_size=2):  # seed=None: original order
        ...     print(xb.tolist(), yb.tolist())
        [[0.0, 0.5], [1.0, 1.5]] [0.0, 1.0]
        [[2.0, 2.5], [3.0, 3.5]] [2.0, 3.0]
        [[4.0, 4.5]] [4.0]
        >>> [yb.tolist() for _, yb in minibatches(x, y, 2, seed=0)]   # one shuffled order
        [[2.0, 4.0], [3.0, 0.0], [1.0]]
    """
    raise NotImplementedError


def sgd_update(param, grad, learning_rate=0.01):
    """One step of plain gradient descent: `param - learning_rate * grad`.

    Args:
        param: current parameter values, any shape (or a plain number).
        grad: gradient of the loss with respect to param, same shape.
        learning_rate: step size.

    Returns:
        The new parameter values, an array of param's shape. `param` itself is left as
        it was (no `param -= ...`).

    Example:
        >>> sgd_update(np.array([1.0, -2.0]), np.array([10.0, -10.0]), learning_rate=0.1)
        array([ 0., -1.])
    """
    raise NotImplementedError


def rmsprop_update(param, grad, velocity, learning_rate=0.001, rho=0.9, epsilon=1e-7):
    """One RMSprop step, as `keras.optimizers.RMSprop` takes it.

    Args:
        param: current parameter values, any shape.
        grad: gradient of the loss with respect to param, same shape.
        velocity: running average of grad**2 from the previous step, same shape
            (zeros before the first step).
        learning_rate, rho, epsilon: Keras' names and defaults.

    Returns:
        A tuple `(new_param, new_velocity)` of two arrays, both of param's shape:

            new_velocity = rho * velocity + (1 - rho) * grad**2
            new_param    = param - learning_rate * grad / sqrt(new_velocity + epsilon)

        Note that the step uses the NEW velocity, and epsilon sits inside the root.
        Neither param nor velocity is changed in place.

    Example:
        >>> param, velocity = np.array([1.0, 1.0]), np.zeros(2)
        >>> grad = np.array([0.1, -2.0])
        >>> param, velocity = rmsprop_update(param, grad, velocity, learning_rate=0.01)
        >>> velocity                      # 0.1 * grad**2
        array([0.001, 0.4  ])
        >>> param.round(6)                # each first step is about learning_rate / sqrt(0.1)
        array([0.968379, 1.031623])
    """
    raise NotImplementedError
