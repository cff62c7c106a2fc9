"""Broken answer: a linear last layer with from_logits=True: it trains, but predict gives raw
scores where the contract asks for a softmax over the classes."""

from __future__ import annotations

import keras
from keras import layers

BROKEN = ("build_cnn",)


def build_cnn(input_shape, num_classes):
    model = keras.Sequential(
        [
            keras.Input(shape=input_shape),
            layers.Conv2D(16, (3, 3), activation="relu"),  # (N, 12, 12, 1) -> (N, 10, 10, 16)
            layers.MaxPooling2D((2, 2)),  # -> (N, 5, 5, 16)
            layers.Conv2D(32, (3, 3), activation="relu"),  # -> (N, 3, 3, 32)
            layers.MaxPooling2D((2, 2)),  # -> (N, 1, 1, 32)
            layers.Flatten(),  # -> (N, 32)
            layers.Dense(32, activation="relu"),
            layers.Dense(num_classes),  # -> (N, num_classes)
        ]
    )
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate=0.001),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
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
        verbose=0,
    )
