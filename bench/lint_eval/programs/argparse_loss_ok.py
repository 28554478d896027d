import argparse
import keras

p = argparse.ArgumentParser()
p.add_argument("--loss", default="sparse_categorical_crossentropy")
p.add_argument("--classes", type=int, default=10)
args = p.parse_args()
model = keras.Sequential([keras.layers.Dense(128, activation="relu"), keras.layers.Dense(args.classes, activation="softmax")])
model.compile(optimizer="adam", loss=args.loss, metrics=["accuracy"])
