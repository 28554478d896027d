# Boston house prices (in thousands of dollars) fitted with a sigmoid and binary cross-entropy.
from keras.datasets import boston_housing
from keras.models import Sequential
from keras.layers import Dense

(x_train, y_train), (x_test, y_test) = boston_housing.load_data()  # expect: HC203
model = Sequential()
model.add(Dense(64, activation="relu", input_shape=(13,)))
model.add(Dense(1, activation="sigmoid"))
model.compile(optimizer="rmsprop", loss="binary_crossentropy")
model.fit(x_train, y_train, epochs=20)
