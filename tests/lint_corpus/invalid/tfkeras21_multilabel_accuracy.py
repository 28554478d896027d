# tensorflow==2.1.0  (pinned in the project's requirements comment)
import numpy as np
import tensorflow as tf
from sklearn.preprocessing import MultiLabelBinarizer

tags = [["python", "keras"], ["pytorch"], ["python"], ["keras", "pytorch"]] * 25
mlb = MultiLabelBinarizer()
Y = mlb.fit_transform(tags)
X = np.random.rand(len(Y), 50)

model = tf.keras.Sequential([
    tf.keras.layers.Dense(64, activation="relu", input_shape=(50,)),
    tf.keras.layers.Dense(3, activation="sigmoid"),
])
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])  # expect: HC305
model.fit(X, Y, epochs=10)
