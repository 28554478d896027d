import tensorflow as tf


def model_fn(features, labels, mode):
    net = tf.layers.dense(features["x"], 64, activation=tf.nn.relu)
    logits = tf.layers.dense(net, 1, activation=tf.nn.sigmoid)
    loss = tf.losses.sigmoid_cross_entropy(multi_class_labels=labels, logits=logits)
    train_op = tf.train.AdamOptimizer().minimize(loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
