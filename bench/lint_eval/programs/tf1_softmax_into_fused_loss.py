import tensorflow as tf

n_input, n_classes = 784, 10
x = tf.placeholder("float", [None, n_input])
y = tf.placeholder("float", [None, n_classes])
weights = {'h1': tf.Variable(tf.random_normal([n_input, 256])), 'out': tf.Variable(tf.random_normal([256, n_classes]))}
biases = {'b1': tf.Variable(tf.random_normal([256])), 'out': tf.Variable(tf.random_normal([n_classes]))}


def multilayer_perceptron(x, weights, biases):
    layer_1 = tf.nn.relu(tf.add(tf.matmul(x, weights['h1']), biases['b1']))
    out_layer = tf.matmul(layer_1, weights['out']) + biases['out']
    return tf.nn.softmax(out_layer)


pred = multilayer_perceptron(x, weights, biases)
cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=pred, labels=y))
optimizer = tf.train.AdamOptimizer(learning_rate=0.001).minimize(cost)
