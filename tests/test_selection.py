"""One validated --select / --ignore parser for check, lint and [tool.headcheck]."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from headcheck._check import check
from headcheck.cli import main
from headcheck.errors import InputError
from headcheck.head import HeadSpec
from headcheck.selection import Selection, parse_codes

HEAD = ["--activation", "softmax", "--units", "10", "--loss", "binary_crossentropy", "--metric", "accuracy",
        "--framework", "keras==2.2.4", "--task", "multiclass"]


@pytest.mark.parametrize("bad", ["HX1", "E501", "HC9", "HC1011", "HC10x"])
@pytest.mark.parametrize("option", ["--select", "--ignore"])
def test_check_and_lint_reject_the_same_bad_codes(bad: str, option: str, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", *HEAD, option, bad]) == 2
    check_err = capsys.readouterr().err
    (tmp_path / "a.py").write_text("x = 1\n")
    assert main(["lint", str(tmp_path / "a.py"), option, bad]) == 2
    lint_err = capsys.readouterr().err
    assert bad in check_err and bad in lint_err and "Traceback" not in check_err + lint_err
    assert check_err.split(":", 1)[1] == lint_err.split(":", 1)[1]  # the same message


def test_semantics() -> None:
    s = Selection.parse(select=["hc1", "HC301"], ignore="HC105,HC11")
    assert [c for c in ("HC101", "HC105", "HC111", "HC301", "HC302", "HC401") if s.selects(c)] == [
        "HC101", "HC301"]
    assert Selection.parse(select=["ALL"], ignore=["HC4"]).selects("HC307")
    assert not Selection.parse(ignore=["ALL"]).selects("HC101")
    assert parse_codes(None, "--select") is None and parse_codes(["HC1, ,HC1"], "x") == ("HC1",)


def test_python_check_validates_too() -> None:
    head = HeadSpec.declared(activation="softmax", units=3, loss="binary_crossentropy")
    with pytest.raises(InputError, match="not a rule code"):
        check(head, np.array([0, 1, 2]), select=["HX1"])
    assert [f.code for f in check(head, np.array([0, 1, 2]), select=["HC101"]).findings] == ["HC101"]


def test_pyproject_codes_are_validated(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "pyproject.toml").write_text("[tool.headcheck]\nignore = ['HC1', 'HX1']\n")
    assert main(["lint", str(tmp_path)]) == 2
    assert "HX1" in capsys.readouterr().err
    (tmp_path / "pyproject.toml").write_text("[tool.headcheck]\nper-file-ignores = {'a.py' = ['HC77']}\n")
    assert main(["lint", str(tmp_path)]) == 2
    assert "matches no rule" in capsys.readouterr().err
