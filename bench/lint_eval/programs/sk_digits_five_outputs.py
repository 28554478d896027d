from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from tensorflow import keras

digits = load_digits()
X_train, X_test, y_train, y_test = train_test_split(digits.data, digits.target, test_size=0.25)
model = keras.Sequential([
    keras.layers.Dense(64, activation='relu', input_shape=(64,)),
    keras.layers.Dense(5, activation='softmax'),
])
model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])
model.fit(X_train, y_train, epochs=50, validation_data=(X_test, y_test))
