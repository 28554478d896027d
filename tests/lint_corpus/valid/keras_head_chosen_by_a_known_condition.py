# The head is chosen by the number of classes, which the script sets: only one branch runs.
import numpy as np
import keras

NUM_CLASSES = 2

model = keras.Sequential([keras.Input((16,)), keras.layers.Dense(32, activation="relu")])
if NUM_CLASSES == 2:
    model.add(keras.layers.Dense(1, activation="sigmoid"))
    loss = "binary_crossentropy"
else:
    model.add(keras.layers.Dense(NUM_CLASSES, activation="softmax"))
    loss = "sparse_categorical_crossentropy"
model.compile(optimizer="adam", loss=loss, metrics=["accuracy"])
model.fit(np.random.rand(100, 16), np.random.randint(0, NUM_CLASSES, 100))
