import tensorflow as tf

model = tf.keras.applications.ResNet50(weights=None, classes=12)
model.compile(optimizer="sgd",
              loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy"])
model.fit(train_ds, epochs=30)
