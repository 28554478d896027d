# Hyper-parameters kept in a dict at the top of the script.
import numpy as np
from tensorflow import keras

CONFIG = {
    "hidden": 64,
    "classes": 5,
    "activation": "softmax",
    "loss": "binary_crossentropy",  # expect: HC101
    "epochs": 10,
}

inputs = keras.Input(shape=(40,))
h = keras.layers.Dense(CONFIG["hidden"], activation="relu")(inputs)
outputs = keras.layers.Dense(CONFIG["classes"], activation=CONFIG["activation"])(h)
model = keras.Model(inputs, outputs)
model.compile(optimizer="adam", loss=CONFIG["loss"], metrics=["categorical_accuracy"])
y = keras.utils.to_categorical(np.random.randint(0, CONFIG["classes"], 500), CONFIG["classes"])
model.fit(np.random.rand(500, 40), y, epochs=CONFIG["epochs"])
