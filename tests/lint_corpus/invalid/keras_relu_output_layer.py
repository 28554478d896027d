import keras
from keras import layers

num_classes = 5

model = keras.Sequential(
    [
        keras.Input(shape=(32,)),
        layers.Dense(64, activation="relu"),
        layers.Dense(num_classes, activation="relu"),  # expect: HC108
    ]
)
model.compile(optimizer="sgd", loss=keras.losses.CategoricalCrossentropy(),
              metrics=[keras.metrics.CategoricalAccuracy()])
