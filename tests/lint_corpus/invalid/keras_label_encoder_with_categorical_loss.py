# String classes turned into integers, then a loss that expects one-hot rows.
import numpy as np
import pandas as pd
from sklearn.preprocessing import LabelEncoder
from tensorflow.keras import layers, models

df = pd.DataFrame({
    "text_len": [12, 40, 7, 33, 21, 18],
    "species": ["cat", "dog", "bird", "dog", "cat", "bird"],
})
encoder = LabelEncoder()
y = encoder.fit_transform(["cat", "dog", "bird", "dog", "cat", "bird"])
X = df[["text_len"]].values

model = models.Sequential([layers.Dense(8, activation="relu", input_shape=(1,)), layers.Dense(3, activation="softmax")])
model.compile(optimizer="adam", loss="categorical_crossentropy")  # expect: HC202
model.fit(X, y, epochs=30)
