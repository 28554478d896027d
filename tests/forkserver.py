"""A fork server for running the command line many times, each run a whole process of its own.

Starting Python and importing headcheck costs about 0.3-0.5 s per process; a fuzz suite that runs
thousands of cases cannot pay that each time. This server imports headcheck once, then forks one
child per request: the child is a whole process (its own memory, its own exit code, signals),
limited in address space (RLIMIT_AS) and time (an alarm, and a SIGKILL after a grace period),
with stdout and stderr captured from the file descriptors themselves, that runs
`headcheck.cli.main(argv)` and exits with its return value. An exception that escapes `main`
prints its traceback and exits 1, as the interpreter would.

Protocol (stdin / stdout of the server, one JSON object per line):
    request:  {"argv": [...], "cwd": "...", "timeout": 20, "memory_mb": 1024, "tmpdir": "..."}
    reply:    {"code": 0, "signal": null, "timed_out": false, "stdout": "...", "stderr": "...",
               "seconds": 0.05}
`code` is None when the child was killed by a signal (`signal` names it).

`ForkServer` (below) is the client side: it starts the server as a subprocess and sends requests.
"""
from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SRC = str(Path(__file__).resolve().parent.parent / "src")
# Modules a command imports lazily, imported once by the server so that children do not each pay
# for them (a child's imports do not reach the parent).
WARM = ("headcheck.cli", "headcheck._report", "headcheck._explain", "headcheck._check",
        "headcheck._compare", "headcheck.render", "headcheck.render.report", "headcheck.render.check",
        "headcheck.render.explain", "headcheck.render.lint", "headcheck.render.compare",
        "headcheck.render.text", "headcheck.lint.runner", "headcheck.lint.linter",
        "headcheck.engine.pipeline", "headcheck.engine.executors", "headcheck.io",
        "headcheck.io.shards", "headcheck.rules", "rich.console", "rich.table", "rich.markup",
        "pyarrow", "pyarrow.parquet", "pyarrow.csv")


