import tensorflow as tf
from tensorflow import keras

inputs = keras.Input(shape=(32,))
x = keras.layers.Dense(64, activation="relu")(inputs)
logits = keras.layers.Dense(5)(x)
model = keras.Model(inputs, logits)
model.compile(
    optimizer="adam",
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    metrics=[keras.metrics.SparseCategoricalAccuracy()],
)
