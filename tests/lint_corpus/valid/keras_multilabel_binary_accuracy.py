import keras
from keras import layers

model = keras.Sequential([keras.Input((300,)), layers.Dense(128, activation="relu"),
                          layers.Dense(12, activation="sigmoid")])
model.compile(optimizer="adam", loss=keras.losses.BinaryCrossentropy(),
              metrics=[keras.metrics.BinaryAccuracy(), keras.metrics.AUC(multi_label=True)])
