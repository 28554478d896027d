import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Dense(32, activation="relu"), tf.keras.layers.Dense(4, activation="softmax")])
opt = tf.keras.optimizers.SGD(0.01)
for x, y in dataset:
    with tf.GradientTape() as tape:
        probs = model(x)
        loss = tf.reduce_mean(tf.keras.losses.categorical_crossentropy(y, probs))
    opt.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
