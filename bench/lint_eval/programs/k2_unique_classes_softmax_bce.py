import numpy as np
from keras.models import Sequential
from keras.layers import Dense
from keras.utils import to_categorical

y_raw = np.loadtxt('labels.txt', dtype=int)
num_classes = len(np.unique(y_raw))
y = to_categorical(y_raw, num_classes)
model = Sequential()
model.add(Dense(64, activation='relu', input_dim=30))
model.add(Dense(num_classes, activation='softmax'))
model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['categorical_accuracy'])
model.fit(np.loadtxt('features.txt'), y, epochs=20)
