import numpy as np
from tensorflow import keras

ages = np.random.uniform(18, 90, size=1000)
X = np.random.rand(1000, 40)
model = keras.Sequential([keras.layers.Dense(64, activation="relu"), keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse", metrics=["mae"])
model.fit(X, ages, epochs=10)
