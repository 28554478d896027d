"""headcheck.render: every result in every format from one document; to_dict() equals what
--format json prints; user text (class names, file names) escaped for rich, Markdown and HTML."""
from __future__ import annotations

import html
import io
import json
import re

import numpy as np
import pytest

import headcheck
from headcheck._explain import explain_report
from headcheck.cli import main
from headcheck.errors import InputError
from headcheck.head import HeadSpec
from headcheck.render import render

NASTY = np.array(["[/b]", "[dim]cat", "<script>x</script>", "a|b", "[x](javascript:y)"])


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def data(n=300, k=5, seed=0, signal=1.5):
    r = np.random.default_rng(seed)
    y = r.integers(0, k, n)
    z = r.normal(size=(n, k))
    z[np.arange(n), y] += signal
    return y, softmax(z)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("render")
    y, p = data()
    np.save(d / "y.npy", y)
    np.save(d / "p.npy", p)
    np.save(d / "onehot.npy", np.eye(10)[np.arange(200) % 10])
    return d


def cli(capsys, *argv: str) -> str:
    main(list(argv))
    return capsys.readouterr().out


# --- to_dict() == what --format json prints -----------------------------------------------------------
def test_report_to_dict_equals_cli_json(files, capsys):
    args = [str(files / "y.npy"), str(files / "p.npy")]
    printed = json.loads(cli(capsys, "report", *args, "--format", "json"))
    assert printed == headcheck.report_files(args).to_dict()


def test_explain_to_dict_equals_cli_json(files, capsys):
    args = [str(files / "y.npy"), str(files / "p.npy")]
    for reported in ("0.5", "1e-9"):  # matches, and nothing matches (nearest)
        printed = json.loads(cli(capsys, "explain", *args, "--reported", reported, "--format",
                                 "json"))
        assert printed == headcheck.explain_files(args, reported).to_dict()
    assert "nearest" in printed


CHECK = ["--activation", "softmax", "--units", "10", "--loss", "binary_crossentropy",
         "--metric", "accuracy", "--framework", "keras==2.2.4"]


def _check_result(files):
    head = HeadSpec.declared(activation="softmax", units=10, loss="binary_crossentropy",
                             metrics=["accuracy"], framework="keras==2.2.4")
    return headcheck.check(head, np.load(files / "onehot.npy"))


def test_check_to_dict_text_markdown_equal_the_cli(files, capsys):
    argv = ["check", *CHECK, "--labels", str(files / "onehot.npy")]
    res = _check_result(files)
    assert json.loads(cli(capsys, *argv, "--format", "json")) == res.to_dict()
    assert cli(capsys, *argv) == res.to_text()
    md = cli(capsys, *argv, "--format", "markdown")
    assert md == res.to_markdown()
    assert md.startswith("# headcheck check") and "## Findings" in md
    assert all(f"**{f.code} {f.severity.value} {f.name}**" in md for f in res.findings)
    none = headcheck.check(HeadSpec.declared(activation="softmax", units=3,
                                             loss="categorical_crossentropy"), task="multiclass")
    assert "No findings" in none.to_markdown() and "None." in none.to_markdown()


def test_every_result_in_every_format(files):
    rep = headcheck.report_files([str(files / "y.npy"), str(files / "p.npy")])
    ex = explain_report(rep, 0.5)
    res = _check_result(files)
    for result in (rep, ex, res):
        for fmt in ("text", "json", "markdown", "html"):
            out = render(result, fmt)
            assert out and out == result.render(fmt)
        assert render(result, "text") == result.to_text()
        assert json.loads(render(result, "json")) == result.to_dict()
        assert render(result, "markdown") == result.to_markdown()
        assert render(result, "html") == result._repr_html_()
        with pytest.raises(InputError, match="expected one of text, json, markdown, html"):
            render(result, "yaml")


# --- HTML for notebooks ----------------------------------------------------------------------------
def test_report_html_highlights_misleading_views_and_links_findings():
    y = np.array([0] * 90 + [1] * 5 + [2] * 5)
    p = np.tile([0.8, 0.1, 0.1], (100, 1))  # collapsed onto class 0: findings HC307, HC402, ...
    rep = headcheck.report(y, p)
    out = rep._repr_html_()
    misfits = [k for k, v in rep.views.items() if not v.fits_task]
    assert misfits and out.count('class="misleading"') == len(misfits)
    assert out.count('class="fits"') == len(rep.views) - len(misfits)
    for k in misfits:
        row = re.search(rf'<tr class="misleading"[^>]*><td[^>]*><code>{re.escape(k)}</code>', out)
        assert row and "MISLEADING" in out[row.end():out.index("</tr>", row.end())]
    assert rep.findings
    for f in rep.findings:
        assert f'class="finding {f.severity.value}"' in out
        assert f'<a href="{f.url}"' in out and f">{f.code}</a>" in out
    assert "Top confusions" in out and "Top confusions" in rep.to_markdown()


