"""Extraction: source -> HeadSpec fields (raw spellings normalised), for every API era."""
from __future__ import annotations

import textwrap

import pytest

from headcheck.head import HeadSpec
from headcheck.lint import extract_heads


def heads(src: str) -> list[HeadSpec]:
    return extract_heads(textwrap.dedent(src), "t.py")


def one(src: str) -> HeadSpec:
    found = heads(src)
    assert len(found) == 1, found
    return found[0]


def test_keras1_add_chain_with_output_dim_and_activation_layer() -> None:
    h = one("""
        from keras.models import Sequential
        from keras.layers.core import Dense, Activation, Dropout
        nb_classes = 10
        model = Sequential()
        model.add(Dense(512, input_shape=(784,), init='uniform'))
        model.add(Activation('relu'))
        model.add(Dense(output_dim=nb_classes, init='glorot_uniform'))
        model.add(Dropout(0.1))
        model.add(Activation('softmax'))
        model.compile(loss='categorical_crossentropy', optimizer='sgd', metrics=['acc'])
    """)
    assert (h.framework, h.activation, h.units) == ("keras", "softmax", 10)
    assert h.loss.name == "categorical_crossentropy" and h.loss.location.row == 11
    assert [(m.name, m.spelling) for m in h.metrics] == [("accuracy", "acc")]
    assert h.activation_location.row == 10 and h.units_location.row == 8


def test_keras1_convolution_nb_filter_as_output() -> None:
    h = one("""
        from keras.models import Sequential
        from keras.layers import Convolution2D
        model = Sequential()
        model.add(Convolution2D(nb_filter=3, nb_row=1, nb_col=1, border_mode='same', activation='softmax'))
    """)
    assert (h.activation, h.units, h.loss) == ("softmax", 3, None)


def test_sequential_list_with_tf_keras_qualified_names() -> None:
    h = one("""
        import tensorflow as tf
        model = tf.keras.models.Sequential([
            tf.keras.layers.Dense(64, activation=tf.nn.relu),
            tf.keras.layers.Dense(3, activation=tf.nn.softmax),
        ])
        model.compile(loss=tf.keras.losses.CategoricalCrossentropy(from_logits=False), optimizer='adam')
    """)
    assert (h.framework, h.activation, h.units) == ("tf.keras", "softmax", 3)
    assert (h.loss.name, h.loss.from_logits) == ("categorical_crossentropy", False)


def test_from_tensorflow_import_keras_is_tf_keras() -> None:
    h = one("""
        from tensorflow import keras
        model = keras.Sequential([keras.layers.Dense(1, activation='sigmoid')])
    """)
    assert (h.framework, h.activation, h.units) == ("tf.keras", "sigmoid", 1)


def test_positional_activation_and_named_constant_units() -> None:
    h = one("""
        from keras.layers import Dense
        from keras import Sequential
        N_OUT = 7
        model = Sequential([Dense(N_OUT, 'softmax')])
    """)
    assert (h.activation, h.units) == ("softmax", 7)


@pytest.mark.parametrize("units_expr", ["len(classes)", "num_classes", "n + 1"])
def test_units_computed_from_the_arguments_of_the_call_site(units_expr: str) -> None:
    h = one(f"""
        from keras.layers import Dense
        from keras import Sequential
        def build(classes, num_classes, n):
            return Sequential([Dense({units_expr}, activation='softmax')])
        model = build(['a', 'b'], 2, 1)
        model.compile(loss='binary_crossentropy')
    """)
    assert (h.activation, h.units, h.loss.name) == ("softmax", 2, "binary_crossentropy")


@pytest.mark.parametrize("units_expr", ["len(classes)", "num_classes", "n + 1", "int(sys.argv[1])"])
def test_units_that_cannot_be_followed_are_unknown(units_expr: str) -> None:
    h = one(f"""
        import sys
        from keras.layers import Dense
        from keras import Sequential
        def build(classes, num_classes, n):
            return Sequential([Dense({units_expr}, activation='softmax')])
        model = build(load_classes(), sys.argv[2], len(open('f').read()))
        model.compile(loss='binary_crossentropy')
    """)
    assert (h.activation, h.units, h.loss.name) == ("softmax", None, "binary_crossentropy")


