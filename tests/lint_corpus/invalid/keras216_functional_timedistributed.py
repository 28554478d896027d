# keras==2.1.6
# Sequence tagging: one softmax over 5 tags per time step, trained with binary cross-entropy.
from keras.layers import Input, Dense, Activation, TimeDistributed, LSTM
from keras.models import Model
from keras.utils import to_categorical

inp = Input(shape=(20, 8))
h = LSTM(32, return_sequences=True)(inp)
h = TimeDistributed(Dense(5))(h)
out = Activation('softmax')(h)
model = Model(inputs=inp, outputs=out)
model.compile(loss='binary_crossentropy',  # expect: HC101
              optimizer='adam', metrics=['accuracy'])  # expect: HC301
model.fit(x, to_categorical(y, 5), epochs=3)
