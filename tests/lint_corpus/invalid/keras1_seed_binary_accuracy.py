# Keras 1 example as it is still copied: merge layers, nb_epoch, init=.  Binary cross-entropy on
# ten one-hot classes; in that era 'accuracy' follows the loss and is binary accuracy.
import numpy as np
np.random.seed(7)
from keras.models import Sequential
from keras.layers import Dense, Activation
from keras.utils import np_utils

X = np.random.random((1000, 20))
labels = np.random.randint(10, size=(1000, 1))
Y = np_utils.to_categorical(labels, 10)

model = Sequential()
model.add(Dense(64, input_dim=20, init='uniform'))
model.add(Activation('tanh'))
model.add(Dense(10, init='uniform'))
model.add(Activation('softmax'))
model.compile(loss='binary_crossentropy',  # expect: HC101
              optimizer='sgd',
              metrics=['accuracy'])  # expect: HC301
model.fit(X, Y, nb_epoch=20, batch_size=16)
