# A custom Keras metric that takes argmax of multi-hot targets.
import numpy as np
import keras
from keras import backend as K
from sklearn.datasets import make_multilabel_classification


def top1_match(y_true, y_pred):
    return K.mean(K.equal(K.argmax(y_true, axis=-1), K.argmax(y_pred, axis=-1)))  # expect: HC303


X, Y = make_multilabel_classification(n_samples=2000, n_features=40, n_classes=6)
model = keras.Sequential([keras.Input((40,)), keras.layers.Dense(64, activation="relu"),
                          keras.layers.Dense(6, activation="sigmoid")])
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=[top1_match])
model.fit(X, Y, epochs=10)
