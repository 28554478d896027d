import tensorflow as tf
from sklearn.datasets import make_multilabel_classification

X, Y = make_multilabel_classification(n_samples=5000, n_features=20, n_classes=8, random_state=1)
model = tf.keras.Sequential([
    tf.keras.layers.Dense(64, activation="relu", input_shape=(20,)),
    tf.keras.layers.Dense(8, activation="sigmoid"),
])
model.compile(optimizer="adam", loss="binary_crossentropy",
              metrics=[tf.keras.metrics.BinaryAccuracy(name="label_acc"), tf.keras.metrics.AUC(multi_label=True)])
model.fit(X, Y, epochs=20, validation_split=0.2)
