import numpy as np
import tensorflow as tf


class Config:
    NUM_TAGS = 12
    HIDDEN = 256
    LOSS = "categorical_crossentropy"
    LR = 1e-3


def build(cfg):
    inp = tf.keras.Input((512,))
    x = tf.keras.layers.Dense(cfg.HIDDEN, activation="relu")(inp)
    out = tf.keras.layers.Dense(cfg.NUM_TAGS, activation="sigmoid")(x)
    model = tf.keras.Model(inp, out)
    model.compile(optimizer=tf.keras.optimizers.Adam(cfg.LR), loss=cfg.LOSS, metrics=["accuracy"])
    return model


model = build(Config)
model.fit(np.load("emb.npy"), np.load("tags_multi_hot.npy"), epochs=5)
