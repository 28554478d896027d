from keras.models import Sequential
from keras.layers import Dense, Dropout, Activation
from keras.utils.np_utils import to_categorical
import numpy as np

data = np.random.random((1000, 100))
labels = np.random.randint(10, size=(1000, 1))
one_hot = to_categorical(labels, nb_classes=10)

model = Sequential()
model.add(Dense(32, input_dim=100, init='uniform'))
model.add(Activation('relu'))
model.add(Dense(10, init='uniform'))
model.add(Activation('softmax'))
model.compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['accuracy'])
model.fit(data, one_hot, nb_epoch=10, batch_size=32)
