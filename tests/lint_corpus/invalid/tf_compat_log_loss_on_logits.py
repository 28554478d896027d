# Binary classifier in TF 1 style: log_loss expects probabilities, it gets the raw score.
import tensorflow as tf

features = tf.compat.v1.placeholder(tf.float32, [None, 30])
target = tf.compat.v1.placeholder(tf.float32, [None, 1])
score = tf.compat.v1.layers.dense(features, 1)
loss = tf.compat.v1.losses.log_loss(target, score)  # expect: HC104
step = tf.compat.v1.train.AdamOptimizer().minimize(loss)
