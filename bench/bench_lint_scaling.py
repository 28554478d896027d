"""Benchmark: lint time against the size of one file (issue 12: lint must be linear in the file).

Generated files of 1,000 / 2,000 / 4,000 / 8,000 heads, of four shapes:

* `keras-repeated`: the same small Keras program (Sequential, add, compile, fit) repeated N times,
  reusing the names `model`, `x`, `y` (N models, N compiles, N fits);
* `one-model-compiles`: one Sequential model compiled N times (N compile calls on one name);
* `torch-repeated`: N PyTorch modules, each with a loss applied to its output in a loop;
* `loops`: N Keras heads, each trained in a `for loss in [...]` loop over two losses.

For each, the CPU time of `lint_source` (extraction + rules) is printed beside `ast.parse` of the
same text in the same run (median of `--repeat` runs), with the growth factor from N/2 to N: a
linear linter grows by about 2 each time the file doubles.

    python bench/bench_lint_scaling.py [--sizes 1000,2000,4000,8000] [--repeat 3] [--shapes ...]
"""
from __future__ import annotations

import argparse
import ast
import gc
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

KERAS_HEAD = """
model = Sequential()
model.add(Dense(64, activation='relu', input_shape=(20,)))
model.add(Dense({k}, activation='softmax'))
model.compile(loss='{loss}', optimizer='adam', metrics=['accuracy'])
y = to_categorical(np.random.randint(0, {k}, size=(100,)), {k})
model.fit(x, y, epochs=1)
"""
TORCH_HEAD = """
class Net{i}(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(20, 64)
        self.fc2 = nn.Linear(64, {k})

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


model = Net{i}()
criterion = nn.{loss}()
for xb, yb in loader:
    loss = criterion(model(xb), yb)
"""
LOOP_HEAD = """
for loss in ['binary_crossentropy', 'categorical_crossentropy']:
    model = Sequential([Dense(64, activation='relu'), Dense({k}, activation='softmax')])
    model.compile(loss=loss, optimizer='adam', metrics=['accuracy'])
    model.fit(x, y_onehot, epochs=1)
"""
KERAS_IMPORTS = ("import numpy as np\nfrom keras.models import Sequential\nfrom keras.layers import Dense\n"
                 "from keras.utils import to_categorical\nx = np.random.rand(100, 20)\n"
                 "y_onehot = to_categorical(np.random.randint(0, 5, 100), 5)\n")
TORCH_IMPORTS = "import torch\nimport torch.nn as nn\nloader = []\n"


def generate(shape: str, n: int) -> str:
    if shape == "keras-repeated":
        return KERAS_IMPORTS + "".join(KERAS_HEAD.format(k=3 + i % 7, loss=("categorical_crossentropy", "binary_crossentropy")[i % 2])
                                       for i in range(n))
    if shape == "one-model-compiles":
        body = ["model = Sequential()", "model.add(Dense(64, activation='relu', input_shape=(20,)))",
                "model.add(Dense(10, activation='softmax'))"]
        body += [f"model.compile(loss='{('categorical_crossentropy', 'binary_crossentropy')[i % 2]}', optimizer='adam')"
                 for i in range(n)]
        body.append("model.fit(x, y_onehot)")
        return KERAS_IMPORTS + "\n".join(body) + "\n"
    if shape == "torch-repeated":
        return TORCH_IMPORTS + "".join(TORCH_HEAD.format(i=i, k=2 + i % 9, loss=("CrossEntropyLoss", "NLLLoss")[i % 2])
                                       for i in range(n))
    if shape == "loops":
        return KERAS_IMPORTS + "".join(LOOP_HEAD.format(k=5) for _ in range(n))
    raise ValueError(shape)


SHAPES = ("keras-repeated", "one-model-compiles", "torch-repeated", "loops")


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.process_time()  # CPU time: the machine is shared
        fn()
        times.append(time.process_time() - start)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,2000,4000,8000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--shapes", default=",".join(SHAPES))
    ap.add_argument("--limit", type=float, default=300.0,
                    help="stop a shape once one size takes longer than this many seconds")
    args = ap.parse_args()
    from headcheck.lint import lint_source

    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"{'shape':<20}{'heads':>7}{'lines':>9}{'parse s':>9}{'lint s':>9}{'lint/parse':>11}"
          f"{'growth':>8}{'findings':>10}")
    for shape in args.shapes.split(","):
        previous = None
        for n in sizes:
            text = generate(shape, n)
            parse_t = median_time(lambda: ast.parse(text), args.repeat)
            findings: list = []
            lint_t = median_time(lambda: findings.__setitem__(slice(None), lint_source(text, "gen.py")), args.repeat)
            growth = f"{lint_t / previous:>8.2f}" if previous else f"{'':>8}"
            print(f"{shape:<20}{n:>7}{text.count(chr(10)):>9}{parse_t:>9.3f}{lint_t:>9.3f}"
                  f"{lint_t / parse_t:>11.1f}{growth}{len(findings):>10}", flush=True)
            previous = lint_t
            if lint_t > args.limit:
                print(f"{shape:<20}stopped: {lint_t:.0f} s > --limit {args.limit:.0f} s")
                break
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
