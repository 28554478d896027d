import numpy as np
from sklearn.preprocessing import LabelBinarizer
from sklearn.model_selection import train_test_split
from keras.models import Sequential
from keras.layers import Dense

labels = np.array(["cat", "dog", "bird"] * 100)
features = np.random.rand(300, 16)
lb = LabelBinarizer()
Y = lb.fit_transform(labels)
x_tr, x_te, y_tr, y_te = train_test_split(features, Y, test_size=0.2)

model = Sequential([Dense(32, activation="relu", input_shape=(16,)), Dense(3, activation="softmax")])
model.compile(loss="sparse_categorical_crossentropy", optimizer="adam",  # expect: HC202
              metrics=["sparse_categorical_accuracy"])
model.fit(x_tr, y_tr, validation_data=(x_te, y_te), epochs=5)