def _vm_bytes() -> int:
    """This process's virtual memory size (what RLIMIT_AS limits)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:  # pragma: no cover - not Linux
        pass
    return 0


def _child(request: dict, out_path: str, err_path: str) -> None:
    """In the forked child: limits, redirections, the command; never returns."""
    code = 1
    try:
        os.chdir(request.get("cwd") or ".")
        if request.get("tmpdir"):  # where spool files go: the caller checks it is empty after
            os.environ["TMPDIR"] = tempfile.tempdir = request["tmpdir"]
        fd_in = os.open(os.devnull, os.O_RDONLY)
        os.dup2(fd_in, 0)
        for fd, path in ((1, out_path), (2, err_path)):
            target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(target, fd)
            os.close(target)
        budget = int(request.get("memory_mb", 1024)) << 20
        cap = _vm_bytes() + budget  # the imports already mapped, plus what the run may take
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        signal.alarm(max(1, int(request.get("timeout", 20))))
        from headcheck.cli import main

        code = int(main(list(request["argv"])) or 0)
    except SystemExit as e:  # argparse's usage errors
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except BaseException:  # what would escape to the interpreter: its traceback, exit 1
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except BaseException:
            pass
        os._exit(code)


def _serve_one(request: dict) -> dict:
    with tempfile.TemporaryDirectory(prefix="hc-fork-") as tmp:
        out_path, err_path = os.path.join(tmp, "out"), os.path.join(tmp, "err")
        start = time.perf_counter()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            _child(request, out_path, err_path)
        deadline = start + float(request.get("timeout", 20)) + 10  # the alarm's backstop
        status, timed_out, usage = None, False, None
        while status is None:
            done, st, usage = os.wait4(pid, os.WNOHANG)
            if done:
                status = st
            elif time.perf_counter() > deadline:
                os.kill(pid, signal.SIGKILL)
                _, status, usage = os.wait4(pid, 0)
                timed_out = True
            else:
                time.sleep(0.002)
        seconds = time.perf_counter() - start
        cpu = usage.ru_utime + usage.ru_stime if usage is not None else 0.0

        def read(path: str) -> str:
            try:
                with open(path, "rb") as fh:
                    return fh.read(1 << 20).decode("utf-8", "replace")
            except OSError:
                return ""

        sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
        timed_out = timed_out or sig == signal.SIGALRM
        return {"code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
                "signal": signal.Signals(sig).name if sig else None, "timed_out": timed_out,
                "stdout": read(out_path), "stderr": read(err_path), "seconds": seconds, "cpu": cpu}


def _warm_up() -> None:
    """Run each command once here, on tiny files, output discarded: what a first run initialises
    (pyarrow's readers, numpy's and rich's caches, the rule catalogue) is then inherited by every
    child instead of being paid in each (0.2 s of CPU for a first parquet read)."""
    import numpy as np

    from headcheck.cli import main

    saved = os.dup(1), os.dup(2)
    null = os.open(os.devnull, os.O_WRONLY)
    here = os.getcwd()
    try:
        os.dup2(null, 1)
        os.dup2(null, 2)
        with tempfile.TemporaryDirectory(prefix="hc-warm-") as d:
            os.chdir(d)
            np.save("y.npy", np.array([0, 1, 2, 1]))
            np.save("p.npy", np.full((4, 3), 1 / 3))
            np.savez("d.npz", y_true=np.array([0, 1]), y_score=np.array([0.2, 0.7]))
            with open("d.csv", "w") as fh:
                fh.write("label,p\n0,0.2\n1,0.7\n")
            with open("m.py", "w") as fh:
                fh.write("from keras.models import Sequential\nmodel = Sequential()\n"
                         "model.compile(loss='mse')\n")
            commands = [["report", "y.npy", "p.npy"], ["report", "y.npy", "p.npy", "--format", "json"],
                        ["report", "y.npy", "p.npy", "--format", "markdown"], ["report", "d.npz"],
                        ["report", "d.csv"], ["explain", "y.npy", "p.npy", "--reported", "0.5"],
                        ["check", "--activation", "softmax", "--labels", "y.npy"],
                        ["compare", "y.npy", "p.npy", "p.npy", "--replicates", "20"],
                        ["lint", "--no-progress", "m.py"]]
            try:
                import pyarrow as pa
                import pyarrow.parquet as pq

                pq.write_table(pa.table({"label": [0, 1], "p": [0.2, 0.7]}), "d.parquet")
                commands.append(["report", "d.parquet"])
            except ImportError:
                pass
            for argv in commands:
                try:
                    main(argv)
                except BaseException:  # a warm-up only: the runs themselves are checked
                    pass
    finally:
        os.chdir(here)
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (*saved, null):
            os.close(fd)


def serve() -> None:
    """The server loop: import and warm up once, then one forked child per request line."""
    import importlib

    for name in WARM:
        try:
            importlib.import_module(name)
        except ImportError:  # an optional extra that is not installed
            pass
    _warm_up()
    sys.stdout.write(json.dumps({"ready": True}) + "\n")
    sys.stdout.flush()
    for line in sys.stdin:
        if not line.strip():
            continue
        reply = _serve_one(json.loads(line))
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


@dataclass(frozen=True)
class Run:
    code: int | None
    stdout: str
    stderr: str
    timed_out: bool = False
    signal: str | None = None
    seconds: float = 0.0  # wall-clock time of the child
    cpu: float = 0.0  # its CPU time (user + system)


class ForkServer:
    """The client: `with ForkServer() as fs: fs.run(["report", "y.npy", "p.npy"], cwd=d)`."""

    def __init__(self) -> None:
        # pyarrow's jemalloc reserves address space a child's RLIMIT_AS cannot grant: the system
        # allocator instead
        env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""),
                   OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
                   ARROW_DEFAULT_MEMORY_POOL="system",
                   COLUMNS="80", NO_COLOR="1", PYTHONWARNINGS="default")
        self.proc = subprocess.Popen([sys.executable, __file__], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, env=env, bufsize=1)
        ready = self.proc.stdout.readline()  # type: ignore[union-attr]
        if not ready:
            raise RuntimeError("the fork server did not start")
        self.runs = 0
        self.seconds = 0.0

    def run(self, argv: list[Any], *, cwd: str | Path, timeout: int = 20, memory_mb: int = 1024,
            tmpdir: str | Path | None = None) -> Run:
        request = {"argv": [str(a) for a in argv], "cwd": str(cwd), "timeout": timeout,
                   "memory_mb": memory_mb, "tmpdir": str(tmpdir) if tmpdir else None}
        self.proc.stdin.write(json.dumps(request) + "\n")  # type: ignore[union-attr]
        self.proc.stdin.flush()  # type: ignore[union-attr]
        reply = json.loads(self.proc.stdout.readline())  # type: ignore[union-attr]
        self.runs += 1
        self.seconds += reply["seconds"]
        return Run(reply["code"], reply["stdout"], reply["stderr"], reply["timed_out"],
                   reply["signal"], reply["seconds"], reply["cpu"])

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()  # type: ignore[union-attr]
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def __enter__(self) -> ForkServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


if __name__ == "__main__":
    serve()
