# A helper that builds and trains a model; the loss is an argument, given at two call sites.
import numpy as np
import tensorflow as tf


def build_and_train(loss_name, x, y, epochs=5):
    model = tf.keras.models.Sequential([
        tf.keras.layers.Flatten(input_shape=(28, 28)),
        tf.keras.layers.Dense(128, activation="relu"),
        tf.keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss=loss_name, metrics=["accuracy"])
    model.fit(x, y, epochs=epochs)
    return model


(x_train, y_train), (x_test, y_test) = tf.keras.datasets.mnist.load_data()
x_train = x_train / 255.0

good = build_and_train("sparse_categorical_crossentropy", x_train, y_train)
bad = build_and_train("categorical_crossentropy", x_train, y_train)  # expect: HC202
