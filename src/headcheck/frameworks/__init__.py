"""What headcheck knows about each framework, one module per framework.

* `keras`        Keras and tf.keras: loss / metric / activation spellings, what the strings
                 'accuracy' and 'crossentropy' become per version, the API paths fixes name.
* `torch`        PyTorch (and Lightning): loss classes and functionals, what each loss expects
                 (logits, probabilities, log-probabilities), activation modules and functions.
* `torchmetrics` metric classes and their defaults (averaging, thresholds).
* `sklearn`      scikit-learn metric functions and their conventions.
* `tensorflow`   raw TensorFlow 1 / 2 and `tf.compat.v1`: losses and their argument conventions,
                 functional layers, placeholders and weights whose shapes give a width.
* `arrays`       the numpy / torch / TF / Keras-backend operations hand-written softmaxes,
                 cross-entropies and accuracies are made of.
* `datasets`     data sources whose label encoding and class count are known (keras.datasets,
                 scikit-learn loaders and generators, torchvision datasets), label encoders.
* `pretrained`   pretrained models of torchvision / keras.applications / timm: where their head is.

These modules hold tables and small pure functions only; they never import the framework they
describe. `headcheck.vocab` is the one normaliser that reads them (strings, dotted names, classes,
live objects) into the canonical head, and the rules word their fixes per framework
(`headcheck.rules._util.pick`). To teach headcheck a framework's spellings, edit its module here.
"""
from __future__ import annotations

# The frameworks a head can be written in (HeadSpec.framework), and the families whose APIs and
# wording are shared: tf.keras speaks Keras with a `tf.` prefix, Lightning speaks PyTorch.
# Raw TensorFlow (`tf.nn` / `tf.losses` ops, graphs written by hand) is its own framework; its
# losses share Keras's meaning (from_logits) and the Keras API it ships is tf.keras.
FRAMEWORKS: tuple[str, ...] = ("keras", "tf.keras", "pytorch", "lightning", "tensorflow")
KERAS_FAMILY = frozenset({"keras", "tf.keras", "tensorflow"})
TORCH_FAMILY = frozenset({"pytorch", "lightning"})
# The dialects fix texts are written in: a framework, or the metric library a head only shows.
DIALECTS: tuple[str, ...] = FRAMEWORKS + ("torchmetrics", "sklearn")


def family(framework: str | None) -> str | None:
    """'keras' for Keras / tf.keras / raw TensorFlow, 'pytorch' for PyTorch / Lightning /
    torchmetrics, else None."""
    if framework in KERAS_FAMILY:
        return "keras"
    if framework in TORCH_FAMILY or framework == "torchmetrics":
        return "pytorch"
    return None
