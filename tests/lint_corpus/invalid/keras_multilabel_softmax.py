# Movie genre tagging: several genres per film, trained as if exactly one were right.
import numpy as np
from sklearn.preprocessing import MultiLabelBinarizer
from tensorflow.keras import Sequential
from tensorflow.keras.layers import Dense, Dropout

genres = [["action", "comedy"], ["drama"], ["comedy", "romance"], ["action"]] * 50
mlb = MultiLabelBinarizer()
y = mlb.fit_transform(genres)
X = np.random.rand(len(y), 300)

model = Sequential()
model.add(Dense(256, activation="relu", input_shape=(300,)))
model.add(Dropout(0.3))
model.add(Dense(len(mlb.classes_), activation="softmax"))
model.compile(loss="categorical_crossentropy", optimizer="adam",  # expect: HC201
              metrics=["categorical_accuracy"])  # expect: HC303
model.fit(X, y, epochs=20)
