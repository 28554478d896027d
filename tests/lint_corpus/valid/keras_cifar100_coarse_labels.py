# CIFAR-100 with its 20 coarse labels, and a head of 20 outputs.
import tensorflow as tf

(x_train, y_train), _ = tf.keras.datasets.cifar100.load_data(label_mode="coarse")
model = tf.keras.Sequential([
    tf.keras.layers.Flatten(input_shape=(32, 32, 3)),
    tf.keras.layers.Dense(256, activation="relu"),
    tf.keras.layers.Dense(20, activation="softmax"),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x_train / 255.0, y_train, epochs=10)