def test_explain_html_highlights_definitions_that_do_not_fit():
    y, p = data(k=10, signal=2.5)
    rep = headcheck.report(y, p)
    ex = explain_report(rep, rep.views["keras.binary_accuracy"].value)
    out = ex._repr_html_()
    assert re.search(r'<tr class="misleading"[^>]*><td[^>]*><code>keras\.binary_accuracy</code>', out)
    assert f"<b>Recommended:</b> accuracy = {rep.metrics['accuracy']:.4f}" in out


def test_check_html_links_each_finding_by_severity(files):
    res = _check_result(files)
    out = res._repr_html_()
    assert res.findings
    for f in res.findings:
        assert f'class="finding {f.severity.value}"' in out and f'<a href="{f.url}"' in out


# --- user text is shown as written ------------------------------------------------------------------
@pytest.fixture(scope="module")
def nasty_report():
    r = np.random.default_rng(1)
    y = NASTY[r.integers(0, len(NASTY), 200)]
    return headcheck.report(y, softmax(r.normal(size=(200, len(NASTY)))),
                            source="[red]labels[/red] <b>.npy")


def test_class_names_with_rich_markup_print_literally(nasty_report):
    from rich.console import Console

    text = nasty_report.to_text()
    for name in NASTY:
        assert name in text  # per-class table, baselines, confusions
    assert "[red]labels[/red] <b>.npy" in text
    console = Console(width=80, record=True, file=io.StringIO(), color_system="truecolor")
    console.print(nasty_report)  # MarkupError before, or the markup vanished
    shown = console.export_text()
    assert "[/b]" in shown and "[dim]cat" in shown
    assert all(len(line) <= 80 for line in text.splitlines())


def test_html_escapes_class_and_file_names(nasty_report):
    out = nasty_report._repr_html_()
    assert "<script>" not in out and "<b>.npy" not in out
    assert html.escape("<script>x</script>") in out and html.escape("<b>.npy") in out


def test_markdown_escapes_class_and_file_names(nasty_report):
    md = nasty_report.to_markdown()
    assert "<script>" not in md and "](javascript" not in md
    assert md.splitlines()[0] == "# headcheck report: `[red]labels[/red] <b>.npy`"
    per_class = md[md.index("## Per class"):].split("\n\n")[1].splitlines()
    # `a|b` does not add a column: 6 cells between unescaped pipes in every row
    assert all(len(re.split(r"(?<!\\)\|", row)) == 8 for row in per_class)
    assert any(row.startswith("| a\\|b |") for row in per_class)


def test_explain_shows_markup_like_class_names_literally():
    from rich.console import Console

    y = np.array(["[/i]y", "[/i]y", "[/i]y", "[b]x"])  # the majority baseline names '[/i]y'
    ex = headcheck.explain(y, np.array([[0.1, 0.9], [0.2, 0.8], [0.6, 0.4], [0.7, 0.3]]), 0.75)
    assert "baseline.majority_class" in [m.id for m in ex.matches]
    console = Console(width=80, record=True, file=io.StringIO())
    console.print(ex)
    assert "'[/i]y'" in console.export_text() and "'[/i]y'" in ex.to_text()
    assert html.escape("'[/i]y'") in ex._repr_html_()


def test_cli_html_of_report_and_explain(files, capsys):
    args = [str(files / "y.npy"), str(files / "p.npy")]
    rep = headcheck.report_files(args)
    assert cli(capsys, "report", *args, "--format", "html") == rep._repr_html_() + "\n"
    out = cli(capsys, "explain", *args, "--reported", "0.5", "--format", "html")
    assert out == headcheck.explain_files(args, "0.5")._repr_html_() + "\n"
    assert html.escape(str(files / "y.npy")) in rep._repr_html_()


@pytest.mark.parametrize("value,digits,shown", [(-0.0, 4, "0.0000"), (-1e-17, 4, "0.0000"), (-4e-5, 4, "0.0000"),
                                                (-6e-5, 4, "-0.0001"), (-0.25, 4, "-0.2500"), (-1e-4, 0, "0"),
                                                (0.0, 3, "0.000")])
def test_numbers_that_round_to_zero_print_without_a_sign(value, digits, shown):
    from headcheck.render._base import fmt

    assert fmt(value, digits) == shown


def test_a_tiny_negative_metric_prints_as_zero_in_every_text_format():
    from dataclasses import replace

    rep = headcheck.report(np.array([0, 1, 2, 0, 1, 2]), np.eye(3)[[0, 1, 1, 0, 2, 2]] * 0.7 + 0.1)
    rep = replace(rep, metrics={**rep.metrics, "cohen_kappa": -2.2e-17})  # float error around 0
    for fmt_ in ("text", "markdown", "html"):
        out = rep.render(fmt_)
        assert "cohen_kappa" in out and "-0.0000" not in out, fmt_
    assert re.search(r"cohen_kappa\s+0\.0000", rep.to_text())
