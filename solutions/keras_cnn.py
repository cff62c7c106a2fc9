"""Model answer for `keras_cnn`: a small convolutional network for small grayscale images."""

from __future__ import annotations

import keras
from keras import layers


def build_cnn(input_shape, num_classes):
    model = keras.Sequential(
        [
            keras.Input(shape=input_shape),
            # two Conv2D + MaxPooling2D pairs and a hidden Dense layer: the learner's design (the
            # contract asks for at least one pair and a dense head, and judges the budget and
            # the trained accuracy): no mutant changes them
            layers.Conv2D(16, (3, 3), activation="relu"),  # pragma: no mutate  (N, 10, 10, 16)
            layers.MaxPooling2D((2, 2)),  # pragma: no mutate  -> (N, 5, 5, 16)
            layers.Conv2D(32, (3, 3), activation="relu"),  # pragma: no mutate  -> (N, 3, 3, 32)
            layers.MaxPooling2D((2, 2)),  # pragma: no mutate  -> (N, 1, 1, 32)
            layers.Flatten(),  # -> (N, 32)
            layers.Dense(32, activation="relu"),  # pragma: no mutate
            layers.Dense(num_classes, activation="softmax"),  # -> (N, num_classes)
        ]
    )
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate=0.001),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def train_cnn(model, x_train, y_train, x_val, y_val, epochs=5, batch_size=32):
    return model.fit(
        x_train,
        y_train,
        epochs=epochs,
        batch_size=batch_size,
        validation_data=(x_val, y_val),
        verbose=0,  # pragma: no mutate (what fit prints is not graded)
    )
