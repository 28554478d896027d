import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 64])
W = tf.Variable(tf.random_normal([64, 5], stddev=0.1))
z = tf.matmul(x, W)
z = z - tf.reduce_max(z, axis=1, keepdims=True)
probs = tf.exp(z) / tf.reduce_sum(tf.exp(z), axis=1, keepdims=True)
y = tf.placeholder(tf.float32, [None, 5])
loss = -tf.reduce_mean(tf.reduce_sum(y * tf.log(probs), axis=1))
