# Binary classifier: the loss is right (logits into the sigmoid op), the accuracy rounds the logits.
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 10])
y = tf.placeholder(tf.float32, [None, 1])
logits = tf.layers.dense(tf.layers.dense(x, 16, activation=tf.nn.relu), 1)
loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logits))
correct = tf.equal(tf.round(logits), y)  # expect: HC304
accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
