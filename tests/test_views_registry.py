"""The framework-view registry: modules of headcheck/views found by walking the package, each
registering its views by (framework, task kind); a new framework is one new file."""
from __future__ import annotations

import sys
import textwrap

import numpy as np
import pytest

import headcheck
import headcheck.views as views
from headcheck._explain import explain_report

FRAMEWORKS = ("keras", "sklearn", "torchmetrics")


def test_every_framework_registers_every_task_kind():
    keys = [(vs.framework, vs.kind) for vs in views.registry()]
    assert len(keys) == len(set(keys))
    for fw in FRAMEWORKS:
        for kind in ("binary", "multiclass", "multilabel"):
            assert (fw, kind) in keys
    assert [vs.framework for vs in views.registry()] == sorted(vs.framework for vs in views.registry())


@pytest.mark.parametrize("y, s", [
    (np.array([0, 1, 1, 0]), np.array([0.2, 0.9, 0.4, 0.1])),
    (np.array([0, 2, 1, 2, 1, 0]), np.eye(6, 3)[[0, 2, 1, 2, 0, 0]] * 0.7 + 0.1),
    (np.eye(3, dtype=np.uint8)[[0, 1, 2, 0]] | np.eye(3, dtype=np.uint8)[[1, 1, 0, 2]],
     np.full((4, 3), 0.6)),
])
def test_report_views_come_framework_by_framework(y, s):
    ids = list(headcheck.report(y, s).views)
    frameworks = [i.split(".")[0] for i in ids]
    assert set(frameworks) == set(FRAMEWORKS)
    assert frameworks == sorted(frameworks)  # grouped, in registry order


def test_explain_tables_come_from_the_framework_modules():
    assert views.view_for_name("val_binary_accuracy") == "keras.binary_accuracy"
    assert views.view_for_name("exact_match") == "torchmetrics.multilabel_exact_match"
    assert views.view_for_name("accuracy") is None
    assert views.honest_metric("keras.binary_accuracy", "multilabel") == "per_label_accuracy"
    assert views.honest_metric("torchmetrics.multiclass_accuracy", "binary") == "balanced_accuracy"
    assert views.honest_metric("keras.binary_accuracy", "multiclass") is None


def test_register_rejects_an_unknown_task_kind():
    with pytest.raises(ValueError, match="regression"):
        views.register("x", "regression")


THROWAWAY = '''
"""A framework added by one file: its views, the honest metric to report instead, its log names."""
from headcheck.engine._result import View
from headcheck.views import register

FRAMEWORK = "zzfw"
HONEST = {"zzfw.hit_rate": {"*": "balanced_accuracy"}}
PRINTED_NAMES = {"hit_rate": "zzfw.hit_rate"}


@register(FRAMEWORK, "binary")
def binary(state, m, notes):
    tp, support, _ = state.counts()
    return {"zzfw.hit_rate": View(float(tp[1] / support[1]), "recall of the positive class",
                                  False, "ignores the negatives")}
'''


@pytest.fixture
def extra_views(tmp_path, monkeypatch):
    """Add modules to headcheck.views for one test (another folder on the package's path), then
    forget them."""
    monkeypatch.setattr(views, "__path__", [*views.__path__, str(tmp_path)])

    def add(name: str, source: str) -> None:
        (tmp_path / f"{name}.py").write_text(textwrap.dedent(source))
        views.clear_cache()

    yield add
    for name in [m for m in sys.modules if m.startswith("headcheck.views.zz")]:
        del sys.modules[name]
    monkeypatch.undo()
    views.clear_cache()


def test_a_new_framework_is_one_file(extra_views):
    extra_views("zzfw", THROWAWAY)
    y, s = np.array([0, 1, 1, 0, 1]), np.array([0.2, 0.9, 0.4, 0.1, 0.8])
    rep = headcheck.report(y, s)
    view = rep.views["zzfw.hit_rate"]
    assert view.value == pytest.approx(2 / 3) and not view.fits_task
    assert list(rep.views)[-1] == "zzfw.hit_rate"  # after torchmetrics: module order
    assert "zzfw.hit_rate" in rep.to_text() and "zzfw.hit_rate" in rep.to_markdown()
    assert rep.to_dict()["views"]["zzfw.hit_rate"]["fits_task"] is False
    assert 'class="misleading"' in rep._repr_html_()
    ex = explain_report(rep, view.value, name="val_hit_rate")
    assert "zzfw.hit_rate" in [m.id for m in ex.matches]
    assert ex.recommended.id == "balanced_accuracy"
    # multiclass data: the module registered no multiclass views
    assert not any(k.startswith("zzfw.") for k in
                   headcheck.report(np.array([0, 1, 2]), np.eye(3) * 0.8 + 0.1 / 3).views)


def test_throwaway_module_is_gone_afterwards():
    assert all(vs.framework in FRAMEWORKS for vs in views.registry())


def test_a_view_id_must_name_its_framework(extra_views):
    extra_views("zzbad", THROWAWAY.replace('FRAMEWORK = "zzfw"', 'FRAMEWORK = "zzbad"'))
    with pytest.raises(ValueError, match="must start with 'zzbad.'"):
        headcheck.report(np.array([0, 1]), np.array([0.3, 0.6]))


def test_two_view_sets_for_one_framework_and_task_are_refused(extra_views):
    extra_views("zzfw", THROWAWAY)
    extra_views("zzfw2", THROWAWAY)
    with pytest.raises(ValueError, match="registered twice"):
        views.registry()
