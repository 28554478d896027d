from tensorflow.keras.models import Sequential
from tensorflow.keras.layers import Dense
from tensorflow.keras.utils import to_categorical
import numpy as np

X = np.random.rand(300, 8)
y = to_categorical(np.random.randint(0, 3, 300), 3)

model = Sequential()
model.add(Dense(16, input_dim=8, activation='relu'))
model.add(Dense(3, activation='softmax'))
model.compile(loss='mse', optimizer='adam', metrics=['categorical_accuracy'])  # expect: HC109
model.fit(X, y, epochs=50, batch_size=10)
