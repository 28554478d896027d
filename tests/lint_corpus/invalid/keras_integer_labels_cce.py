# "ValueError: Shapes (None, 1) and (None, 10) are incompatible"
from tensorflow import keras

(x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
x_train = x_train / 255.0

model = keras.Sequential([
    keras.layers.Flatten(input_shape=(28, 28)),
    keras.layers.Dense(128, activation='relu'),
    keras.layers.Dense(10, activation='softmax'),
])
model.compile(optimizer='adam',
              loss='categorical_crossentropy',  # expect: HC202
              metrics=['categorical_accuracy'])
model.fit(x_train, y_train, epochs=10)
