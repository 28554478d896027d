"""The Lightning callback on real tiny trainings, under both import names (`lightning` and
`pytorch_lightning`): head findings at fit start, honest validation metrics logged as `hc_<id>`
(equal to `headcheck.report` and scikit-learn on the same outputs), training findings, and bad use
turned into one warning while the fit goes on."""
from __future__ import annotations

import importlib
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from sklearn import metrics as skm  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

import headcheck  # noqa: E402
from headcheck.live import HeadCheckWarning  # noqa: E402

torch.set_num_threads(1)
PACKAGES = []
for _name in ("lightning.pytorch", "pytorch_lightning"):
    try:
        PACKAGES.append(pytest.param(importlib.import_module(_name), id=_name.split(".")[0]))
    except ImportError:  # pragma: no cover - the test set-up installs both
        pass
if not PACKAGES:  # pragma: no cover
    pytest.skip("no Lightning installed", allow_module_level=True)

pytestmark = [pytest.mark.parametrize("L", PACKAGES),
              pytest.mark.filterwarnings("ignore::UserWarning:lightning.*"),
              pytest.mark.filterwarnings("ignore::UserWarning:pytorch_lightning.*"),
              pytest.mark.filterwarnings("ignore::DeprecationWarning")]


def _data(n=400, k=3, weights=None, seed=0, noise=1.6):
    g = torch.Generator().manual_seed(seed)
    y = torch.multinomial(torch.tensor(weights or [1.0] * k), n, replacement=True, generator=g)
    x = (torch.randn(k, 8, generator=g) * 1.2)[y] + noise * torch.randn(n, 8, generator=g)
    return x, y


def _loaders(x, y, split=300, batch=32):
    train = DataLoader(TensorDataset(x[:split], y[:split]), batch_size=batch, shuffle=False)
    val = DataLoader(TensorDataset(x[split:], y[split:]), batch_size=40)
    return train, val


def _module(L, *, head=None, loss=None, k=3, lr=0.02, val=True, log_acc=True, torchmetrics_acc=False):
    class Classifier(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, k))
            self.head = head or nn.Identity()
            self.loss_fn = loss  # a loss held as an attribute (None: F.cross_entropy in the step)
            self.val_outputs, self.val_targets = [], []
            if torchmetrics_acc:
                from torchmetrics.classification import MulticlassAccuracy

                self.val_acc = MulticlassAccuracy(num_classes=k)

        def forward(self, x):
            return self.head(self.net(x))

        def _loss(self, out, y):
            return self.loss_fn(out, y) if self.loss_fn is not None else F.cross_entropy(out, y)

        def training_step(self, batch, batch_idx):
            x, y = batch
            loss = self._loss(self(x), y)
            self.log("train_loss", loss)
            return loss

        def configure_optimizers(self):
            return torch.optim.Adam(self.parameters(), lr=lr)

    if val:
        def validation_step(self, batch, batch_idx):
            x, y = batch
            out = self(x)
            self.val_outputs.append(out.detach().numpy().copy())
            self.val_targets.append(y.numpy().copy())
            if torchmetrics_acc:
                self.val_acc(out, y)
                self.log("val_acc", self.val_acc)
            elif log_acc:
                self.log("val_acc", (out.argmax(1) == y).float().mean())
        Classifier.validation_step = validation_step
    return Classifier()


def _fit(L, model, train, val=None, *, epochs=3, callback=None, **options):
    callback = callback or headcheck.lightning.HeadCheck(**options)
    trainer = L.Trainer(max_epochs=epochs, callbacks=[callback], logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False, num_sanity_val_steps=0,
                        accelerator="cpu", devices=1)
    trainer.fit(model, train, val)
    return trainer, callback


def test_a_correct_head_logs_honest_metrics_equal_to_report_and_sklearn(L, capsys):
    torch.manual_seed(0)
    x, y = _data()
    model = _module(L)
    trainer, cb = _fit(L, model, *_loaders(x, y), epochs=3)
    assert isinstance(cb, L.Callback) and isinstance(cb, headcheck.lightning.HeadCheck)
    assert cb.findings == () and cb.last.findings == () and not cb.disabled
    out, tgt = np.concatenate(model.val_outputs[-3:]), np.concatenate(model.val_targets[-3:])
    assert cb.last.metrics == headcheck.report(tgt, out).metrics  # the last epoch's outputs, exactly
    logged = trainer.callback_metrics
    pred = out.argmax(1)
    assert float(logged["hc_accuracy"]) == pytest.approx(skm.accuracy_score(tgt, pred), abs=1e-6)
    assert float(logged["hc_balanced_accuracy"]) == pytest.approx(skm.balanced_accuracy_score(tgt, pred), abs=1e-6)
    assert float(logged["hc_macro_f1"]) == pytest.approx(skm.f1_score(tgt, pred, average="macro"), abs=1e-6)
    assert cb.history.epochs == 3 and len(cb.history.logged["val_acc"]) == 3
    assert "headcheck" not in capsys.readouterr().err


