import tensorflow as tf

model = tf.keras.Sequential()
model.add(tf.keras.layers.Dense(32, activation="relu", input_shape=(10,)))
model.add(tf.keras.layers.Dense(1, activation="sigmoid"))  # expect: HC110
model.compile(loss="sparse_categorical_crossentropy", optimizer="adam")
