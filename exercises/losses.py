# This file must stand alone: it is graded by itself, so an import of another exercise's
# file (`from activations import sigmoid`) fails when graded. Copy what you need from an
# earlier exercise into this file.
"""Losses: one number that says how wrong the predictions are.

What a loss is for
------------------
A network turns inputs into predictions y_pred; the data set gives the right answers
y_true (the labels). A loss function compares the two and boils the comparison down to
a single number: 0 when every prediction is perfect, larger the worse they are.
Training is nothing more than adjusting the weights to make that number smaller, so
the choice of loss decides what "better" means. Three losses cover most of this course:

Mean squared error, for regression (predicting a number)
---------------------------------------------------------
Square each difference y_true - y_pred and average all the squares:

    MSE = mean((y_true - y_pred) ** 2)        averaged over ALL elements

Squaring makes every error positive and punishes one big miss more than several small
ones. Note it is the mean of the squares, with no square root at the end (that would
be the RMSE, a different number).

Binary cross-entropy, for yes/no questions (one sigmoid output)
---------------------------------------------------------------
Here y_true is 0 or 1 and y_pred is the predicted probability that the answer is 1 (a
sigmoid output). For one example the loss is

    -( y * log(p) + (1 - y) * log(1 - p) )

Only one of the two terms is alive: for y = 1 it is -log(p), which is 0 when p = 1 and
grows without bound as p drops towards 0; for y = 0 it is -log(1 - p). A confident wrong
answer costs a lot, a hesitant one little. Average over ALL elements.

Categorical cross-entropy, for K classes (softmax over K outputs)
-----------------------------------------------------------------
Each row of y_pred, shape (N, K), is a probability distribution over K classes (a
softmax output); each row of y_true is one-hot: 1 in the right class, 0 elsewhere. Per
example the loss is -sum_k y_true[k] * log(y_pred[k]), which with a one-hot label is
just -log(probability given to the right class). Sum over the K classes first, then
average over the N examples: divide by N, not by N * K.

Why clip the probabilities
--------------------------
log(0) is minus infinity, and a model can output exactly 0.0 or 1.0 (float rounding
makes a sigmoid of 40 equal 1.0 exactly). One such value would make the whole loss
infinite, or NaN via 0 * log(0), with a "divide by zero" warning. So before taking
logarithms, push the probabilities into [epsilon, 1 - epsilon] with
`np.clip(y_pred, epsilon, 1 - epsilon)`. Keras does the same with epsilon = 1e-7, so a
prediction of exactly 0 for a true label costs -log(1e-7), about 16.1, not infinity.

Conventions for every function
------------------------------
- y_true and y_pred may be Python numbers, (nested) lists or NumPy arrays of any float
  dtype. Convert them first: `y_pred = np.asarray(y_pred, dtype=float)`. The
  `dtype=float` matters for lists of ints such as [[0, 1, 0]]: an integer array has no
  room for 1e-7, so clipping it leaves exact 0s and 1s behind.
- Their shapes must be EQUAL, otherwise raise ValueError with a message. No
  broadcasting: a column (N, 1) against a vector (N,) would silently broadcast to an
  (N, N) table of differences, a classic bug that a shape check catches. Compare the
  whole shapes (`y_true.shape != y_pred.shape`): equal sizes or equal numbers of axes
  are not enough, since (4, 3) against (4, 1) broadcasts too.
- Return a single Python float (e.g. `float(np.mean(...))`). A NumPy scalar or a 0-d
  array is accepted too, but not one loss per example.
- Do not change the inputs in place (np.clip(..., out=y_pred) would).

Check yourself with `nnlab grade losses`.
"""

import numpy as np


def mean_squared_error(y_true, y_pred):
    """Mean of (y_true - y_pred)**2 over all elements, as a float.

    y_true, y_pred: same shape, any shape (scalars and lists too).
    Raises ValueError when the shapes differ.

    Example:
        >>> mean_squared_error([1.0, 2.0, 3.0], [1.0, 2.0, 5.0])
        1.3333333333333333
    """
    raise NotImplementedError


def binary_crossentropy(y_true, y_pred, epsilon=1e-7):
    """Binary cross-entropy averaged over all elements, as a float.

    y_true: labels 0 or 1; y_pred: predicted probabilities of the label 1; same shape,
    any shape (e.g. (N,) or (N, 1)). Clip y_pred to [epsilon, 1 - epsilon] before the
    logarithms, so predictions of exactly 0 or 1 give a large but finite loss.
    Raises ValueError when the shapes differ.

    Example:
        >>> binary_crossentropy([1.0, 0.0], [0.9, 0.2])   # (-log 0.9 - log 0.8) / 2
        0.164252033486018
    """
    raise NotImplementedError


def categorical_crossentropy(y_true, y_pred, epsilon=1e-7):
    """Categorical cross-entropy averaged over the N examples, as a float.

    y_true: one-hot labels, shape (N, K); y_pred: probabilities, shape (N, K), each row
    summing to 1 (a softmax output). Clip y_pred to [epsilon, 1 - epsilon], take
    -sum(y_true * log(y_pred)) over the K classes of each row -> (N,), then the mean
    over N. Raises ValueError when the shapes differ.

    Example:
        >>> y_true = [[1, 0, 0], [0, 0, 1]]
        >>> y_pred = [[0.7, 0.2, 0.1], [0.1, 0.4, 0.5]]
        >>> categorical_crossentropy(y_true, y_pred)    # (-log 0.7 - log 0.5) / 2
        0.5249110622493389
    """
    raise NotImplementedError
