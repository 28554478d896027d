import numpy as np
import tensorflow as tf

# each sample: which of 4 sensors fired
y = np.array([[1, 0, 1, 0], [0, 1, 1, 0], [1, 1, 0, 1], [0, 0, 0, 1], [1, 0, 0, 1]] * 200)
X = np.random.rand(len(y), 16)

inputs = tf.keras.Input(shape=(16,))
h = tf.keras.layers.Dense(32, activation="relu")(inputs)
out = tf.keras.layers.Dense(4, activation="sigmoid")(h)
model = tf.keras.Model(inputs=inputs, outputs=out)
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit(X, y, epochs=20)
