# A toy multi-label problem typed in by hand: some rows have two labels.
import numpy as np
import keras

X = np.array([[0.1, 0.9, 0.3], [0.8, 0.7, 0.2], [0.3, 0.6, 0.9], [0.5, 0.1, 0.7]])
y = np.array([[1, 0, 0],
              [1, 1, 0],
              [0, 1, 1],
              [0, 0, 1]])

model = keras.Sequential([
    keras.Input(shape=(3,)),
    keras.layers.Dense(8, activation="relu"),
    keras.layers.Dense(3, activation="softmax"),
])
model.compile(loss="categorical_crossentropy", optimizer="sgd",  # expect: HC201
              metrics=["accuracy"])  # expect: HC301
model.fit(X, y, epochs=200, verbose=0)
print(model.predict(X).round(2))
