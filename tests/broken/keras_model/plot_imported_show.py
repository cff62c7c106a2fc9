"""Broken answer: plot_history calls show() (imported from pyplot) before returning the figure."""

from __future__ import annotations

import keras
import matplotlib.pyplot as plt
from keras import layers
from matplotlib.pyplot import show

BROKEN = ("plot_history",)
MESSAGE = "expected it to return the Figure without showing it"


def build_model(input_dim):
    model = keras.Sequential(
        [
            keras.Input(shape=(input_dim,)),
            layers.Dense(32, activation="relu"),
            layers.Dense(16, activation="relu"),
            layers.Dense(1, activation="sigmoid"),
        ]
    )
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
    show()
    return fig
