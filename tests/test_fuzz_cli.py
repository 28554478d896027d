"""The fuzz suite (issue 12): thousands of generated files, each run through the command line as a
whole process, under a time and an address-space limit.

Every run must: exit 0, 1 or 2; print no traceback and no Python warning; leave every input file
as it was (hashed before and after) and leave nothing behind (no spool file, no file written by an
unpickled object or by code the linter would have run); and, when it refuses the input (exit 2),
say so in a message that names the file. A run that hangs or outgrows its memory fails too.

The runs go through a fork server (`tests/forkserver.py`): headcheck is imported once, each case
is a forked child process (a few ms instead of ~0.4 s of interpreter start-up). The files come from
the strategies of `tests/fuzz_files.py` and from the hostile corpus of `tests/hostile.py`. The
draws are derandomized (the same cases on every run, so CI is reproducible); set
HEADCHECK_FUZZ_SCALE=10 to try ten times as many, HEADCHECK_FUZZ_SEED to draw others.
"""
from __future__ import annotations

import hashlib
import os
from collections import Counter
import re
import shutil
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

import fuzz_files as F
import hostile
import pytest
from forkserver import ForkServer, Run
from hypothesis import HealthCheck, given, seed, settings, strategies as st

SCALE = float(os.environ.get("HEADCHECK_FUZZ_SCALE", "1"))
SEED = os.environ.get("HEADCHECK_FUZZ_SEED")
LOG = os.environ.get("HEADCHECK_FUZZ_LOG")
TIMEOUT = 60  # seconds per run: generous for a loaded CI machine; a blocked read never ends
MEMORY_MB = 768  # address space a run may add to what the imports already take
WARNING = re.compile(r"\b\w*Warning\b:")
MARKERS = (hostile.UNPICKLED, hostile.EXECUTED, F.EXECUTED)


def fuzz_settings(examples: int):
    """`examples` x HEADCHECK_FUZZ_SCALE draws: the same ones on every run (derandomized), or the
    ones HEADCHECK_FUZZ_SEED draws (a failure prints the seed and blob that replay it)."""
    options = dict(max_examples=max(1, int(examples * SCALE)), deadline=None, database=None,
                   suppress_health_check=list(HealthCheck), print_blob=True,
                   derandomize=SEED is None)

    def decorate(test):
        test = settings(**options)(test)
        return test if SEED is None else seed(int(SEED))(test)

    return decorate


@pytest.fixture(scope="session")
def fork():
    with ForkServer() as server:
        yield server


