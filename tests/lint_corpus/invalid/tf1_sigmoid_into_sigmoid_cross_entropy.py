# Multi-label tagging: sigmoid applied, then the op that applies the sigmoid itself.
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 300])
tags = tf.placeholder(tf.float32, [None, 20])
w = tf.get_variable("w", [300, 20])
bias = tf.get_variable("bias", [20])
probs = tf.sigmoid(tf.matmul(x, w) + bias)
loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=tags, logits=probs))  # expect: HC105
