"""A correct keras_model answer in still other spellings: a ReLU layer, tf.nn.sigmoid, the
optimizer and metric as strings, the loss as a function, model.history returned after fit, a
figure-level legend."""

import keras
import matplotlib.pyplot as plt
import tensorflow as tf
from keras import layers


def build_model(input_dim):
    model = keras.Sequential(
        [
            layers.InputLayer(shape=(input_dim,)),
            layers.Dense(24),
            layers.ReLU(),
            layers.Dense(1, activation=tf.nn.sigmoid),
        ]
    )
    model.compile(optimizer="rmsprop", loss=keras.losses.binary_crossentropy, metrics=("acc",))
    return model


def train_model(model, x_train, y_train, x_val, y_val, epochs=20, batch_size=32):
    model.fit(
        x_train,
        y_train,
        epochs=epochs,
        batch_size=batch_size,
        validation_data=(x_val, y_val),
        verbose=0,
    )
    return model.history


def plot_history(history):
    fig = plt.figure(figsize=(6, 4))
    ax = fig.add_subplot()
    epochs = [epoch + 1 for epoch in history.epoch]
    ax.plot(epochs, history.history["loss"], label="train")
    ax.plot(epochs, history.history["val_loss"], label="validation")
    ax.set(xlabel="Epoch", ylabel="Loss")
    fig.legend()
    return fig
