import numpy as np
from keras.models import Sequential
from keras.layers import Dense

X = np.random.rand(300, 5)
y = np.random.randint(0, 2, 300)
model = Sequential([Dense(8, activation='relu', input_dim=5), Dense(2, activation='softmax')])
model.compile(loss='sparse_categorical_crossentropy', optimizer='adam', metrics=['accuracy'])
model.fit(X, y, epochs=10)
