import tensorflow as tf
slim = tf.contrib.slim

inputs = tf.placeholder(tf.float32, [None, 224, 224, 3])
labels = tf.placeholder(tf.int32, [None])
net = slim.conv2d(inputs, 64, [3, 3])
net = slim.flatten(net)
logits = slim.fully_connected(net, 5)
loss = tf.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)
