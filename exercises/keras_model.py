# This file must stand alone: it is graded by itself, so an import of another exercise's
# file (`from activations import sigmoid`) fails when graded. Copy what you need from an
# earlier exercise into this file.
"""The Keras workflow: build, compile, fit, look at the history, predict, evaluate.

In the earlier exercises you wrote layers, losses and RMSprop by hand. Keras has all of
them ready-made; what is left is to put them together in the right order. Almost every
Keras program follows the same five steps:

1. Choose the architecture. A `keras.Sequential` model is a plain stack of layers, each
   feeding the next. Start the stack with `keras.Input(shape=(input_dim,))` so the model
   knows how many numbers describe one example, then add `layers.Dense(units,
   activation=...)` layers. (Older code writes `input_shape=(input_dim,)` on the first
   layer instead; it still works, with a warning.)

       model = keras.Sequential([
           keras.Input(shape=(input_dim,)),          # one example = input_dim numbers
           layers.Dense(16, activation="relu"),      # hidden layer: (N, input_dim) -> (N, 16)
           layers.Dense(1, activation="sigmoid"),    # output: (N, 16) -> (N, 1), a probability
       ])

   For a yes/no question (binary classification) the last layer has ONE unit with a
   sigmoid, so its output reads as P(label = 1). A softmax over one unit is always 1.0,
   and no activation at all gives a raw score (a "logit"), not a probability.

2. Compile: pick the optimizer, the loss it minimises and the metrics to report.

       model.compile(
           optimizer=keras.optimizers.RMSprop(learning_rate=0.001),
           loss="binary_crossentropy",
           metrics=["accuracy"],
       )

   Binary cross-entropy is the loss for 0/1 labels and a sigmoid output (you wrote it in
   the `losses` exercise). Many older tutorials write `RMSprop(lr=0.001)`: that spelling
   was removed, and Keras 3 stops with "Argument(s) not recognized: {'lr': 0.001}". The
   argument is `learning_rate=`. A model must be compiled before it can be trained.

3. Fit: `history = model.fit(x_train, y_train, epochs=..., batch_size=...,
   validation_data=(x_val, y_val))`. One epoch is one pass over the training set, in
   mini-batches of `batch_size` examples (one RMSprop step per batch). The validation set
   is never trained on: Keras only measures the loss and metrics on it after each epoch,
   which tells you whether the model still improves on data it has not seen.

4. Look at the history. `fit` returns a `keras.callbacks.History` object whose
   `.history` attribute is a dict with one list per quantity and one number per epoch:

       history.history == {"loss": [...], "accuracy": [...],
                           "val_loss": [...], "val_accuracy": [...]}

   Plot `loss` and `val_loss` against the epoch number. While both go down the model is
   learning; when `val_loss` turns up while `loss` keeps falling, the model has started to
   memorise the training set (overfitting) and more epochs will not help.

5. Use it. `model.predict(x)` returns the sigmoid outputs, shape (N, 1): threshold them at
   0.5 to get classes. `model.evaluate(x_test, y_test)` returns the loss and the metrics
   on a test set in one call.

The grader calls your functions with its own data: a hidden tabular problem with a curved
decision boundary (a single Dense layer cannot solve it; one small hidden layer can). It
inspects your model's layers and compile settings, trains it, and measures its accuracy on
test inputs whose labels never reach your code.
"""

import keras
import matplotlib.pyplot as plt
import numpy as np
from keras import layers


def build_model(input_dim):
    """A compiled `keras.Sequential` binary classifier for inputs of `input_dim` numbers.

    Architecture: `keras.Input(shape=(input_dim,))`, one or more hidden `Dense` layers with a
    non-linear activation (relu is a good default), then `Dense(1, activation="sigmoid")`.
    Compile with `keras.optimizers.RMSprop(learning_rate=...)` (0.001 is the usual start),
    loss "binary_crossentropy" and metrics=["accuracy"].

    Take the input size from the argument, never a fixed number: the grader builds models
    for several sizes.

    Example:
        >>> model = build_model(4)
        >>> model.input_shape, model.output_shape
        ((None, 4), (None, 1))
        >>> model.predict(np.zeros((3, 4)), verbose=0).shape   # one probability per row
        (3, 1)
    """
    raise NotImplementedError


def train_model(model, x_train, y_train, x_val, y_val, epochs=20, batch_size=32):
    """Train `model` on (x_train, y_train) and return the History that `fit` gives back.

    x_train (N, D) and y_train (N,) of 0/1 labels; x_val and y_val the same for the
    validation set, which must be passed to `fit` as `validation_data=(x_val, y_val)` (not
    split off the training set). Use the `epochs` and `batch_size` you are given.

    Example:
        >>> history = train_model(model, x_train, y_train, x_val, y_val, epochs=5)
        >>> sorted(history.history)
        ['accuracy', 'loss', 'val_accuracy', 'val_loss']
        >>> len(history.history["loss"])                       # one value per epoch
        5
    """
    raise NotImplementedError


def plot_history(history):
    """A matplotlib Figure of the training and validation loss, one point per epoch.

    Draw `history.history["loss"]` and `history.history["val_loss"]` as two lines against
    the epoch number (1, 2, ..., n), label both axes (`ax.set_xlabel`, `ax.set_ylabel`),
    add a legend, and return the Figure (not the Axes; `fig, ax = plt.subplots()` gives you
    both). Do not call `plt.show()` inside: the caller decides what to do with the figure.

    Example:
        >>> fig = plot_history(history)
        >>> ax = fig.axes[0]
        >>> ax.get_xlabel(), len(ax.get_lines())
        ('epoch', 2)
    """
    raise NotImplementedError
