"""Broken answer: MaxPooling2D((1, 1)) after the Conv2D: a pooling that keeps every pixel."""

from __future__ import annotations

import keras
from keras import layers

BROKEN = ("build_cnn",)


def build_cnn(input_shape, num_classes):
    model = keras.Sequential(
        [
            keras.Input(shape=input_shape),
            layers.Conv2D(16, (3, 3), activation="relu"),  # (N, 12, 12, 1) -> (N, 10, 10, 16)
            layers.MaxPooling2D((1, 1)),  # -> (N, 10, 10, 16): nothing pooled
            layers.Conv2D(8, (3, 3), activation="relu"),  # -> (N, 8, 8, 8)
            layers.MaxPooling2D((1, 1)),  # -> (N, 8, 8, 8)
            layers.Flatten(),  # -> (N, 32)
            layers.Dense(32, activation="relu"),
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
        verbose=0,
    )
