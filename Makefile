# Two commands do all the set-up on a fresh machine:
#   make demo   - create .venv, install headcheck, run `headcheck demo`
#   make test   - create .venv, install headcheck with the test extras, run the whole suite
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
# The CPU build of PyTorch (a plain `torch` requirement may pull a multi-GB CUDA build).
TORCH  := torch==2.13.0

.PHONY: demo test bench docs lint-self clean

$(VENV)/.base: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[sklearn,plot]'
	touch $@

$(VENV)/.test: $(VENV)/.base pyproject.toml
	$(PY) -m pip install -q $(TORCH)
	$(PY) -m pip install -q -e '.[test]' $(TORCH)
	touch $@

demo: $(VENV)/.base
	$(VENV)/bin/headcheck demo

test: $(VENV)/.test
	KERAS_BACKEND=torch $(PY) -m pytest -n 2 -q

bench: $(VENV)/.test
	$(PY) bench/bench_report.py
	$(PY) bench/bench_lint.py

# headcheck's linter over its own source (no model there: must pass) - a smoke test of the CLI
lint-self: $(VENV)/.base
	$(VENV)/bin/headcheck lint src bench

docs: $(VENV)/.base
	$(VENV)/bin/headcheck rules --format markdown > docs/rules.md

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .hypothesis
