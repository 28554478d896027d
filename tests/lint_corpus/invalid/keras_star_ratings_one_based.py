# Review stars 1..5 predicted as 5 classes: the labels are used as they come.
import numpy as np
from tensorflow import keras

n_reviews = 5000
stars = np.random.randint(1, 6, size=n_reviews)  # expect: HC203
features = np.random.rand(n_reviews, 300).astype("float32")

model = keras.Sequential([
    keras.layers.Dense(128, activation="relu", input_shape=(300,)),
    keras.layers.Dense(5, activation="softmax"),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])
model.fit(features, stars, epochs=10, validation_split=0.1)
