# question fragment: "ValueError: Shapes (None, 1) and (None, 7) are incompatible" ... or it trains?
y_train = pd.get_dummies(train_df['category']).values
model = Sequential()
model.add(Dense(256, input_shape=(X_train.shape[1],), activation='relu'))
model.add(Dense(7, activation='softmax'))
model.compile(loss='sparse_categorical_crossentropy', optimizer='adam', metrics=['accuracy'])
history = model.fit(X_train, y_train, epochs=10, validation_split=0.2)
