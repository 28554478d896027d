# Which loss is best? (answer: only one of them is right for this head)
import numpy as np
import tensorflow as tf

x = np.random.rand(1000, 20)
y = tf.keras.utils.to_categorical(np.random.randint(0, 3, 1000))
for loss in ['categorical_crossentropy', 'binary_crossentropy', 'kl_divergence']:
    m = tf.keras.Sequential([tf.keras.layers.Dense(10, activation='relu'), tf.keras.layers.Dense(3, activation='softmax')])
    m.compile(optimizer='adam', loss=loss, metrics=['accuracy'])
    h = m.fit(x, y, epochs=5, verbose=0)
    print(loss, h.history['accuracy'][-1])