def test_functional_api_follows_names_back_to_the_dense_layer() -> None:
    h = one("""
        import keras
        inp = keras.Input((10,))
        x = keras.layers.Dense(32, activation='relu')(inp)
        z = keras.layers.Dense(4)(x)
        out = keras.layers.Activation('sigmoid')(z)
        model = keras.Model(inputs=inp, outputs=out)
        model.compile(optimizer='adam', loss='binary_crossentropy', metrics=[keras.metrics.BinaryAccuracy(threshold=0.3)])
    """)
    assert (h.activation, h.units) == ("sigmoid", 4)
    assert h.metrics[0].name == "binary_accuracy" and h.metrics[0].param("threshold") == 0.3


def test_keras1_functional_model_with_output_keyword() -> None:
    h = one("""
        from keras.layers import Input, Dense
        from keras.models import Model
        a = Input(shape=(32,))
        b = Dense(5, activation='softmax')(a)
        model = Model(input=a, output=b)
        model.compile(loss='categorical_crossentropy', optimizer='sgd')
    """)
    assert (h.activation, h.units) == ("softmax", 5)


def test_subclassed_keras_model_call_returning_attribute_layer() -> None:
    h = one("""
        import keras
        class M(keras.Model):
            def __init__(self):
                super().__init__()
                self.out = keras.layers.Dense(NUM, activation='sigmoid')
            def call(self, x):
                return self.out(x)
        NUM = 5
        m = M()
        m.compile(loss='binary_crossentropy')
    """)
    assert (h.activation, h.units) == ("sigmoid", 5)


def test_star_imports_and_positional_compile_arguments() -> None:
    h = one("""
        from keras.models import *
        from keras.layers import *
        from keras.losses import *
        model = Sequential()
        model.add(Dense(3, activation='softmax'))
        model.compile('adam', categorical_crossentropy, ['accuracy'])
    """)
    assert (h.loss.name, h.loss.spelling, h.metrics[0].name) == ("categorical_crossentropy", "categorical_crossentropy", "accuracy")


def test_loss_and_metrics_bound_to_variables_point_where_they_are_built() -> None:
    h = one("""
        import keras
        model = keras.Sequential([keras.layers.Dense(10)])
        loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        mets = ['accuracy', keras.metrics.SparseTopKCategoricalAccuracy(k=5)]
        model.compile(optimizer='adam', loss=loss, metrics=mets)
    """)
    assert (h.activation, h.loss.from_logits, h.loss.location.row) == ("linear", True, 4)
    assert [m.location.row for m in h.metrics] == [5, 5]
    assert h.metrics[0].name == "accuracy"


def test_custom_loss_function_is_unknown() -> None:
    h = one("""
        import keras
        def binary_crossentropy(y_true, y_pred):
            return 0
        model = keras.Sequential([keras.layers.Dense(10, activation='softmax')])
        model.compile(loss=binary_crossentropy)
    """)
    assert h.loss.name == "unknown"


def test_model_built_in_a_function_and_compiled_outside() -> None:
    h = one("""
        from keras.models import Sequential
        from keras.layers import Dense
        def create():
            net = Sequential()
            net.add(Dense(2, activation='softmax'))
            return net
        model = create()
        model.compile(loss='binary_crossentropy')
    """)
    assert (h.activation, h.units) == ("softmax", 2)


@pytest.mark.parametrize("labels_src, encoding", [
    ("y = to_categorical(raw, 3)", "one-hot"),
    ("y = np.eye(3)[raw]", "one-hot"),
    ("y = LabelBinarizer().fit_transform(raw)", "one-hot"),
    ("mlb = MultiLabelBinarizer()\ny = mlb.fit_transform(raw)", "multi-hot"),
    ("_, y = make_multilabel_classification(n_classes=3)", "multi-hot"),
    ("(xt, y), (xv, yv) = keras.datasets.mnist.load_data()", "integer"),
    ("y = raw", None),
])
def test_label_encoding_visible_in_the_source(labels_src: str, encoding: str | None) -> None:
    h = one(f"""
        import numpy as np, keras
        from keras.utils import to_categorical
        from sklearn.preprocessing import LabelBinarizer, MultiLabelBinarizer
        from sklearn.datasets import make_multilabel_classification
        {textwrap.indent(labels_src, ' ' * 8).strip()}
        model = keras.Sequential([keras.layers.Dense(3, activation='softmax')])
        model.compile(loss='categorical_crossentropy')
        model.fit(x, y, epochs=1)
    """)
    assert h.labels == encoding


