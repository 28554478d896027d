import numpy as np
from keras.models import Sequential
from keras.layers import Dense
from sklearn.preprocessing import MultiLabelBinarizer

labels = [("news", "sport"), ("news",), ("tech", "news"), ("sport",)] * 100
Y = MultiLabelBinarizer().fit_transform(labels)
X = np.random.rand(len(Y), 64)
model = Sequential([Dense(32, activation='relu', input_dim=64), Dense(3, activation='sigmoid')])
model.compile(optimizer='adam', loss='binary_crossentropy', metrics=['categorical_accuracy'])
model.fit(X, Y, epochs=20)
