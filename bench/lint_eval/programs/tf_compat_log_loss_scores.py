import tensorflow.compat.v1 as tf
tf.disable_eager_execution()

features = tf.placeholder(tf.float32, [None, 40])
clicked = tf.placeholder(tf.float32, [None, 1])
hidden = tf.layers.dense(features, 20, activation=tf.nn.relu)
score = tf.layers.dense(hidden, 1)
loss = tf.losses.log_loss(labels=clicked, predictions=score)
train = tf.train.AdamOptimizer().minimize(loss)
