"""Broken answer: the functional API (keras.Model(inputs, outputs)) where the contract asks for
a keras.Sequential."""

from __future__ import annotations

import keras
import matplotlib.pyplot as plt
from keras import layers

BROKEN = ("build_model",)
MESSAGE = "this exercise asks for a keras.Sequential"


def build_model(input_dim):
    inputs = keras.Input(shape=(input_dim,))
    hidden = layers.Dense(32, activation="relu")(inputs)
    hidden = layers.Dense(16, activation="relu")(hidden)
    outputs = layers.Dense(1, activation="sigmoid")(hidden)
    model = keras.Model(inputs, outputs)
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate=0.001),
        loss="binary_crossentropy",
        metrics=["accuracy"],
    )
    return model


def train_model(model, x_train, y_train, x_val, y_val, epochs=20, batch_size=32):
    return model.fit(
        x_train,
        y_train,
        epochs=epochs,
        batch_size=batch_size,
        validation_data=(x_val, y_val),
        verbose=0,
    )


def plot_history(history):
    loss = history.history["loss"]
    val_loss = history.history["val_loss"]
    epochs = range(1, len(loss) + 1)
    fig, ax = plt.subplots()
    ax.plot(epochs, loss, "o-", label="training loss")
    ax.plot(epochs, val_loss, "s--", label="validation loss")
    ax.set_xlabel("epoch")
    ax.set_ylabel("binary cross-entropy")
    ax.set_title("Loss per epoch")
    ax.legend()
    return fig
