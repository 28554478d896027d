import tensorflow as tf
from sklearn.datasets import make_moons

X, y = make_moons(n_samples=2000, noise=0.2)
model = tf.keras.Sequential([tf.keras.layers.Dense(16, activation="relu"), tf.keras.layers.Dense(1)])
model.compile(optimizer="adam", loss=tf.keras.losses.BinaryCrossentropy(from_logits=True),
              metrics=[tf.keras.metrics.BinaryAccuracy(threshold=0.0)])
model.fit(X, y, epochs=50)
