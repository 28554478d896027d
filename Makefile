# Two commands do all the set-up on a fresh machine:
#   make demo   - create .venv, install headcheck (+ Keras and CPU torch), run `headcheck demo`
#                 and `headcheck demo --keras`
#   make test   - create .venv, install headcheck with the test extras, run the whole suite
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
# The CPU build of PyTorch (a plain `torch` requirement may pull a multi-GB CUDA build).
TORCH  := torch==2.13.0
# The other Keras 3 backends and tf.keras 2, pinned together (tf-keras must match TensorFlow's minor
# version); torch is pinned again so that pip never swaps it for a CUDA build.
KERAS_BACKENDS := tensorflow-cpu==2.21.0 tf-keras==2.21.0 jax==0.10.2 jaxlib==0.10.2
# The live Keras tests once more per backend, each in its own process (`-m keras_live`): Keras 3 on
# jax and on tensorflow, and tf.keras 2 (the whole suite above runs Keras 3 on torch).
KERAS_RUNS := "KERAS_BACKEND=jax" "KERAS_BACKEND=tensorflow" \
              "KERAS_BACKEND=tensorflow TF_USE_LEGACY_KERAS=1 HEADCHECK_TEST_KERAS=tf_keras"

.PHONY: demo test test-keras-backends bench docs lint-self clean

$(VENV)/.base: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[sklearn,plot]'
	touch $@

$(VENV)/.test: $(VENV)/.base pyproject.toml
	$(PY) -m pip install -q $(TORCH)
	$(PY) -m pip install -q -e '.[test]' $(TORCH)
	$(PY) -m pip install -q $(KERAS_BACKENDS) $(TORCH)
	touch $@

# the live demo trains tiny Keras 3 models on the torch backend (CPU build, pinned)
$(VENV)/.demo: $(VENV)/.base pyproject.toml
	$(PY) -m pip install -q -e '.[sklearn,plot,keras]' $(TORCH)
	touch $@

demo: $(VENV)/.demo
	$(VENV)/bin/headcheck demo
	$(VENV)/bin/headcheck demo --keras

test: $(VENV)/.test
	KERAS_BACKEND=torch $(PY) -m pytest -n 2 -q
	$(MAKE) --no-print-directory test-keras-backends

test-keras-backends: $(VENV)/.test
	@for run in $(KERAS_RUNS); do \
	  echo "== live Keras tests: $$run"; \
	  env $$run $(PY) -m pytest -n 2 -q -m keras_live || exit 1; \
	done

bench: $(VENV)/.test
	$(PY) bench/bench_report.py
	$(PY) bench/bench_lint.py
	$(PY) bench/bench_lint_scaling.py
	$(PY) bench/bench_lint_eval.py

# headcheck's linter over its own source (no model there: must pass) - a smoke test of the CLI
lint-self: $(VENV)/.base
	$(VENV)/bin/headcheck lint src bench

docs: $(VENV)/.base
	$(VENV)/bin/headcheck rules --format markdown > docs/rules.md

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .hypothesis
