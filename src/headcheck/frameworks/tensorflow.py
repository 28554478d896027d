"""Raw TensorFlow (1.x, 2.x and `tf.compat.v1`): losses, functional layers, graph inputs.

`tf.keras` is Keras (see the Keras knowledge); this module holds what TensorFlow spells itself:
`tf.nn.*_cross_entropy_with_logits`, `tf.losses.*` / `tf.compat.v1.losses.*` of TF 1, the
functional layers `tf.layers.dense` / `tf.contrib.layers.fully_connected`, and placeholders /
variables whose literal shapes give a layer's width. Names are matched after `tf.compat.v1.` /
`tf.compat.v2.` prefixes are dropped.
"""
from __future__ import annotations

from dataclasses import dataclass

PREFIXES = (("tensorflow.compat.v1.", "tensorflow."), ("tensorflow.compat.v2.", "tensorflow."),
            ("tensorflow.python.ops.", "tensorflow."))


@dataclass(frozen=True)
class RawLoss:
    """A TensorFlow loss function: the canonical loss it computes, whether it takes logits, and
    where its labels and its predictions are passed (keyword, position)."""

    loss: str
    from_logits: bool | None
    labels: tuple[str, int | None]
    predictions: tuple[str, int | None]


# tf.nn.*: keyword arguments (TF >= 1.0 refuses positional ones; TF 0.x took (logits, labels))
NN_LOSSES = {
    "softmax_cross_entropy_with_logits": RawLoss("categorical_crossentropy", True, ("labels", 1), ("logits", 0)),
    "softmax_cross_entropy_with_logits_v2": RawLoss("categorical_crossentropy", True, ("labels", 1), ("logits", 0)),
    "sparse_softmax_cross_entropy_with_logits": RawLoss("sparse_categorical_crossentropy", True, ("labels", 1), ("logits", 0)),
    "sigmoid_cross_entropy_with_logits": RawLoss("binary_crossentropy", True, ("labels", 1), ("logits", 0)),
    "weighted_cross_entropy_with_logits": RawLoss("binary_crossentropy", True, ("labels", 0), ("logits", 1)),
}
# tf.losses.* of TF 1 (tf.compat.v1.losses.*): (labels, logits | predictions, ...)
V1_LOSSES = {
    "softmax_cross_entropy": RawLoss("categorical_crossentropy", True, ("onehot_labels", 0), ("logits", 1)),
    "sparse_softmax_cross_entropy": RawLoss("sparse_categorical_crossentropy", True, ("labels", 0), ("logits", 1)),
    "sigmoid_cross_entropy": RawLoss("binary_crossentropy", True, ("multi_class_labels", 0), ("logits", 1)),
    "log_loss": RawLoss("binary_crossentropy", False, ("labels", 0), ("predictions", 1)),
    "mean_squared_error": RawLoss("mean_squared_error", None, ("labels", 0), ("predictions", 1)),
    "absolute_difference": RawLoss("mean_absolute_error", None, ("labels", 0), ("predictions", 1)),
    "hinge_loss": RawLoss("hinge", None, ("labels", 0), ("logits", 1)),
}
# Keras backend losses (`K.categorical_crossentropy(target, output, from_logits=False)`)
BACKEND_LOSSES = {
    "categorical_crossentropy": "categorical_crossentropy",
    "sparse_categorical_crossentropy": "sparse_categorical_crossentropy",
    "binary_crossentropy": "binary_crossentropy",
}


@dataclass(frozen=True)
class FunctionalLayer:
    """`tf.layers.dense(inputs, units, activation=None)` and its kin: where the input and the
    width are passed, the keyword of the activation and its default."""

    inputs: tuple[str, int]
    units: tuple[str, int]
    activation: str
    default: str


FUNCTIONAL_LAYERS = {
    "dense": FunctionalLayer(("inputs", 0), ("units", 1), "activation", "linear"),
    # tf.contrib.layers / tf_slim: the default activation is relu
    "fully_connected": FunctionalLayer(("inputs", 0), ("num_outputs", 1), "activation_fn", "relu"),
    "linear": FunctionalLayer(("inputs", 0), ("num_outputs", 1), "activation_fn", "linear"),
}
# Graph inputs and weights whose literal shape tells a width: `tf.placeholder(tf.float32, [None, 10])`,
# `tf.Variable(tf.zeros([784, 10]))`, `tf.get_variable('W', [784, 10])`: (keyword, position) of the shape.
PLACEHOLDERS = {"placeholder": ("shape", 1), "placeholder_with_default": ("shape", 1)}
WEIGHT_INITS = {"zeros": ("shape", 0), "ones": ("shape", 0), "random_normal": ("shape", 0),
                "truncated_normal": ("shape", 0), "random_uniform": ("shape", 0), "normal": ("shape", 0),
                "uniform": ("shape", 0), "glorot_uniform": ("shape", 0), "get_variable": ("shape", 1)}
