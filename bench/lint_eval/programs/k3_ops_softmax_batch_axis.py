import keras
from keras import layers, ops


class Head(keras.Model):
    def __init__(self, classes=5):
        super().__init__()
        self.hidden = layers.Dense(32, activation="gelu")
        self.logits = layers.Dense(classes)

    def call(self, x):
        return ops.softmax(self.logits(self.hidden(x)), axis=0)


model = Head()
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, epochs=3)