@pytest.mark.parametrize("labels_src, task", [
    ("y = to_categorical(raw, 3)", "multiclass"),
    ("y = np.eye(3)[raw]", "multiclass"),
    ("y = LabelBinarizer().fit_transform(raw)", None),  # one column when there are two classes
    ("y = MultiLabelBinarizer().fit_transform(raw)", "multilabel"),
    ("y = raw", None),
])
def test_task_made_plain_by_the_labels(labels_src: str, task: str | None) -> None:
    h = one(f"""
        import numpy as np, keras
        from keras.utils import to_categorical
        from sklearn.preprocessing import LabelBinarizer, MultiLabelBinarizer
        {labels_src}
        model = keras.Sequential([keras.layers.Dense(3, activation='softmax')])
        model.compile(loss='categorical_crossentropy')
        model.fit(x, y)
    """)
    assert h.task == task


def test_labels_through_train_test_split() -> None:
    h = one("""
        import keras
        from keras.utils import to_categorical
        from sklearn.model_selection import train_test_split
        Y = to_categorical(y)
        X_tr, X_te, Y_tr, Y_te = train_test_split(X, Y, test_size=0.2)
        model = keras.Sequential([keras.layers.Dense(3, activation='softmax')])
        model.compile(loss='sparse_categorical_crossentropy')
        model.fit(X_tr, Y_tr)
    """)
    assert h.labels == "one-hot" and h.locations["labels"].row == 5


def test_version_pin_in_a_comment_is_read_and_the_era_taken_from_spellings_otherwise() -> None:
    pinned = one("""
        # requirements: keras==2.2.4
        import keras
        model = keras.Sequential([keras.layers.Dense(3, activation='softmax')])
    """)
    keras1 = one("""
        import keras
        model = keras.Sequential([keras.layers.Dense(3, activation='softmax', output_dim=3)])
    """)
    unknown = one("""
        import keras
        model = keras.Sequential([keras.layers.Dense(3, activation='softmax')])
    """)
    assert (pinned.framework, pinned.framework_version, pinned.version_source) == ("keras", "2.2.4", "pinned in the file")
    assert (keras1.framework, keras1.framework_version) == ("keras", "1.2")
    assert keras1.version_source == "taken as Keras 1 from `output_dim=` (line 3); nothing pins the version"
    assert (unknown.framework, unknown.framework_version, unknown.version_source) == ("keras", None, None)


# -- PyTorch ---------------------------------------------------------------------------------------

def test_torch_module_forward_with_reassigned_x() -> None:
    h = one("""
        import torch.nn as nn
        import torch.nn.functional as F
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(10, 20)
                self.fc2 = nn.Linear(20, 3)
            def forward(self, x):
                x = F.relu(self.fc1(x))
                x = self.fc2(x)
                return x
        net = Net()
        crit = nn.CrossEntropyLoss(reduction='sum')
        out = net(inp)
        loss = crit(out, target)
    """)
    assert (h.framework, h.activation, h.units) == ("pytorch", "linear", 3)
    assert (h.loss.name, h.loss.reduction, h.loss.location.row) == ("torch.CrossEntropyLoss", "sum", 14)


@pytest.mark.parametrize("ret, act, axis, missing", [
    ("F.softmax(self.fc(x), dim=1)", "softmax", 1, False),
    ("torch.softmax(self.fc(x), 1)", "softmax", 1, False),
    ("self.fc(x).softmax(dim=-1)", "softmax", -1, False),
    ("self.fc(x).softmax(0)", "softmax", 0, False),
    ("F.softmax(self.fc(x))", "softmax", None, True),
    ("torch.sigmoid(self.fc(x))", "sigmoid", None, False),
    ("self.fc(x).sigmoid()", "sigmoid", None, False),
    ("F.log_softmax(self.fc(x), dim=1)", "log_softmax", 1, False),
    ("self.act(self.fc(x))", "softmax", None, True),
])
def test_torch_forward_activations(ret: str, act: str, axis: int | None, missing: bool) -> None:
    h = one(f"""
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(8, 4)
                self.act = nn.Softmax()
            def forward(self, x):
                return {ret}
    """)
    assert (h.activation, h.activation_axis, h.activation_axis_missing, h.units) == (act, axis, missing, 4)


def test_torch_sequential_and_functional_loss_on_its_output() -> None:
    h = one("""
        import torch
        from torch import nn
        import torch.nn.functional as F
        model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1), nn.Sigmoid())
        pred = model(x)
        loss = F.binary_cross_entropy_with_logits(pred, y)
    """)
    assert (h.activation, h.units, h.loss.name, h.loss.location.row) == ("sigmoid", 1, "torch.BCEWithLogitsLoss", 7)


def test_softmax_applied_in_the_training_loop_is_the_head() -> None:
    h = one("""
        import torch
        from torch import nn
        model = nn.Sequential(nn.Linear(4, 3))
        crit = nn.CrossEntropyLoss()
        probs = torch.softmax(model(x), dim=1)
        loss = crit(probs, y)
    """)
    assert (h.activation, h.units, h.activation_location.row) == ("softmax", 3, 6)


