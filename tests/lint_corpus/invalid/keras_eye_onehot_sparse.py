import numpy as np
import keras

K = 6
y_int = np.random.randint(0, K, size=500)
y = np.eye(K)[y_int]
x = np.random.rand(500, 12)

inputs = keras.Input((12,))
h = keras.layers.Dense(32, activation="relu")(inputs)
out = keras.layers.Dense(K, activation="softmax")(h)
model = keras.Model(inputs, out)
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")  # expect: HC202
model.fit(x, y, epochs=3)
