# Copied from a forum question: "accuracy keeps going up but predictions are all 1"
from keras.models import *
from keras.layers import *
from keras.optimizers import *
import numpy as np

NUM_CLASSES = 4

def build_model(input_dim):
    model = Sequential()
    model.add(Dense(64, input_dim=input_dim, activation='relu'))
    model.add(Dropout(0.5))
    model.add(Dense(NUM_CLASSES, activation='sigmoid'))
    return model

model = build_model(20)
model.compile(optimizer=Adam(lr=0.001), loss='categorical_crossentropy')  # expect: HC102
