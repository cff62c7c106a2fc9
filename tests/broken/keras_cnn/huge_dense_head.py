"""Broken answer: a Dense(512) head over barely pooled feature maps: far over the parameter budget."""

from __future__ import annotations

import keras
from keras import layers

BROKEN = ("build_cnn",)


def build_cnn(input_shape, num_classes):
    model = keras.Sequential(
        [
            keras.Input(shape=input_shape),
            layers.Conv2D(16, (3, 3), activation="relu"),  # (N, 12, 12, 1) -> (N, 10, 10, 16)
            layers.Conv2D(32, (3, 3), activation="relu"),  # -> (N, 8, 8, 32)
            layers.MaxPooling2D((2, 2)),  # -> (N, 4, 4, 32)
            layers.Flatten(),  # -> (N, 512)
            layers.Dense(512, activation="relu"),  # 262,656 weights
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
