"""tf.keras functional model: softmax output, but the loss object was told it gets logits."""
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

NUM_CLASSES = 10

inputs = keras.Input(shape=(28, 28, 1), name="digits")
x = layers.Conv2D(32, 3, activation="relu")(inputs)
x = layers.MaxPooling2D()(x)
x = layers.Flatten()(x)
x = layers.Dense(128, activation="relu")(x)
outputs = layers.Dense(NUM_CLASSES, activation="softmax", name="predictions")(x)
model = keras.Model(inputs=inputs, outputs=outputs)

loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)  # expect: HC105
model.compile(
    optimizer=keras.optimizers.Adam(1e-3),
    loss=loss_fn,
    metrics=[keras.metrics.SparseCategoricalAccuracy()],
)

(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
model.fit(x_train[..., None] / 255.0, y_train, epochs=2, validation_split=0.1)
