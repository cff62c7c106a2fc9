"""Model answer for `keras_model`: the Keras workflow on a binary classification problem."""

from __future__ import annotations

import keras
import matplotlib.pyplot as plt
from keras import layers


def build_model(input_dim):
    model = keras.Sequential(
        [
            keras.Input(shape=(input_dim,)),
            # the hidden layers are the learner's design (the contract asks for Dense hidden
            # layers and judges the trained accuracy): no mutant changes them
            layers.Dense(32, activation="relu"),  # pragma: no mutate
            layers.Dense(16, activation="relu"),  # pragma: no mutate
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
        verbose=0,  # pragma: no mutate (what fit prints is not graded)
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
    ax.set_title("Loss per epoch")  # pragma: no mutate (the contract asks for axis labels only)
    ax.legend()
    return fig
