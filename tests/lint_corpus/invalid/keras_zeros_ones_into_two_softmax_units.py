# Two classes built from stacked zeros and ones, two softmax outputs, binary cross-entropy.
import numpy as np
import keras

neg = np.random.normal(0, 1, (500, 10))
pos = np.random.normal(1, 1, (500, 10))
X = np.vstack([neg, pos])
y = np.concatenate([np.zeros((500, 1)), np.ones((500, 1))])

model = keras.Sequential([keras.Input((10,)), keras.layers.Dense(2, activation="softmax")])  # expect: HC110
model.compile(optimizer="adam", loss="binary_crossentropy")  # expect: HC101, HC202
model.fit(X, y, epochs=20)
