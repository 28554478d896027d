# TensorFlow 2.1 (pinned by the project): 'accuracy' with binary cross-entropy is per-label
# binary accuracy, which is what a multi-label tagger should report.
import numpy as np
import tensorflow as tf
from sklearn.preprocessing import MultiLabelBinarizer

docs_tags = [["ml", "python"], ["python"], ["ml", "stats"], ["stats"]] * 40
Y = MultiLabelBinarizer().fit_transform(docs_tags)
X = np.random.rand(len(docs_tags), 100)

model = tf.keras.Sequential([
    tf.keras.layers.Dense(32, activation="relu", input_shape=(100,)),
    tf.keras.layers.Dense(3, activation="sigmoid"),
])
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
model.fit(X, Y, epochs=10)
