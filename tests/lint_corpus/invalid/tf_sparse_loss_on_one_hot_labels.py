# Labels one-hot encoded with tf.one_hot, then a sparse loss that wants class indices.
import tensorflow as tf

raw_labels = tf.placeholder(tf.int32, [None])
labels = tf.one_hot(raw_labels, depth=7)
inputs = tf.placeholder(tf.float32, [None, 128])
logits = tf.layers.dense(inputs, 7)
loss = tf.reduce_mean(
    tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))  # expect: HC202
