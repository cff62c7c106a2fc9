# This file must stand alone: it is graded by itself, so an import of another exercise's
# file (`from activations import sigmoid`) fails when graded. Copy what you need from an
# earlier exercise into this file.
"""Exercise 1 — tensors: rank, shape, dtype, element-wise operations, broadcasting.

Everything a neural network reads, stores and produces is an array of numbers, and
deep-learning libraries call such arrays *tensors*. In this course a tensor is simply a
NumPy array, and three facts tell you almost everything about one:

* its **rank**: how many axes (indices) you need to pick out a single number;
* its **shape**: how long each of those axes is, as a tuple;
* its **dtype**: what kind of number every element is (float32, float64, int64, ...).

The ranks you will meet all the time:

    rank 0   a single number              np.array(3.5)            shape ()
    rank 1   a list of numbers            np.array([1., 2., 3.])   shape (3,)
    rank 2   a table: rows x columns      np.zeros((4, 3))         shape (4, 3)
    rank 3   a stack of tables            np.zeros((2, 4, 3))      shape (2, 4, 3)

A batch of 60 grey 28x28 images is a rank-3 tensor of shape (60, 28, 28); add a
colour axis and it becomes rank 4, (60, 28, 28, 3). By convention the first axis
counts the examples of a batch.

Element-wise operations
-----------------------
`a + b` on two tensors of the *same* shape adds the numbers that sit at the same index:
`out[i, j] = a[i, j] + b[i, j]`. Nothing mixes across positions, so the result has that
same shape again.

Broadcasting
------------
NumPy (and TensorFlow) also let you combine tensors whose shapes differ, as long as the
shapes *fit*. To check whether they fit, write the two shapes one above the other,
**lined up on the right** (the last axes face each other), and compare column by column:

    (8, 1, 6)          (5, 4)          (3, 4)
       (7, 1)             (4,)            (3,)
    ---------          ------          ------
    (8, 7, 6)          (5, 4)          error: 4 and 3 differ and neither is 1

* a missing axis on the left counts as length 1;
* two equal lengths stay as they are;
* a length of 1 is *stretched* (the value repeated) to the other length — also to 0;
* any other pair of lengths is incompatible: an error.

That is how a bias vector of shape (units,) gets added to every row of a (batch, units)
matrix without a loop. Broadcasting is convenient, but it can also hide a bug: adding a
(3,) vector to a (3, 1) column silently gives a (3, 3) table.

Matrix product and flattening
-----------------------------
`a @ b` is not element-wise: for 2-D tensors `(n, k) @ (k, m) -> (n, m)`, each output
number is a dot product of a row of `a` with a column of `b`, so the inner lengths
(both `k`) must agree. A dense layer is exactly this product plus a bias.

Before a dense layer can read images it has to *flatten* them: every example keeps its
place on the first axis and the rest of its numbers are laid out in one long row, in C
(row-major) order — the last index changes fastest. Keras' `Flatten` layer does this:
(N, 28, 28) -> (N, 784).

Conventions for this file
-------------------------
Inputs may be Python numbers, (nested) lists or NumPy arrays of any dtype; turn them into
arrays with `np.asarray(x)` first. Never change an input array in place. Where a function
must refuse its input, raise `ValueError` with a message that names the shapes.
The dtype of an array you return is not graded (values are compared as float64 with a
small tolerance); only `describe` reports dtypes.

Run `nnlab grade tensors` to check your work, `nnlab hint tensors` when stuck.
"""

import numpy as np


def rank(x):
    """The number of axes of `x`, as a Python int.

    x: a number, a (nested) list or an array of any shape.
    A scalar has rank 0, a vector rank 1, a matrix rank 2, and so on.

    Example:
        >>> rank(np.zeros((2, 4, 3)))
        3
        >>> rank(7.0), rank([[1.0, 2.0]])
        (0, 2)
    """
    raise NotImplementedError


