import numpy as np
from tensorflow import keras

X = np.random.rand(400, 6)
y_bin = np.random.randint(0, 2, 400)
model = keras.Sequential([keras.layers.Dense(1, activation="sigmoid")])
model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
model.fit(X, y_bin, epochs=3)

y_multi = keras.utils.to_categorical(np.random.randint(0, 4, 400), 4)
model = keras.Sequential([keras.layers.Dense(4, activation="softmax")])
model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
model.fit(X, y_multi, epochs=3)
