import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 128])
y = tf.placeholder(tf.float32, [None, 8])
h = tf.layers.dense(x, 64, tf.nn.relu)
logits = tf.layers.dense(h, 8)
loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logits))
pred = tf.cast(tf.sigmoid(logits) > 0.5, tf.float32)
per_label_acc = tf.reduce_mean(tf.cast(tf.equal(pred, y), tf.float32))