@pytest.fixture(scope="session")
def scratch(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


# --- the oracle ---------------------------------------------------------------------------------
def snapshot(d: Path) -> dict[str, str]:
    """Every entry under `d`: regular files by content hash, links by target, others by type (a
    FIFO or a device is never opened)."""
    out = {}
    for root, dirs, files in os.walk(d):
        for name in dirs + files:
            path = Path(root) / name
            rel = str(path.relative_to(d))
            st_ = os.lstat(path)
            if stat.S_ISLNK(st_.st_mode):
                out[rel] = "link:" + os.readlink(path)
            elif stat.S_ISREG(st_.st_mode):
                out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
            elif stat.S_ISDIR(st_.st_mode):
                out[rel] = "dir"
            else:
                out[rel] = f"special:{stat.S_IFMT(st_.st_mode)}"
    return out


@dataclass
class Case:
    """One run: files written into a fresh directory, the command line, the inputs it names."""

    files: dict[str, bytes]
    argv: list[str]

    def inputs(self) -> list[str]:
        return [a for a in self.argv if a in self.files or a.rstrip("/") in {n.split("/")[0] for n in self.files}]


def run_case(fork: ForkServer, scratch: Path, codes: Counter, case: Case, *, lint: bool = False) -> Run:
    """Write the case's files into a fresh directory, run it, check it; count its exit code."""
    d = Path(tempfile.mkdtemp(dir=scratch))
    tmp = Path(tempfile.mkdtemp(dir=scratch))  # the run's TMPDIR: its spool files must be gone after
    try:
        for name, raw in case.files.items():
            (d / name).parent.mkdir(parents=True, exist_ok=True)
            (d / name).write_bytes(raw)
        before = snapshot(d)
        run = fork.run(case.argv, cwd=d, timeout=TIMEOUT, memory_mb=MEMORY_MB, tmpdir=tmp)
        check(run, case.argv, case.inputs(), before, snapshot(d), lint=lint, leftovers=snapshot(tmp))
        codes[run.code] += 1
        if LOG:  # HEADCHECK_FUZZ_LOG=FILE: one line per run, to tune the strategies
            with open(LOG, "a") as fh:
                fh.write(f"{run.code}\t{' '.join(case.argv)}\t{run.stderr[:160]!r}\n")
        return run
    finally:
        shutil.rmtree(d, ignore_errors=True)
        shutil.rmtree(tmp, ignore_errors=True)


def assert_reached(codes: Counter, examples: int, *, lint: bool = False) -> None:
    """The draws reached both the deep path (runs that report: exit 0 or 1) and the refusals
    (exit 2), each in a fair share of the runs: a set-up that fails every run alike (an import
    that breaks in the children, a reader that refuses everything) cannot pass unnoticed."""
    runs = sum(codes.values())
    assert runs >= min(examples * SCALE, examples) * 0.9, codes  # hypothesis ran (nearly) every case
    if lint:  # files with a head that lint reads (findings), and files it skips or passes
        assert codes[1] >= 0.15 * runs and codes[0] + codes[1] == runs, codes
        return
    assert codes[0] + codes[1] >= 0.15 * runs and codes[2] >= 0.1 * runs, codes


def check(run: Run, argv: list[str], inputs: list[str], before: dict, after: dict, *,
          lint: bool = False, leftovers: dict | None = None) -> None:
    shown = f"headcheck {' '.join(argv)}\nexit {run.code}, signal {run.signal}\n{run.stderr[-3000:]}"
    assert not run.timed_out, "ran past its time limit (a hang?):\n" + shown
    assert run.signal is None, "killed by a signal:\n" + shown
    assert run.code in (0, 1, 2), "exit code outside 0/1/2:\n" + shown
    assert "Traceback" not in run.stderr, "a traceback:\n" + shown
    assert "Traceback (most recent call last)" not in run.stdout, "a traceback:\n" + shown + run.stdout
    assert not WARNING.search(run.stderr), "a Python warning on stderr:\n" + shown
    for marker in MARKERS:
        assert marker not in after, f"{marker}: something was unpickled or executed:\n" + shown
    assert after == before, "files changed, appeared or vanished:\n" + shown + f"\n{before}\n{after}"
    assert not leftovers, "temporary files left behind:\n" + shown + f"\n{leftovers}"
    if lint:
        assert "internal error while linting" not in run.stderr, "a linter bug:\n" + shown
        for line in run.stderr.splitlines():
            assert ": skipped (" in line, "a stderr line that names no file:\n" + shown
        return
    if run.code == 2 and not about_options(run.stderr):
        assert any(Path(name).name in run.stderr for name in inputs), "the message names no file:\n" + shown


# Errors about the command line itself (argparse's usage errors, a head option of `check`, an
# option's value), not about a file: they name the option instead.
OPTION_ERRORS = re.compile(r"^(usage:|headcheck \w+: error: (--|units|activation|loss|metric|framework|"
                           r"head|check:|reported|tolerance|replicates|ci:|label offset:|classes:))",
                           re.MULTILINE)


def about_options(stderr: str) -> bool:
    return bool(OPTION_ERRORS.search(stderr))


# --- command-line options ------------------------------------------------------------------------------
REPORT_OPTIONS = st.just([]) | st.lists(st.sampled_from([
    ["--task", "binary"], ["--task", "multiclass"], ["--task", "multilabel"], ["--task", "ordinal"],
    ["--score-kind", "probabilities"], ["--score-kind", "logits"], ["--score-kind", "hard"],
    ["--score-kind", "independent"], ["--threshold", "0.3"], ["--threshold", "1"], ["--top-k", "2"],
    ["--top-k", "0"], ["--top-k", "-1"], ["--classes", "0,1"], ["--classes", "cat,dog,bird"],
    ["--classes", "1,2,3"], ["--label-offset", "1"], ["--label-offset", "-3"], ["--fail-on", "info"],
    ["--format", "text"], ["--format", "markdown"], ["--format", "html"], ["--format", "text"],
]), max_size=2).map(lambda groups: [a for g in groups for a in g])


def formats(options: list[str]) -> list[str]:
    """JSON unless a format was drawn (rendering text is the costliest part of a small run)."""
    return options if "--format" in options else options + ["--format", "json"]


SIZES = st.tuples(st.integers(1, 12), st.integers(1, 5))


def test_fuzz_runs_stay_on_the_numpy_path():
    """The numba kernel (the default where numba is installed) hands chunks under MIN_CELLS score
    cells to the numpy reference: the fuzz runs (at most 12 x 5, the corpus 100 x 1) never import
    or compile numba, whose JIT would cost seconds and address space in every forked child."""
    from headcheck.engine.kernels.numba_kernel import MIN_CELLS

    assert 12 * 5 < MIN_CELLS and 100 < MIN_CELLS


def npy_pair(data, n: int, k: int, scores: str = "p.npy") -> dict[str, bytes]:
    """y.npy and a scores file: a plausible pair most of the time (then rarely damaged)."""
    y, s, wild = data.draw(F.pairs(n, k))
    return {"y.npy": data.draw(F.npy_files("labels", n, k, y, wild)),
            scores: data.draw(F.npy_files("scores", n, k, s, wild))}


# --- report -----------------------------------------------------------------------------------
def test_fuzz_report_npy_pairs(fork, scratch):
    codes: Counter = Counter()

    @fuzz_settings(500)
    @given(data=st.data())
    def case(data):
        n, k = data.draw(SIZES)
        files = npy_pair(data, n, k)
        argv = ["report", "y.npy", "p.npy"]
        if data.draw(st.integers(0, 9)) == 0:
            files["w.npy"] = data.draw(F.npy_files("scores", n, 1))
            argv += ["--weights", "w.npy"]
        run_case(fork, scratch, codes, Case(files, argv + formats(data.draw(REPORT_OPTIONS))))

    case()
    assert_reached(codes, 500)


def test_fuzz_report_npz(fork, scratch):
    codes: Counter = Counter()

    @fuzz_settings(400)
    @given(data=st.data())
    def case(data):
        n, k = data.draw(SIZES)
        keys = data.draw(st.sampled_from([[]] * 6 + [["--labels-key", "y"], ["--scores-key", "probs"]]))
        run_case(fork, scratch, codes, Case({"d.npz": data.draw(F.npz_files(n, k))},
                                     ["report", "d.npz", *keys] + formats(data.draw(REPORT_OPTIONS))))

    case()
    assert_reached(codes, 400)


def test_fuzz_report_csv(fork, scratch):
    codes: Counter = Counter()

    @fuzz_settings(400)
    @given(data=st.data())
    def case(data):
        n, k = data.draw(SIZES)
        name = data.draw(st.sampled_from(["d.csv", "d.csv", "d.tsv", "d.txt"]))
        files = {name: data.draw(F.csv_files(n, k))}
        argv = ["report", name]
        if data.draw(st.integers(0, 3)) == 0:  # two files: labels, scores
            files["s.csv"] = data.draw(F.csv_files(n, k))
            argv.append("s.csv")
        column = data.draw(st.sampled_from([[]] * 5 + [["--label-column", "label"], ["--label-column", "1"],
                                                       ["--label-column", "nope"]]))
        run_case(fork, scratch, codes, Case(files, argv + column + formats(data.draw(REPORT_OPTIONS))))

    case()
    assert_reached(codes, 400)


def test_fuzz_report_parquet(fork, scratch):
    codes: Counter = Counter()

    @fuzz_settings(250)
    @given(data=st.data())
    def case(data):
        n, k = data.draw(SIZES)
        files = {"d.parquet": data.draw(F.parquet_files(n, k))}
        argv = ["report", "d.parquet"]
        if data.draw(st.integers(0, 3)) == 0:
            files["s.parquet"] = data.draw(F.parquet_files(n, k))
            argv.append("s.parquet")
        run_case(fork, scratch, codes, Case(files, argv + formats(data.draw(REPORT_OPTIONS))))

    case()
    assert_reached(codes, 250)


# --- check, explain, compare ---------------------------------------------------------------------
LABEL_FILES = {
    "y.npy": lambda n, k: F.npy_files("labels", n, k), "y.csv": F.csv_files,
    "y.npz": F.npz_files, "y.parquet": F.parquet_files,
}


def test_fuzz_check_labels(fork, scratch):
    codes: Counter = Counter()

    @fuzz_settings(250)
    @given(data=st.data())
    def case(data):
        n, k = data.draw(SIZES)
        name = data.draw(st.sampled_from(sorted(LABEL_FILES)))
        head = data.draw(st.lists(st.sampled_from([
            ["--activation", "softmax"], ["--activation", "sigmoid"], ["--activation", "linear"],
            ["--units", "1"], ["--units", "10"], ["--units", "0"], ["--units", "1000000000000"],
            ["--loss", "binary_crossentropy"], ["--loss", "categorical_crossentropy"],
            ["--loss", "sparse_categorical_crossentropy"], ["--loss", "nn.CrossEntropyLoss"],
            ["--metric", "accuracy"], ["--framework", "keras==2.2.4"], ["--task", "multilabel"],
            ["--task", "ordinal"], ["--classes", "a,b"], ["--label-offset", "1"], ["--format", "json"],
        ]), min_size=1, max_size=4).map(lambda groups: [a for g in groups for a in g]))
        argv = ["check", *head, "--labels", name]
        if "--activation" not in argv and "--loss" not in argv:
            argv = ["check", "--activation", "softmax", *argv[1:]]
        run_case(fork, scratch, codes, Case({name: data.draw(LABEL_FILES[name](n, k))}, argv))

    case()
    assert_reached(codes, 250)


def test_fuzz_explain(fork, scratch):
    codes: Counter = Counter()

    @fuzz_settings(150)
    @given(data=st.data())
    def case(data):
        n, k = data.draw(SIZES)
        reported = data.draw(st.sampled_from(["0.9", "0.9", "90", "90%", "0.5", "0.75", "val_acc: 0.8",
                                              "abc", "1e400", "-1", "nan", "", "1/2", "0.999999999", "inf"]))
        files = npy_pair(data, n, k)
        name = data.draw(st.sampled_from([[], ["--name", "val_binary_accuracy"], ["--name", "[/b]"]]))
        run_case(fork, scratch, codes, Case(files, ["explain", "y.npy", "p.npy", "--reported", reported, *name]
                                     + formats(data.draw(REPORT_OPTIONS.map(
                                         lambda o: [a for a in o if a != "--fail-on" and a != "info"])))))

    case()
    assert_reached(codes, 150)


def test_fuzz_compare(fork, scratch):
    codes: Counter = Counter()

    @fuzz_settings(100)
    @given(data=st.data())
    def case(data):
        n, k = data.draw(SIZES)
        files = npy_pair(data, n, k, "a.npy")
        y, s, wild = data.draw(F.pairs(n, k))
        files["b.npy"] = data.draw(F.npy_files("scores", n, k, s, wild))
        options = data.draw(st.sampled_from([[], ["--replicates", "20"], ["--ci", "0.5"], ["--top-k", "2"],
                                             ["--task", "multiclass"], ["--metric", "roc_auc"]]))
        run_case(fork, scratch, codes, Case(files, ["compare", "y.npy", "a.npy", "b.npy", "--replicates", "20",
                                             *options, "--format", "json"]))

    case()
    assert_reached(codes, 100)


# --- lint ---------------------------------------------------------------------------------------------
# hypothesmith compiles what it draws, here in the test process: its SyntaxWarnings are not headcheck's
@pytest.mark.filterwarnings("ignore::SyntaxWarning")
def test_fuzz_lint_folders(fork, scratch):
    """A folder of 10 generated .py and .ipynb files per run: each file isolated from the others."""
    codes: Counter = Counter()

    @fuzz_settings(100)
    @given(data=st.data())
    def case(data):
        files = {}
        for i in range(10):
            if data.draw(st.integers(0, 2)) == 0:
                files[f"src/nb{i}.ipynb"] = data.draw(F.notebooks())
            else:
                files[f"src/m{i}.py"] = data.draw(F.python_files())
        fmt = data.draw(st.sampled_from([[], [], ["--format", "json"], ["--format", "sarif"],
                                         ["--format", "github"], ["--show-skipped"]]))
        run = run_case(fork, scratch, codes, Case(files, ["lint", "--no-progress", "--jobs", "1", "src", *fmt]),
                       lint=True)
        assert run.code in (0, 1)  # 2 only for a file that cannot be read or an internal error

    case()
    assert_reached(codes, 100, lint=True)


# --- the hostile corpus --------------------------------------------------------------------------------
def test_hostile_corpus(fork, tmp_path):
    """Every case of the hand-made hostile corpus (`tests/hostile.py`), written at test time."""
    corpus, spool = tmp_path / "corpus", tmp_path / "tmp"
    corpus.mkdir()
    spool.mkdir()
    cases = hostile.write_corpus(corpus)
    before = snapshot(corpus)
    failures = []
    for case in cases:
        run = fork.run(list(case.argv), cwd=corpus, timeout=TIMEOUT, memory_mb=MEMORY_MB, tmpdir=spool)
        try:
            check(run, list(case.argv), list(case.inputs), before, snapshot(corpus),
                  lint=case.argv[0] == "lint", leftovers=snapshot(spool))
        except AssertionError as e:
            failures.append(f"{case.name}: {e}")
    assert not failures, "\n\n".join(failures)
    assert len(cases) >= 100
