# The first model is right; the name is reused and the second one is not.
import numpy as np
from tensorflow import keras

x1 = np.random.rand(200, 10)
y1 = np.random.randint(0, 2, size=(200, 1))
net = keras.Sequential([keras.layers.Dense(1, activation="sigmoid")])
net.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
net.fit(x1, y1)

x2 = np.random.rand(200, 10)
y2 = keras.utils.to_categorical(np.random.randint(0, 6, size=200), 6)
net = keras.Sequential([keras.layers.Dense(6, activation="sigmoid")])
net.compile(loss="categorical_crossentropy", optimizer="adam",  # expect: HC102
            metrics=["accuracy"])
net.fit(x2, y2)
