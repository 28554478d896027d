import tensorflow as tf
from tensorflow.keras import layers, losses

model = tf.keras.Sequential()
model.add(layers.Dense(64, activation="relu", input_shape=(100,)))
model.add(layers.Dense(3))
model.add(layers.BatchNormalization())
model.add(layers.Softmax())
bce = losses.BinaryCrossentropy()  # expect: HC101
model.compile(optimizer="adam", loss=bce, metrics=[tf.keras.metrics.CategoricalAccuracy()])
