# "my accuracy is stuck at 0.33"
import pandas as pd
from keras.models import Sequential
from keras.layers import Dense
from keras.utils import to_categorical

df = pd.read_csv('iris.csv')
X = df.iloc[:, :4].values
y = to_categorical(df['species'].astype('category').cat.codes)

model = Sequential()
model.add(Dense(8, input_dim=4, activation='relu'))
model.add(Dense(3, activation='relu'))
model.compile(loss='categorical_crossentropy', optimizer='adam', metrics=['accuracy'])
model.fit(X, y, epochs=150, batch_size=10)
