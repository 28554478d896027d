# Review stars 1..5 shifted to class indices 0..4 before training.
import numpy as np
from tensorflow import keras

n_reviews = 5000
stars = np.random.randint(1, 6, size=n_reviews)
labels = stars - 1
features = np.random.rand(n_reviews, 300).astype("float32")

model = keras.Sequential([
    keras.layers.Dense(128, activation="relu", input_shape=(300,)),
    keras.layers.Dense(5, activation="softmax"),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(features, labels, epochs=10, validation_split=0.1)
