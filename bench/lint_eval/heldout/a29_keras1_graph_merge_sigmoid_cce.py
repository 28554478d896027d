from keras.models import Sequential
from keras.layers import Dense, Merge

left = Sequential()
left.add(Dense(32, input_dim=784))
right = Sequential()
right.add(Dense(32, input_dim=784))
model = Sequential()
model.add(Merge([left, right], mode='concat'))
model.add(Dense(10, activation='sigmoid'))
model.compile(optimizer='rmsprop', loss='categorical_crossentropy')
model.fit([X, X], Y_onehot, nb_epoch=5)