def test_torchmetrics_objects_are_metrics_of_the_torch_head() -> None:
    h = one("""
        import torch
        from torch import nn
        from torchmetrics.classification import MulticlassAccuracy
        model = nn.Sequential(nn.Linear(4, 3))
        acc = MulticlassAccuracy(num_classes=3, average='micro')
    """)
    assert h.metrics[0].name == "torchmetrics.MulticlassAccuracy"
    assert h.metrics[0].param("average") == "micro"


def test_plain_code_has_no_heads() -> None:
    assert heads("import re\npattern = re.compile('x')\nprint(pattern)\n") == []


def test_extraction_never_imports_what_it_reads(tmp_path) -> None:
    marker = tmp_path / "ran"
    src = f"""
        import keras
        open({str(marker)!r}, 'w').write('x')
        model = keras.Sequential([keras.layers.Dense(3, activation='softmax')])
    """
    assert heads(src)[0].activation == "softmax"
    assert not marker.exists()


def test_single_output_loss_list() -> None:
    h = one("""
        import keras
        model = keras.Sequential([keras.layers.Dense(3, activation='softmax')])
        model.compile(loss=['binary_crossentropy'], metrics=[['accuracy']])
    """)
    assert h.loss.name == "binary_crossentropy"


def test_deeply_nested_code_is_skipped_not_crashed(tmp_path) -> None:
    from headcheck.lint import lint_file

    path = tmp_path / "deep.py"
    path.write_text("model.compile(loss=" + "[" * 400 + "]" * 400 + ")\n")
    result = lint_file(str(path))
    assert result.findings == () and result.skipped is not None


def test_torch_model_returned_by_a_factory_function() -> None:
    found = heads("""
        import torch.nn as nn
        def make_model(n_in, n_out):
            layers = nn.Sequential(nn.Linear(n_in, 32), nn.ReLU(), nn.Linear(32, 3), nn.Softmax(dim=1))
            return layers
        model = make_model(8, 3)
        other = nn.Sequential(nn.Linear(3, 2))  # a second model: no "only model" fallback
        crit = nn.CrossEntropyLoss()
        loss = crit(model(x), y)
    """)
    with_loss = [h for h in found if h.loss is not None]
    assert [(h.activation, h.units, h.loss.name) for h in with_loss] == [("softmax", 3, "torch.CrossEntropyLoss")]


def test_lightning_loss_held_in_an_attribute() -> None:
    found = heads("""
        import torch
        import pytorch_lightning as pl
        from torch import nn
        class Tagger(pl.LightningModule):
            def __init__(self):
                super().__init__()
                self.net = nn.Sequential(nn.Linear(32, 16), nn.ReLU(), nn.Linear(16, 6))
                self.criterion = nn.BCEWithLogitsLoss()
            def forward(self, x):
                return torch.sigmoid(self.net(x))
            def training_step(self, batch, idx):
                x, y = batch
                return self.criterion(self(x), y)
    """)
    assert [(h.activation, h.units, h.loss.name, h.loss.location.row) for h in found if h.loss] == [
        ("sigmoid", 6, "torch.BCEWithLogitsLoss", 9)]


def test_torch_names_imported_bare() -> None:
    h = one("""
        from torch.nn import Sequential, Linear, Softmax, CrossEntropyLoss
        model = Sequential(Linear(10, 4), Softmax(dim=1))
        loss = CrossEntropyLoss()(model(x), y)
    """)
    assert (h.framework, h.activation, h.activation_axis, h.units, h.loss.name) == (
        "pytorch", "softmax", 1, 4, "torch.CrossEntropyLoss")


@pytest.mark.parametrize("ret, act, axis", [
    ("keras.ops.softmax(self.out(x))", "softmax", None),
    ("keras.activations.sigmoid(self.out(x))", "sigmoid", None),
    ("tf.nn.softmax(self.out(x), axis=0)", "softmax", 0),
])
def test_keras_subclass_functional_activations(ret: str, act: str, axis: int | None) -> None:
    h = one(f"""
        import keras
        import tensorflow as tf
        class M(keras.Model):
            def __init__(self):
                super().__init__()
                self.out = keras.layers.Dense(4)
            def call(self, x):
                return {ret}
        m = M()
        m.compile(loss='categorical_crossentropy')
    """)
    assert (h.activation, h.activation_axis, h.activation_axis_missing, h.units) == (act, axis, False, 4)
