import numpy as np
from keras.models import Sequential
from keras.layers import Dense

X = np.random.randn(500, 2)
y = np.where(X[:, 0] > 0, 1, -1)
svm = Sequential([Dense(1, input_dim=2)])
svm.compile(loss='hinge', optimizer='sgd')
svm.fit(X, y, epochs=50)
