from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler
from keras.models import Sequential
from keras.layers import Dense, Dropout

data = load_breast_cancer()
X = StandardScaler().fit_transform(data.data)
y = data.target
clf = Sequential()
clf.add(Dense(16, activation='relu', input_dim=30))
clf.add(Dropout(0.1))
clf.add(Dense(1, activation='sigmoid'))
clf.compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy'])
clf.fit(X, y, batch_size=100, epochs=150)
