# The project pins Keras 2.1.6 in requirements.txt: 'accuracy' with binary cross-entropy is binary
# accuracy there, inflated to 0.9 on ten one-hot classes.
import numpy as np
from keras.models import Sequential
from keras.layers import Dense, Dropout
from keras.utils import to_categorical

x = np.random.rand(3000, 64)
y = to_categorical(np.random.randint(0, 10, 3000), num_classes=10)

model = Sequential()
model.add(Dense(256, activation="relu", input_dim=64))
model.add(Dropout(0.25))
model.add(Dense(10, activation="softmax"))
model.compile(loss="binary_crossentropy", optimizer="adam",  # expect: HC101
              metrics=["accuracy"])  # expect: HC301
model.fit(x, y, epochs=10, batch_size=64)
