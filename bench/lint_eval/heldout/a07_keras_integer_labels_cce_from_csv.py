import pandas as pd
from tensorflow import keras

df = pd.read_csv("train.csv")
X = df.drop("label", axis=1).values / 255.0
y = df["label"].values
model = keras.Sequential([keras.layers.Dense(128, activation="relu"), keras.layers.Dense(10, activation="softmax")])
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
model.fit(X, y, epochs=10)
