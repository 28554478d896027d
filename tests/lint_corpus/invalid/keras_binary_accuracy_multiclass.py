import keras
from keras import layers
from keras.utils import to_categorical
import numpy as np

x = np.random.rand(1000, 20)
y = to_categorical(np.random.randint(0, 10, 1000), num_classes=10)

model = keras.Sequential([layers.Dense(64, activation="relu"), layers.Dense(10, activation="softmax")])
model.compile(optimizer="adam", loss="categorical_crossentropy",
              metrics=["binary_accuracy"])  # expect: HC302
model.fit(x, y, epochs=5)
