import pandas as pd
from keras.models import Sequential
from keras.layers import Dense, Dropout
from keras.utils import to_categorical

df = pd.read_csv('wine.csv')
X = df.drop('quality', axis=1).values
y = to_categorical(df['quality'] - 3, num_classes=6)

model = Sequential([Dense(64, activation='relu', input_dim=11), Dropout(0.3), Dense(6, activation='softmax')])
model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])
model.fit(X, y, epochs=50, batch_size=32, validation_split=0.2)
