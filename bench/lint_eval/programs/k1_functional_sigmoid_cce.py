# Keras 1 functional API, five topics, one per document
from keras.layers import Input, Dense, Dropout
from keras.models import Model
from keras.utils import np_utils
import numpy as np

X = np.load('tfidf.npy')
topics = np.load('topics.npy')
Y = np_utils.to_categorical(topics, 5)

inp = Input(shape=(2000,))
h = Dense(256, activation='relu')(inp)
h = Dropout(0.5)(h)
out = Dense(5, activation='sigmoid')(h)
model = Model(input=inp, output=out)
model.compile(optimizer='adam', loss='categorical_crossentropy', metrics=['accuracy'])
model.fit(X, Y, nb_epoch=20, batch_size=64)
