import numpy as np
from keras.preprocessing.image import ImageDataGenerator
from keras.applications.vgg16 import VGG16
from keras.layers import Dense, GlobalAveragePooling2D
from keras.models import Model

datagen = ImageDataGenerator(rescale=1. / 255)
train_gen = datagen.flow_from_directory('data/train', target_size=(224, 224), class_mode='categorical')
base = VGG16(weights='imagenet', include_top=False)
x = GlobalAveragePooling2D()(base.output)
predictions = Dense(train_gen.num_classes, activation='softmax')(x)
model = Model(inputs=base.input, outputs=predictions)
model.compile(optimizer='rmsprop', loss='binary_crossentropy', metrics=['accuracy'])
model.fit_generator(train_gen, steps_per_epoch=100, epochs=5)
