"""lint on hostile files (issue 12): malformed notebooks are skipped with one line, an internal
error in one file is one line and exit 2 while every other file is still linted, and files with
a PEP 263 coding cookie are read in their encoding."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from headcheck.cli import main

BAD = ("from keras.models import Sequential\nfrom keras.layers import Dense\n"
       "model = Sequential([Dense(10, activation='softmax')])\n"
       "model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])\n")


def lint(capsys, *argv: object) -> tuple[int, str, str]:
    code = main(["lint", "--no-progress", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def notebook(cells: list, metadata: object = None) -> str:
    return json.dumps({"cells": cells, "metadata": {} if metadata is None else metadata,
                       "nbformat": 4, "nbformat_minor": 5})


def code_cell(source: object) -> dict:
    return {"cell_type": "code", "source": source, "metadata": {}, "outputs": [], "execution_count": None}


HOSTILE_NOTEBOOKS = {
    "source-list-of-numbers.ipynb": (notebook([code_cell(["import keras\n", 3, None])]),
                                     "code cell 1's source is a list holding NoneType, int"),
    "source-number.ipynb": (notebook([code_cell(7)]), "code cell 1's source is int"),
    "source-dict.ipynb": (notebook([code_cell({"a": 1})]), "code cell 1's source is dict"),
    "nested.ipynb": ('{"cells": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply"),
    "big-integer.ipynb": ('{"cells": [{"cell_type": "code", "source": "x = 1", "execution_count": '
                          + "9" * 5000 + "}]}", "Exceeds the limit (4300 digits)"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_NOTEBOOKS))
def test_a_malformed_notebook_is_one_skipped_line_and_the_others_are_linted(tmp_path, capsys, name):
    text, reason = HOSTILE_NOTEBOOKS[name]
    (tmp_path / name).write_text(text)
    (tmp_path / "bad.py").write_text(BAD)
    code, out, err = lint(capsys, tmp_path)
    assert code == 1 and "bad.py:4:20: HC101" in out
    assert "Traceback" not in err and err.count("\n") == 1
    assert f"{name}: skipped (invalid notebook" in err and reason in err


def test_a_kernelspec_that_is_a_string_is_read_as_no_language(tmp_path, capsys):
    (tmp_path / "k.ipynb").write_text(notebook([code_cell(BAD)], {"kernelspec": "python3"}))
    code, out, err = lint(capsys, tmp_path / "k.ipynb")
    assert code == 1 and "HC101" in out and err == ""


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_internal_error_in_one_file_is_one_line_exit_2_and_the_run_goes_on(tmp_path, capsys,
                                                                              monkeypatch, jobs):
    import headcheck.lint.linter as linter

    real = linter.check_source

    def broken(source, filename, **kwargs):
        if filename.endswith("boom.py"):
            raise KeyError("a bug in the linter")
        return real(source, filename, **kwargs)

    monkeypatch.setattr(linter, "check_source", broken)  # the pool forks: workers inherit it
    for name in ("a.py", "boom.py", "z.py"):
        (tmp_path / name).write_text(BAD)
    code, out, err = lint(capsys, tmp_path, "--jobs", jobs)
    assert code == 2  # an error happened: distinct from 1 (findings only)
    assert "a.py:4:20: HC101" in out and "z.py:4:20: HC101" in out
    assert err.strip() == (f"internal error while linting {tmp_path / 'boom.py'}: KeyError: "
                           "'a bug in the linter', please report")


def test_an_internal_error_while_reading_is_isolated_too(tmp_path, capsys, monkeypatch):
    import headcheck.lint.linter as linter

    def broken(path, data=None):
        raise RuntimeError("reader bug")

    monkeypatch.setattr(linter, "read_source", broken)
    (tmp_path / "a.py").write_text(BAD)
    code, out, err = lint(capsys, tmp_path / "a.py")
    assert code == 2 and "internal error while linting" in err and "RuntimeError: reader bug" in err


ENCODED = {
    "latin1.py": ("# -*- coding: latin-1 -*-\n# café, señor\n", "latin-1"),
    "big5.py": ("# coding: big5\n# 中文註解\n", "big5"),
    "koi8.py": ("# vim: set fileencoding=koi8-r :\n# привет\n", "koi8-r"),
    "cp1252.py": ("#!/usr/bin/env python\n# coding=cp1252\n# “quoted” – dash\n", "cp1252"),
}


@pytest.mark.parametrize("name", sorted(ENCODED))
def test_a_coding_cookie_is_honoured(tmp_path, capsys, name):
    header, encoding = ENCODED[name]
    (tmp_path / name).write_bytes((header + BAD).encode(encoding))
    rows = header.count("\n")
    code, out, err = lint(capsys, tmp_path / name)
    assert err == "" and code == 1 and f"{name}:{rows + 4}:20: HC101" in out


def test_bytes_that_do_not_fit_the_cookie_and_odd_cookies_are_skipped_with_the_reason(tmp_path, capsys):
    (tmp_path / "noutf8.py").write_bytes(b"# caf\xe9 keras\n")  # no cookie: UTF-8, and it is not
    (tmp_path / "unknown.py").write_bytes(b"# coding: no-such-codec\n" + BAD.encode())
    (tmp_path / "rot13.py").write_bytes(b"# coding: rot13\n" + BAD.encode())
    (tmp_path / "ascii.py").write_bytes(b"# coding: ascii\n# caf\xe9\n" + BAD.encode())
    code, out, err = lint(capsys, tmp_path)
    lines = sorted(Path(line.split(":")[0]).name + ":" + line.split(":", 1)[1] for line in err.splitlines())
    assert code == 0 and "Traceback" not in err
    assert lines == sorted([
        "ascii.py: skipped (not ascii (its coding cookie) text (byte 21))",
        "noutf8.py: skipped (not UTF-8 text (byte 5))",
        "rot13.py: skipped (cannot decode with its coding cookie 'rot13': 'rot13' is not a text "
        "encoding; use codecs.decode() to handle arbitrary codecs)",
        "unknown.py: skipped (unknown encoding: no-such-codec in its coding cookie)",
    ])
