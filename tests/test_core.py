"""The shared core: findings, severities, the command dispatcher's exit codes."""
from __future__ import annotations

import argparse
import types

import pytest

from headcheck import cli
from headcheck.errors import InputError
from headcheck.findings import Finding, Location, Severity, worst


def _finding(code: str, severity: Severity, location: Location | None = None) -> Finding:
    return Finding(code, "some-name", severity, "msg", "fix", "https://example/x", location)


def test_finding_to_dict_follows_the_contract():
    f = _finding("HC101", Severity.ERROR, Location("a.py", 3, 5, cell=2))
    d = f.to_dict()
    assert set(d) == {"code", "name", "severity", "message", "fix", "url", "location"}
    assert d["severity"] == "error"
    assert d["location"] == {"file": "a.py", "row": 3, "column": 5, "cell": 2}
    assert "location" not in _finding("HC101", Severity.INFO).to_dict()


def test_worst_severity():
    assert worst([]) is None
    fs = [_finding("HC206", Severity.INFO), _finding("HC101", Severity.ERROR), _finding("HC301", Severity.WARNING)]
    assert worst(fs) is Severity.ERROR
    assert worst(fs[:1]) is Severity.INFO


def test_input_error_is_a_value_error_and_keeps_the_hint():
    e = InputError("labels has 3 columns but scores has 5.", hint="Pass --task multiclass.")
    assert isinstance(e, ValueError)
    assert str(e) == "labels has 3 columns but scores has 5. Pass --task multiclass."


def test_no_command_prints_help_and_exits_2(capsys):
    assert cli.main([]) == 2
    assert "usage: headcheck" in capsys.readouterr().err


def test_input_error_becomes_exit_2_without_traceback(monkeypatch, capsys):
    def run(args: argparse.Namespace) -> int:
        raise InputError("scores holds 3 NaN values (first rows: 0, 4, 9).")

    fake = types.SimpleNamespace(NAME="report", HELP="h", add_arguments=lambda p: None, run=run)
    monkeypatch.setattr(cli, "_command_modules", lambda: [fake])
    assert cli.main(["report"]) == 2
    err = capsys.readouterr().err
    assert "headcheck report: error: scores holds 3 NaN values" in err
    assert "Traceback" not in err


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["--version"])
    assert exc.value.code == 0
    assert "headcheck" in capsys.readouterr().out
