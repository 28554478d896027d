import tensorflow as tf

images = tf.placeholder(tf.float32, [None, 32, 32, 3])
labels = tf.placeholder(tf.float32, [None, 10])  # one-hot
net = tf.layers.conv2d(images, 32, 3, activation=tf.nn.relu)
net = tf.layers.flatten(net)
logits = tf.layers.dense(net, 10)
labels_onehot = tf.one_hot(tf.argmax(labels, 1), 10)
loss = tf.losses.sparse_softmax_cross_entropy(labels=labels_onehot, logits=logits)
