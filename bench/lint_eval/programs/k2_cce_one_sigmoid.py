import numpy as np
from keras.models import Sequential
from keras.layers import Dense

X = np.random.rand(500, 8)
y = np.random.randint(0, 2, (500, 1))

model = Sequential()
model.add(Dense(12, input_dim=8, activation='relu'))
model.add(Dense(1, activation='sigmoid'))
model.compile(loss='categorical_crossentropy', optimizer='adam', metrics=['accuracy'])
model.fit(X, y, epochs=100, batch_size=10)