def describe(x):
    """Rank, shape and dtype of `x`, as a dict of plain Python values.

    Returns {"rank": int, "shape": tuple of int, "dtype": str}, where "dtype" is
    NumPy's name for the element type (e.g. "float32"), not a dtype object.
    A Python number or list is described as the array `np.asarray(x)` would make of it,
    so a Python float is {"rank": 0, "shape": (), "dtype": "float64"}.

    Example:
        >>> describe(np.ones((2, 3), dtype=np.float32))
        {'rank': 2, 'shape': (2, 3), 'dtype': 'float32'}
    """
    raise NotImplementedError


def broadcast_shape(shape_a, shape_b):
    """The shape NumPy's broadcasting gives two arrays of shapes `shape_a` and `shape_b`.

    Work on the shapes alone (tuples of int, possibly empty) and apply the rules
    yourself rather than calling np.broadcast_shapes: line the shapes up on the right,
    treat missing axes as 1, keep equal lengths, stretch a 1 to the other length (even
    to 0). Returns a tuple of int.
    Raises ValueError when some pair of lengths differs and neither is 1.

    Example:
        >>> broadcast_shape((8, 1, 6), (7, 1))
        (8, 7, 6)
        >>> broadcast_shape((), (3,))
        (3,)
        >>> broadcast_shape((3, 4), (3,))
        Traceback (most recent call last):
        ValueError: ...
    """
    raise NotImplementedError


def elementwise_add(a, b):
    """Element-wise sum of two tensors of exactly the same shape.

    a, b: numbers, lists or arrays of the same shape S (any rank, 0-D included)
          ->  an array of shape S (shape () for two numbers).
    No broadcasting here: when the shapes differ (even if they could broadcast, like
    (3,) and (1, 3), or a number and a vector) raise ValueError.
    The result's dtype is whatever NumPy's `+` gives.

    Example:
        >>> elementwise_add([[1.0, 2.0], [3.0, 4.0]], [[10.0, 20.0], [30.0, 40.0]])
        array([[11., 22.],
               [33., 44.]])
    """
    raise NotImplementedError


def broadcast_add(a, b):
    """Sum of two tensors with broadcasting.

    a: shape A, b: shape B (numbers, lists or arrays)  ->  an array of shape
    broadcast_shape(A, B); two numbers give shape ().
    The result's dtype is whatever NumPy's `+` gives.
    Raises ValueError when A and B are incompatible.

    Example:
        >>> broadcast_add([[0.0], [10.0], [20.0]], [1.0, 2.0])   # (3, 1) + (2,) -> (3, 2)
        array([[ 1.,  2.],
               [11., 12.],
               [21., 22.]])
    """
    raise NotImplementedError


def matmul(a, b):
    """Matrix product of two 2-D tensors: (n, k) @ (k, m) -> (n, m).

    a, b: nested lists or arrays of any float dtype. out[i, j] = sum over t of
    a[i, t] * b[t, j].
    Raises ValueError when `a` or `b` is not 2-D (a vector or a 3-D stack is refused,
    even though `@` would accept it), or when the inner lengths differ.

    Example:
        >>> matmul([[1.0, 2.0, 3.0]], [[1.0], [0.0], [-1.0]])   # (1, 3) @ (3, 1) -> (1, 1)
        array([[-2.]])
    """
    raise NotImplementedError


def batch_flatten(x):
    """Flatten every example of a batch into one row, like keras.layers.Flatten.

    x: a nested list or an array of shape (N, d1, d2, ...)  ->  an array of shape
    (N, d1*d2*...), elements in C order
    (the last axis changes fastest). A 2-D input (N, d) comes back as (N, d).
    Raises ValueError for a 0-D or 1-D input: there is no feature axis to keep.

    Example:
        >>> x = np.arange(12.0).reshape(2, 3, 2)
        >>> batch_flatten(x)
        array([[ 0.,  1.,  2.,  3.,  4.,  5.],
               [ 6.,  7.,  8.,  9., 10., 11.]])
    """
    raise NotImplementedError
