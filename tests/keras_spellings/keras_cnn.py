"""A correct keras_cnn answer in other common spellings: tensorflow.keras imports, input_shape=
on the first Conv2D, "same" padding, a separate Softmax layer, a loss object, metrics=["acc"]."""

import tensorflow as tf


def build_cnn(input_shape, num_classes):
    model = tf.keras.Sequential(
        [
            tf.keras.layers.Conv2D(
                12, 3, padding="same", activation="relu", input_shape=input_shape
            ),
            tf.keras.layers.MaxPooling2D(pool_size=2),
            tf.keras.layers.Flatten(),
            tf.keras.layers.Dropout(0.1),
            tf.keras.layers.Dense(num_classes),
            tf.keras.layers.Softmax(),
        ]
    )
    model.compile(
        optimizer="adam",
        loss=tf.keras.losses.SparseCategoricalCrossentropy(),
        metrics=["acc"],
    )
    return model


def train_cnn(model, x_train, y_train, x_val, y_val, epochs=5, batch_size=32):
    return model.fit(
        x=x_train,
        y=y_train,
        validation_data=(x_val, y_val),
        epochs=epochs,
        batch_size=batch_size,
        verbose=0,
    )
