# This file must stand alone: it is graded by itself, so an import of another exercise's
# file (`from activations import sigmoid`) fails when graded. Copy what you need from an
# earlier exercise into this file.
"""A small convolutional network in Keras: a convolution-and-pooling base, a dense head.

A Dense layer looks at every input number with its own weight, so a picture of a bar in
the top-left corner and the same bar one pixel lower look like two unrelated inputs to it.
A convolution slides the same small kernel over the whole image instead (you wrote one in
the `convolution` exercise): a kernel that responds to a vertical edge responds to it
anywhere. That is why image models are built in two parts.

The base: feature extraction
    `layers.Conv2D(filters, (3, 3), activation="relu")` learns `filters` kernels of 3x3
    pixels and produces one feature map per kernel. `layers.MaxPooling2D((2, 2))` then keeps
    the strongest response of every 2x2 window (the `pooling` exercise): the maps shrink by
    half in height and width, the next convolution sees a wider part of the image, and the
    answer no longer depends on the exact pixel where a pattern sits. Conv2D + pooling pairs
    can be stacked; each pair usually has more filters and smaller maps than the one before.

        (N, 12, 12, 1) --Conv2D(16, 3x3)--> (N, 10, 10, 16) --MaxPooling2D(2x2)--> (N, 5, 5, 16)

    Without padding a 3x3 kernel loses one pixel on every border (12 -> 10);
    `padding="same"` keeps the size.

The head: classification
    `layers.Flatten()` lines up every number of the last feature maps in one row per image,
    (N, 5, 5, 16) -> (N, 400), and ordinary Dense layers take it from there. The last one has
    one unit per class and a softmax, so each row of the output is a probability
    distribution over the classes: shape (N, num_classes).

Labels and the loss
    The labels here are integers 0, 1, ..., num_classes - 1, one per image. The loss that
    takes integer labels is `"sparse_categorical_crossentropy"`. Plain
    `"categorical_crossentropy"` expects one-hot rows (shape (N, num_classes)) and does not
    work with integer labels. If the last layer has no softmax (it outputs raw scores,
    "logits"), the loss must be told with
    `keras.losses.SparseCategoricalCrossentropy(from_logits=True)`; with the softmax, leave
    from_logits at its default False.

Why count parameters
    `model.count_params()` (or `model.summary()`) shows how many weights training must fit.
    The expensive place is the first Dense layer after Flatten: 400 inputs x 512 units is
    already 205,000 weights, more than the rest of the network many times over, and slower
    to train and quicker to memorise a small data set. Pooling before Flatten and a modest
    Dense layer keep the network small. The grader allows at most 150,000 parameters for
    12x12 grayscale images and 4 classes.

The grader builds your network, looks at its layers and compile settings, trains it on
hidden 12x12 grayscale pictures of 4 kinds of shape (horizontal bars, vertical bars,
diagonal bars and square blobs, anywhere in the image, with noise) and measures its accuracy
on pictures whose labels never reach your code.
"""

import keras
import numpy as np
from keras import layers


def build_cnn(input_shape, num_classes):
    """A compiled `keras.Sequential` CNN for images of `input_shape` = (H, W, C).

    Base: at least one `Conv2D` followed by a `MaxPooling2D`. Head: `Flatten`, then `Dense`
    layers ending in `Dense(num_classes, activation="softmax")`. Compile with an optimizer
    of your choice (`keras.optimizers.RMSprop(learning_rate=0.001)` works well), loss
    "sparse_categorical_crossentropy" (the labels are integers) and metrics=["accuracy"].
    Take the image shape and the number of classes from the arguments, and stay under
    150,000 parameters for (12, 12, 1) images and 4 classes.

    Example:
        >>> model = build_cnn((12, 12, 1), 4)
        >>> model.input_shape, model.output_shape
        ((None, 12, 12, 1), (None, 4))
        >>> model.predict(np.zeros((2, 12, 12, 1)), verbose=0).sum(axis=1)   # softmax rows
        array([1., 1.], dtype=float32)
    """
    raise NotImplementedError


def train_cnn(model, x_train, y_train, x_val, y_val, epochs=5, batch_size=32):
    """Train `model` on the images and return the History that `fit` gives back.

    x_train (N, H, W, C) images and y_train (N,) integer labels; x_val and y_val the same
    for the validation set, passed to `fit` as `validation_data=(x_val, y_val)`. Use the
    `epochs` and `batch_size` you are given.

    Example:
        >>> history = train_cnn(model, x_train, y_train, x_val, y_val, epochs=3)
        >>> sorted(history.history), len(history.history["val_loss"])
        (['accuracy', 'loss', 'val_accuracy', 'val_loss'], 3)
    """
    raise NotImplementedError
