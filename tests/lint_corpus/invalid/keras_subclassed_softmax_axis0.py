import tensorflow as tf


class Classifier(tf.keras.Model):
    def __init__(self, n_classes):
        super().__init__()
        self.hidden = tf.keras.layers.Dense(64, activation="relu")
        self.logits = tf.keras.layers.Dense(n_classes)

    def call(self, x):
        h = self.hidden(x)
        return tf.nn.softmax(self.logits(h), axis=0)  # expect: HC107


model = Classifier(10)
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
              metrics=["sparse_categorical_accuracy"])
