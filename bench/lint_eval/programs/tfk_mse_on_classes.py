import numpy as np
import tensorflow as tf
from sklearn.datasets import load_wine
from sklearn.preprocessing import StandardScaler

X, y = load_wine(return_X_y=True)
X = StandardScaler().fit_transform(X)
Y = tf.keras.utils.to_categorical(y)
model = tf.keras.Sequential([tf.keras.layers.Dense(16, activation='relu', input_shape=(13,)),
                             tf.keras.layers.Dense(3, activation='softmax')])
model.compile(optimizer='sgd', loss='mse', metrics=['accuracy'])
model.fit(X, Y, epochs=200, verbose=0)
