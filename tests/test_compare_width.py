"""compare's text fits 80 columns like report's (issue 11), without losing a number: the paired
differences say their test once and print intervals with 3 decimals; a table still too wide (many
models, long names) is printed one block per row instead of cut short."""
from __future__ import annotations

import numpy as np
import pytest

import headcheck
from headcheck.render._base import fmt
from headcheck.render.document import Column, Table
from headcheck.render.report import interval_text
from headcheck.render.text import to_text

pytest.importorskip("sklearn")


@pytest.fixture(scope="module")
def models() -> tuple[np.ndarray, dict[str, np.ndarray]]:
    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.naive_bayes import GaussianNB
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    x, y = load_breast_cancer(return_X_y=True)
    xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.5, random_state=0)
    lr = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(xtr, ytr)
    nb = GaussianNB().fit(xtr, ytr)
    return yte, {"logistic": lr.predict_proba(xte)[:, 1], "bayes": nb.predict_proba(xte)[:, 1],
                 "shrunk_logistic_regression_scores": lr.predict_proba(xte)[:, 1] * 0.3}


def _lines_fit(text: str, width: int = 80) -> None:
    too_wide = [line for line in text.splitlines() if len(line) > width]
    assert not too_wide, too_wide
    assert "…" not in text  # no cell cut short


def _every_number_shown(c, text: str) -> None:
    for rep in c.reports.values():
        for k, v in rep.metrics.items():
            assert fmt(v) in text, k
            iv = rep.intervals.get(k)
            if iv is not None:
                assert interval_text(iv) in text, k
    for d in c.differences:
        assert f"{d.value:+.4f}" in text
        assert f"[{d.ci_low:+.3f}, {d.ci_high:+.3f}]" in text
        assert d.test in text


def test_two_models_fit_80_columns_as_tables(models):
    y, scores = models
    c = headcheck.compare(y, {k: scores[k] for k in ("logistic", "bayes")})
    text = c.to_text()
    _lines_fit(text)
    _every_number_shown(c, text)
    # the differences stay a table; the test column is said once in its title
    assert "p from McNemar for accuracy, DeLong for roc_auc, bootstrap for the rest" in " ".join(text.split())
    assert any(line.split()[:2] == ["metric", "diff"] for line in text.splitlines())


def test_three_models_with_long_names_fit_80_columns(models, tmp_path, capsys):
    from headcheck.cli import main

    y, scores = models
    c = headcheck.compare(y, scores)
    text = c.to_text()
    _lines_fit(text)
    _every_number_shown(c, text)
    np.save(tmp_path / "y.npy", y)
    paths = []
    for name, p in scores.items():
        np.save(tmp_path / f"{name}.npy", p)
        paths.append(str(tmp_path / f"{name}.npy"))
    assert main(["compare", str(tmp_path / "y.npy"), *paths]) == 0
    _lines_fit(capsys.readouterr().out)


def test_markdown_keeps_the_wide_table(models):
    y, scores = models
    md = headcheck.compare(y, {k: scores[k] for k in ("logistic", "bayes")}).to_markdown()
    assert "| metric | difference | 95% CI | p | test | reading |" in md  # 4 decimals, a test column
    c = headcheck.compare(y, {k: scores[k] for k in ("logistic", "bayes")})
    d = c.differences[0]
    assert f"[{d.ci_low:+.4f}, {d.ci_high:+.4f}]" in md


def test_a_table_too_wide_is_stacked_not_cut():
    wide = Table("T", (Column("name"), Column("a", "right"), Column("b", "right")),
                 (("first_row_with_a_long_name", "0.123456789 [0.1, 0.2]", "9.87654321 [9.1, 9.9]"),))
    text = to_text([wide], 40)
    _lines_fit(text, 40)
    assert "first_row_with_a_long_name" in text and "a 0.123456789 [0.1, 0.2]" in text
    assert "b 9.87654321 [9.1, 9.9]" in text
    # it fits at 100: an ordinary table
    assert "a 0.123456789" not in to_text([wide], 100)
