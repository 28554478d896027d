# Multi-label tagging done right: independent sigmoids and binary cross-entropy.
import numpy as np
import keras
from keras import layers
from sklearn.datasets import make_multilabel_classification

X, Y = make_multilabel_classification(n_samples=500, n_features=20, n_classes=5, random_state=0)

model = keras.Sequential([keras.Input((20,)), layers.Dense(64, activation="relu"),
                          layers.Dense(5, activation="sigmoid")])
model.compile(optimizer="adam", loss="binary_crossentropy",
              metrics=["accuracy"])  # expect: HC301
model.fit(X, Y, epochs=10)
