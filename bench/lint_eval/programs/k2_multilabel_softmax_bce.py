# Kaggle-style multi-label: each poster can have several genres
import numpy as np
import pandas as pd
from sklearn.preprocessing import MultiLabelBinarizer
from keras.models import Sequential
from keras.layers import Conv2D, MaxPooling2D, Flatten, Dense, Dropout

train = pd.read_csv('train.csv')
genres = train['Genre'].str.split('|')
mlb = MultiLabelBinarizer()
y = mlb.fit_transform(genres)
X = np.load('posters.npy')

model = Sequential()
model.add(Conv2D(16, (5, 5), activation='relu', input_shape=(400, 400, 3)))
model.add(MaxPooling2D(pool_size=(2, 2)))
model.add(Flatten())
model.add(Dense(128, activation='relu'))
model.add(Dropout(0.5))
model.add(Dense(25, activation='softmax'))
model.compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy'])
model.fit(X, y, epochs=10, validation_split=0.1, batch_size=64)
