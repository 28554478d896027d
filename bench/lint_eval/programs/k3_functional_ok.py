import keras
import numpy as np

x = np.random.rand(2048, 10).astype("float32")
y = (x.sum(axis=1) > 5).astype("float32")
inputs = keras.Input((10,))
h = keras.layers.Dense(32, activation="relu")(inputs)
out = keras.layers.Dense(1, activation="sigmoid")(h)
model = keras.Model(inputs, out)
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy", keras.metrics.AUC()])
model.fit(x, y, epochs=5, batch_size=64)
