"""PyTorch (and Lightning): loss classes and functionals, what each loss expects, activations.

PyTorch has no loss or metric strings: a loss is an `nn.*Loss` object or an `F.*` functional, and
it is recognised by its name (source) or by `type(obj).__module__` / `__qualname__` (a live object).
Lightning trains plain torch modules and losses, so it shares this knowledge; only the wording of
fixes (`self.log`, `training_step`) differs.
"""
from __future__ import annotations

# Roots of `type(obj).__module__` for live objects; Lightning modules are torch modules.
MODULE_ROOTS = ("torch", "torchvision")
LIGHTNING_ROOTS = ("lightning", "pytorch_lightning")

# Loss classes of torch.nn -> canonical names.
LOSS_CLASSES = {
    "CrossEntropyLoss": "torch.CrossEntropyLoss",
    "BCELoss": "torch.BCELoss",
    "BCEWithLogitsLoss": "torch.BCEWithLogitsLoss",
    "NLLLoss": "torch.NLLLoss",
    "MSELoss": "torch.MSELoss",
    "L1Loss": "torch.L1Loss",
    "MultiLabelSoftMarginLoss": "torch.MultiLabelSoftMarginLoss",
    "KLDivLoss": "torch.KLDivLoss",
}
# Functionals (torch.nn.functional, torchvision.ops) -> canonical names.
LOSS_FUNCTIONS = {
    "cross_entropy": "torch.CrossEntropyLoss",
    "binary_cross_entropy": "torch.BCELoss",
    "binary_cross_entropy_with_logits": "torch.BCEWithLogitsLoss",
    "nll_loss": "torch.NLLLoss",
    "mse_loss": "torch.MSELoss",
    "l1_loss": "torch.L1Loss",
    "multilabel_soft_margin_loss": "torch.MultiLabelSoftMarginLoss",
    "kl_div": "torch.KLDivLoss",
    "sigmoid_focal_loss": "torchvision.sigmoid_focal_loss",
}
# Other spellings, keyed like the Keras ones (lower-case, no underscores) - `BinaryCrossEntropyLoss`
# in prose, `kldiv`, the class name of torchvision's focal loss.
LOSS_KEYS = {
    **{name.lower(): canonical for name, canonical in LOSS_CLASSES.items()},
    "binarycrossentropyloss": "torch.BCELoss",
    "binarycrossentropywithlogits": "torch.BCEWithLogitsLoss",
    "kldiv": "torch.KLDivLoss",
    "sigmoidfocalloss": "torchvision.sigmoid_focal_loss",
}
CANONICAL_LOSSES = tuple(dict.fromkeys(list(LOSS_CLASSES.values()) + list(LOSS_FUNCTIONS.values())))
# The class a fix names for each canonical loss (functionals have their class twin).
CLASS_OF = {canonical: f"nn.{name}" for name, canonical in LOSS_CLASSES.items()}
CLASS_OF["torchvision.sigmoid_focal_loss"] = "torchvision.ops.sigmoid_focal_loss"

# What each loss expects as input (PyTorch's documentation: CrossEntropyLoss applies log_softmax itself,
# BCEWithLogitsLoss the sigmoid, BCELoss needs [0, 1], NLLLoss log-probabilities).
EXPECTS = {
    "torch.CrossEntropyLoss": "logits",
    "torch.BCEWithLogitsLoss": "logits",
    "torch.MultiLabelSoftMarginLoss": "logits",
    "torchvision.sigmoid_focal_loss": "logits",
    "torch.BCELoss": "probabilities",
    "torch.NLLLoss": "log_probabilities",
    "torch.KLDivLoss": "log_probabilities",
}
LOSS_KIND = {
    "torch.BCELoss": "binary",
    "torch.BCEWithLogitsLoss": "binary",
    "torch.MultiLabelSoftMarginLoss": "binary",
    "torchvision.sigmoid_focal_loss": "binary",
    "torch.CrossEntropyLoss": "categorical",
    "torch.NLLLoss": "categorical",
    "torch.MSELoss": "regression",
    "torch.L1Loss": "regression",
    "torch.KLDivLoss": "other",
}
# The targets each loss expects, in words (for the message when a live loss call fails).
TARGETS = {
    "torch.CrossEntropyLoss": "int64 class indices of shape (N,) in 0..K-1, or float class "
    "probabilities of the outputs' shape (N, K)",
    "torch.NLLLoss": "int64 class indices of shape (N,) in 0..K-1",
    "torch.BCELoss": "float targets in [0, 1] of the outputs' shape (`yb.float()`, and "
    "`yb.float().unsqueeze(1)` for (N, 1) outputs)",
    "torch.BCEWithLogitsLoss": "float targets in [0, 1] of the outputs' shape (`yb.float()`, and "
    "`yb.float().unsqueeze(1)` for (N, 1) outputs)",
    "torch.MultiLabelSoftMarginLoss": "0/1 targets of the outputs' shape (N, K)",
    "torch.MSELoss": "float targets of the outputs' shape",
    "torch.L1Loss": "float targets of the outputs' shape",
}
# The losses that apply a sigmoid themselves.
SIGMOID_LOSSES = frozenset({"torch.BCEWithLogitsLoss", "torch.MultiLabelSoftMarginLoss",
                            "torchvision.sigmoid_focal_loss"})
# Attributes of a live loss module that matter to the rules and the live checks. `weight` and
# `pos_weight` are tensors (their presence is what matters), the others plain values.
LOSS_ATTRS = ("reduction", "label_smoothing", "ignore_index")
LOSS_TENSOR_ATTRS = ("weight", "pos_weight")

# Activation modules and functions that the generic table does not name.
ACTIVATIONS = {"softmax2d": "softmax", "identity": "linear", "logsigmoid": "other", "softmin": "other",
               "tanhshrink": "other", "relu6": "other", "prelu": "other", "hardtanh": "other"}
# Activations whose axis PyTorch picks itself when `dim` is not given (with a warning only).
IMPLICIT_DIM = frozenset({"softmax", "log_softmax"})

# Modules, for the linter: the positional index of the width argument of layers with a width,
# modules that pass their input's width through, activation modules.
UNITS_LAYERS = {"Linear": 1, "LazyLinear": 0, "Conv1d": 1, "Conv2d": 1, "Conv3d": 1, "Bilinear": 2}
UNITS_KEYWORDS = ("out_features", "out_channels", "out1_features")
PASS_LAYERS = frozenset({
    "Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "BatchNorm1d", "BatchNorm2d", "BatchNorm3d",
    "LayerNorm", "GroupNorm", "InstanceNorm1d", "InstanceNorm2d", "Flatten", "Unflatten", "Identity",
    "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveMaxPool2d",
})
ACTIVATION_LAYERS = frozenset({"Softmax", "LogSoftmax", "Softmax2d", "Sigmoid", "Tanh", "ReLU", "ReLU6", "LeakyReLU",
                               "ELU", "SELU", "GELU", "SiLU", "Mish", "Softplus", "Hardtanh", "Hardsigmoid",
                               "LogSigmoid", "Softsign", "PReLU"})
