"""A correct keras_cnn answer in still other spellings: tf.nn.softmax as the activation,
BatchNormalization and a ReLU layer after a linear Conv2D, MaxPool2D, a LeakyReLU layer in the
head, the loss as a function and a metric object."""

import keras
import tensorflow as tf
from keras import layers


def build_cnn(input_shape, num_classes):
    model = keras.Sequential(
        [
            keras.Input(shape=input_shape),
            layers.Conv2D(16, 3),
            layers.BatchNormalization(),
            layers.ReLU(),
            layers.MaxPool2D(pool_size=2, strides=2),
            layers.Flatten(),
            layers.Dense(32),
            layers.LeakyReLU(negative_slope=0.1),
            layers.Dense(num_classes, activation=tf.nn.softmax),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=0.002),
        loss=keras.losses.sparse_categorical_crossentropy,
        metrics=[keras.metrics.SparseCategoricalAccuracy()],
    )
    return model


def train_cnn(model, x_train, y_train, x_val, y_val, epochs=5, batch_size=32):
    return model.fit(
        x_train,
        y_train,
        batch_size=batch_size,
        epochs=epochs,
        validation_data=(x_val, y_val),
        verbose=0,
    )
