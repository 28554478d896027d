# The loss comes from the command line: lint cannot know it, and says the head was skipped.
import argparse
import numpy as np
import keras

parser = argparse.ArgumentParser()
parser.add_argument("--loss", default="categorical_crossentropy")
parser.add_argument("--epochs", type=int, default=5)
args = parser.parse_args()

model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(3, activation="softmax")])
model.compile(optimizer="adam", loss=args.loss, metrics=["categorical_accuracy"])
model.fit(np.random.rand(60, 8), keras.utils.to_categorical(np.random.randint(0, 3, 60), 3), epochs=args.epochs)
