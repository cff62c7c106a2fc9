"""A correct keras_model answer in other common spellings: tensorflow.keras imports,
input_shape= on the first layer, Activation layers after linear Dense layers, a loss object, a
metric object, pyplot's current figure."""

import matplotlib.pyplot as plt
from tensorflow import keras
from tensorflow.keras import layers


def build_model(input_dim):
    model = keras.models.Sequential()
    model.add(layers.Dense(16, input_shape=(input_dim,)))
    model.add(layers.Activation("tanh"))
    model.add(layers.Dense(1))
    model.add(layers.Activation("sigmoid"))
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate=0.002),
        loss=keras.losses.BinaryCrossentropy(),
        metrics=[keras.metrics.BinaryAccuracy()],
    )
    return model


def train_model(model, x_train, y_train, x_val, y_val, epochs=20, batch_size=32):
    history = model.fit(
        x_train, y_train, batch_size, epochs, verbose=0, validation_data=(x_val, y_val)
    )
    return history


def plot_history(history):
    plt.figure()
    plt.plot(history.epoch, history.history["loss"], label="loss")
    plt.plot(history.epoch, history.history["val_loss"], label="val_loss")
    plt.xlabel("Epochs")
    plt.ylabel("Loss")
    plt.legend()
    return plt.gcf()
