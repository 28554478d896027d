# tf.compat.v1 graph code: a dense layer without activation, then cross-entropy written by hand.
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()

images = tf.placeholder(tf.float32, shape=(None, 784))
labels = tf.placeholder(tf.float32, shape=(None, 10))
hidden = tf.layers.dense(images, 256, activation=tf.nn.relu)
logits = tf.layers.dense(hidden, 10)
cross_entropy = -tf.reduce_sum(labels * tf.log(logits + 1e-10), axis=1)  # expect: HC104
loss = tf.reduce_mean(cross_entropy)
optimizer = tf.train.AdamOptimizer(1e-3).minimize(loss)
