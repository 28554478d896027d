import tensorflow as tf
import tensorflow_datasets as tfds

ds = tfds.load("mnist", split="train", as_supervised=True)
ds = ds.map(lambda x, y: (tf.cast(x, tf.float32) / 255.0, y)).batch(128)
model = tf.keras.Sequential([tf.keras.layers.Flatten(), tf.keras.layers.Dense(10, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(ds, epochs=3)
