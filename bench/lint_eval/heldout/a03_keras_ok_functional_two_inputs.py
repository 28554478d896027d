from tensorflow import keras
from tensorflow.keras import layers

title = keras.Input(shape=(None,), name="title")
body = keras.Input(shape=(None,), name="body")
t = layers.Embedding(10000, 64)(title)
b = layers.Embedding(10000, 64)(body)
x = layers.concatenate([layers.LSTM(32)(t), layers.LSTM(32)(b)])
priority = layers.Dense(1, activation="sigmoid", name="priority")(x)
model = keras.Model(inputs=[title, body], outputs=priority)
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
