# The same tagger under TensorFlow 2.15 (pinned in pyproject.toml): 'accuracy' is categorical
# accuracy there, which has no meaning on multi-hot targets.
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
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])  # expect: HC301
model.fit(X, Y, epochs=10)
