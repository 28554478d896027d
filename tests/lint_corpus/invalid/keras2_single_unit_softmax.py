# Keras 2: binary sentiment classifier whose accuracy is stuck at 0.5098 every epoch.
import numpy as np
from keras.models import Sequential
from keras.layers import Dense, Embedding, LSTM

max_features = 20000
maxlen = 80

model = Sequential()
model.add(Embedding(max_features, 128, input_length=maxlen))
model.add(LSTM(64, dropout=0.2, recurrent_dropout=0.2))
model.add(Dense(1, activation='softmax'))  # expect: HC103
model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])

x_train = np.random.randint(0, max_features, size=(1000, maxlen))
y_train = np.random.randint(0, 2, size=(1000,))
model.fit(x_train, y_train, batch_size=32, epochs=15)
