# "binary_crossentropy gives 80 %, categorical_crossentropy gives 50 %": the same model trained
# once per loss, to compare them. Only the binary one is wrong for a softmax over 4 classes.
import numpy as np
from keras.models import Sequential
from keras.layers import Dense, Dropout
from keras.utils import to_categorical

X = np.random.rand(1200, 32).astype("float32")
labels = np.random.randint(0, 4, size=1200)
Y = to_categorical(labels, 4)

results = {}
for loss in ["binary_crossentropy",  # expect: HC101
             "categorical_crossentropy"]:
    model = Sequential()
    model.add(Dense(64, activation="relu", input_dim=32))
    model.add(Dropout(0.5))
    model.add(Dense(4, activation="softmax"))
    model.compile(loss=loss, optimizer="adam", metrics=["accuracy"])
    history = model.fit(X, Y, epochs=15, batch_size=32, validation_split=0.2, verbose=0)
    results[loss] = history.history["val_accuracy"][-1]

for name, acc in results.items():
    print(f"{name}: {acc:.3f}")
