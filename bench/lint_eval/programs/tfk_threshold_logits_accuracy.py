import tensorflow as tf
from sklearn.datasets import load_breast_cancer

X, y = load_breast_cancer(return_X_y=True)
model = tf.keras.Sequential([
    tf.keras.layers.Dense(16, activation='relu', input_shape=(30,)),
    tf.keras.layers.Dense(1),
])
model.compile(optimizer='adam', loss=tf.keras.losses.BinaryCrossentropy(from_logits=True), metrics=['accuracy'])
model.fit(X, y, epochs=30, validation_split=0.2)
