# Two correct set-ups compared in one loop: each loss comes with the output layer it needs.
import numpy as np
from tensorflow import keras

x = np.random.rand(800, 12)
y = (x[:, 0] > 0.5).astype("int64")

setups = [
    ("sigmoid", 1, "binary_crossentropy"),
    ("softmax", 2, "sparse_categorical_crossentropy"),
]
for activation, units, loss in setups:
    model = keras.Sequential([
        keras.layers.Input((12,)),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(units, activation=activation),
    ])
    model.compile(optimizer="adam", loss=loss, metrics=["accuracy"])
    model.fit(x, y, epochs=3, verbose=0)
    print(activation, loss, model.evaluate(x, y, verbose=0))