def test_double_softmax_is_found_at_fit_start_with_lightning_wording(L, capsys):
    torch.manual_seed(0)
    x, y = _data()
    _, cb = _fit(L, _module(L, head=nn.Softmax(dim=1)), *_loaders(x, y), epochs=1)
    assert [f.code for f in cb.findings] == ["HC105"]
    assert cb.check_result.context.head.framework == "lightning"
    assert "headcheck: HC105 double-activation [error]" in capsys.readouterr().err


def test_a_loss_held_as_an_attribute_is_read(L):
    torch.manual_seed(0)
    x, y = _data()
    _, cb = _fit(L, _module(L, loss=nn.NLLLoss()), *_loaders(x, y), epochs=1)
    assert "HC106" in [f.code for f in cb.findings]
    assert cb.check_result.context.head.loss.name == "torch.NLLLoss"


def test_bce_with_logits_after_a_sigmoid_on_a_binary_head(L):
    torch.manual_seed(0)
    x, y = _data(k=2)
    model = _module(L, head=nn.Sigmoid(), k=1, log_acc=False,
                    loss=lambda out, t: F.binary_cross_entropy_with_logits(out.squeeze(1), t.float()))
    _, cb = _fit(L, model, *_loaders(x, y), epochs=1)
    assert "HC105" in [f.code for f in cb.findings]
    assert cb.last.profile.kind == "binary" and cb.last.n_samples == 100


def test_a_collapsed_model_is_stuck_at_the_majority_rate_and_stop_on_error_stops(L):
    torch.manual_seed(0)
    x, y = _data(weights=[0.6, 0.25, 0.15])
    model = _module(L, head=nn.ReLU())
    with torch.no_grad():
        model.net[2].bias.fill_(-50.0)  # dead ReLUs at the output: constant predictions
    trainer, cb = _fit(L, model, *_loaders(x, y), epochs=5)
    codes = [f.code for f in cb.last.findings]
    assert "HC401" in codes and "HC402" in codes
    assert float(trainer.callback_metrics["hc_accuracy"]) == pytest.approx(cb.history.majority_rate)
    model = _module(L, head=nn.ReLU())
    with torch.no_grad():
        model.net[2].bias.fill_(-50.0)
    trainer, cb = _fit(L, model, *_loaders(x, y), epochs=8, stop_on="error")
    assert [f.code for f in cb.findings] == ["HC108"]  # a ReLU output: a warning, not an error
    assert trainer.current_epoch == 5  # stopped when HC401 (an error at the majority rate) fired


def test_a_logged_macro_accuracy_named_val_acc_differs_from_the_honest_accuracy(L):
    pytest.importorskip("torchmetrics")
    torch.manual_seed(0)
    x, y = _data(weights=[0.8, 0.12, 0.08], noise=2.5)
    _, cb = _fit(L, _module(L, torchmetrics_acc=True, lr=0.005), *_loaders(x, y), epochs=1)
    hc405 = [f for f in cb.last.findings if f.code == "HC405"]
    assert hc405 and "torchmetrics.multiclass_accuracy(average='macro')" in hc405[0].message


def test_without_validation_the_training_outputs_are_read(L):
    torch.manual_seed(0)
    x, y = _data()
    train, _ = _loaders(x, y)
    trainer, cb = _fit(L, _module(L, val=False), train, epochs=2)
    assert cb.last.n_samples == 300 and "hc_accuracy" in trainer.callback_metrics
    assert cb.history.logged["train_loss"] and cb.findings == ()


def test_a_custom_loss_is_noted_and_the_data_checks_still_run(L, capsys):
    torch.manual_seed(0)
    x, y = _data()
    model = _module(L, loss=lambda out, t: ((out.softmax(1) - F.one_hot(t, 3)) ** 2).sum(1).mean())
    trainer, cb = _fit(L, model, *_loaders(x, y), epochs=1)
    assert cb.check_result.context.head.loss.name == "unknown"
    assert "unknown loss" in capsys.readouterr().err
    assert cb.check_result.context.task.kind == "multiclass" and "hc_accuracy" in trainer.callback_metrics


def test_a_batch_without_targets_is_one_warning_and_the_fit_goes_on(L):
    class Unsupervised(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.net = nn.Linear(8, 3)

        def training_step(self, batch, batch_idx):
            (x,) = batch
            return (self.net(x) ** 2).mean()  # no targets, no loss headcheck knows

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.01)

        def forward(self, x):
            return self.net(x)

    x, _ = _data(n=64)
    loader = DataLoader(TensorDataset(x), batch_size=16)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        trainer, cb = _fit(L, Unsupervised(), loader, epochs=2)
    ours = [w for w in caught if issubclass(w.category, HeadCheckWarning)]
    assert len(ours) == 1 and "found no targets" in str(ours[0].message)
    assert cb.disabled and trainer.current_epoch == 2  # the fit finished
