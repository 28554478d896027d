"""Pretrained models: where their classification head is, and what it outputs.

torchvision models end in a `Linear` layer (logits) held in a known attribute; fine-tuning replaces
it (`model.fc = nn.Linear(512, 2)`, `model.classifier[6] = ...`). keras.applications models end in
a `Dense(classes, activation=classifier_activation)` (softmax by default) unless built with
`include_top=False`.
"""
from __future__ import annotations

# torchvision.models.<constructor> by name prefix -> the attribute holding the last layer
TORCHVISION_HEADS = (
    ("resnet", "fc"), ("resnext", "fc"), ("wide_resnet", "fc"), ("regnet", "fc"), ("shufflenet", "fc"),
    ("googlenet", "fc"), ("inception", "fc"), ("densenet", "classifier"), ("vgg", "classifier[6]"),
    ("alexnet", "classifier[6]"), ("mobilenet_v2", "classifier[1]"), ("mobilenet_v3", "classifier[3]"),
    ("efficientnet", "classifier[1]"), ("mnasnet", "classifier[1]"), ("convnext", "classifier[2]"),
    ("swin", "head"), ("maxvit", "classifier[5]"),
)
IMAGENET_CLASSES = 1000


def torchvision_head(constructor: str) -> str | None:
    """The attribute holding the last layer of a torchvision model ('fc', 'classifier[6]'), or None."""
    low = constructor.lower()
    for prefix, attr in TORCHVISION_HEADS:
        if low.startswith(prefix):
            return attr
    return None


# keras.applications constructors are CamelCase names under `applications`; their head:
KERAS_APP_DEFAULTS = {"include_top": True, "classes": IMAGENET_CLASSES, "classifier_activation": "softmax"}
