# One notebook-style script, two experiments; the name `m` is reused for the second model.
import numpy as np
import keras
from sklearn.preprocessing import MultiLabelBinarizer

tags = [["sports", "politics"], ["tech"], ["tech", "science"], ["sports"]] * 30
mlb = MultiLabelBinarizer()
Y_tags = mlb.fit_transform(tags)
X_docs = np.random.rand(len(tags), 50)

m = keras.Sequential([keras.Input((50,)), keras.layers.Dense(4, activation="sigmoid")])
m.compile(loss="binary_crossentropy", optimizer="adam", metrics=[keras.metrics.BinaryAccuracy(name="per_label")])
m.fit(X_docs, Y_tags, epochs=5)

# second experiment: topic classification with one topic per document
y_topic = np.random.randint(0, 5, size=300)
X_topic = np.random.rand(300, 50)
m = keras.Sequential([keras.Input((50,)), keras.layers.Dense(5, activation="softmax")])
m.compile(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
m.fit(X_topic, y_topic, epochs=5)
