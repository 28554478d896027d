"""The Dask executor: parts folded on the workers of a `distributed` cluster, their states merged
there in the pass's fixed tree (needs `pip install headcheck[dask]`; imported only when used).

Each part becomes one task that opens the part on a worker (a shard's file, a Dask block or
partition, computed there), canonicalises and folds it (`Plan.fold_leaf`: gate then kernel) and
returns its state; merges are tasks too, submitted as the leaves are, in the shape of
`TreeMerge`, so the states meet on the workers and only the root travels to the client. The
plan carries the kernel chosen by the caller (an instance, with its settings), so every worker
computes with the same one.

Failures. A part whose worker dies is run again by the scheduler on another worker (folding a
part has no side effect, so a retry gives the same state). When the scheduler gives up on a part
(its workers died `distributed.scheduler.allowed-failures` + 1 times) or the cluster cannot be
reached mid-run, `run` raises ExecutionError and returns nothing: a result is only ever the root
of the tree over every part (`check_root`). Input errors raise as on the thread executor: the
error of the first failing part in input order.

>>> # with DaskExecutor(address="tcp://10.0.0.5:8786") as ex: run_pass(profile, parts, executor=ex)
"""
from __future__ import annotations

import itertools
import logging
import os
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np

from headcheck.engine.executors import Leaf, TreeMerge, check_root, merge_leaves
from headcheck.engine.pipeline import RawChunk
from headcheck.errors import ExecutionError, InputError

if TYPE_CHECKING:  # pragma: no cover
    from headcheck.engine._state import State
    from headcheck.engine.pipeline import Part, Plan


def _distributed() -> Any:
    try:
        import distributed
    except ImportError as e:
        raise InputError("--executor dask needs dask and distributed, which are not installed. "
                         "Install them with: pip install headcheck[dask]") from e
    return distributed


def fold_task(plan: Any, part: Any, index: int, *inputs: Any) -> Leaf:
    """What a worker runs for part `index`: bind the part to its computed Dask inputs (if any),
    fold it into a state of its own, release it."""
    if inputs:
        part = part.bind(*inputs)
    try:
        return Leaf(plan.fold_leaf(part), index, index + 1)
    finally:
        part.release()


def _rows(leaf: Leaf) -> int:
    return int(leaf.value.n_rows)


class DaskExecutor:
    """Runs a pass on a Dask cluster: the client given, the scheduler at `address`, the client
    already active in this process, or else a local cluster of `n_workers` processes
    (`threads_per_worker` threads each) started on first use and closed by `close()` (or at the
    end of a `with` block)."""

    def __init__(self, client: Any = None, *, address: str | None = None,
                 n_workers: int | None = None, threads_per_worker: int = 1,
                 connect_timeout: float = 10.0, **cluster_kwargs: Any) -> None:
        self._client = client
        self.address = address
        self.n_workers = n_workers
        self.threads_per_worker = threads_per_worker
        self.connect_timeout = connect_timeout
        self.cluster_kwargs = cluster_kwargs
        self._owned: list[Any] = []  # what close() shuts down (made here)

    # -- the cluster -------------------------------------------------------------------------
    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = self._connect()
        return self._client

    def _connect(self) -> Any:
        distributed = _distributed()
        if self.address:
            try:
                client = distributed.Client(self.address, timeout=self.connect_timeout,
                                            set_as_default=False)
            except (OSError, TimeoutError) as e:
                raise InputError(f"--scheduler {self.address}: cannot connect to a Dask scheduler "
                                 f"there ({e}). Check the address (tcp://HOST:8786) and that the "
                                 "scheduler is running and reachable.") from e
            self._owned.append(client)
            return client
        try:
            return distributed.default_client()
        except ValueError:
            pass
        kwargs = {"n_workers": self.n_workers or os.cpu_count() or 1,
                  "threads_per_worker": self.threads_per_worker, "processes": True,
                  "dashboard_address": ":0", "silence_logs": logging.ERROR}
        kwargs.update(self.cluster_kwargs)
        with glibc_malloc():
            cluster = distributed.LocalCluster(**kwargs)
        self._owned.append(cluster)
        client = distributed.Client(cluster, set_as_default=False)
        self._owned.insert(0, client)
        return client

    def close(self) -> None:
        """Close the client and local cluster made here (not a client that was given)."""
        for thing in self._owned:
            try:
                thing.close()
            except Exception:  # pragma: no cover - shutting down: nothing left to save
                pass
        self._owned.clear()
        if self._client is not None and not self._owned:
            self._client = None

    def __enter__(self) -> DaskExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- a pass ------------------------------------------------------------------------------
    def run(self, plan: Plan, parts: Iterable[Part],
            progress: Callable[[int], None] | None = None) -> State:
        """Fold every part on the cluster and merge the states in the fixed tree (module
        docstring); the error of the first failing part in input order, or ExecutionError."""
        import dask

        client = self.client
        pinned = getattr(plan, "pinned", None)
        plan = pinned() if pinned is not None else plan
        token = uuid.uuid4().hex[:10]
        names: list[str] = []
        leaves = []
        for i, part in enumerate(parts):
            part = _own_rows(part)
            inputs = tuple(part.dask_inputs()) if hasattr(part, "dask_inputs") else ()
            skeleton = part.unbound() if inputs else part
            names.append(_name(part, i))
            leaves.append(dask.delayed(fold_task, pure=False)(
                plan, skeleton, i, *inputs, dask_key_name=f"headcheck-fold-{token}-{i}"))
            del part
        if not leaves:
            return plan.new_state()
        try:
            leaf = self._reduce(client, leaves, token, names, progress)
        except (OSError, TimeoutError) as e:
            raise ExecutionError(f"the Dask cluster could not be reached or went away during the "
                                 f"pass ({type(e).__name__}: {e}); no report was produced. Check "
                                 "the scheduler and run again.") from e
        check_root(leaf, len(names))
        return leaf.value

    def _reduce(self, client: Any, leaves: list[Any], token: str, names: list[str],
                progress: Callable[[int], None] | None) -> Leaf:
        """Submit the leaves, their row counts and the merge tree; wait; fetch the root. This
        client keeps no reference to a leaf or an inner merge once the tree holds it, so the
        cluster frees each state as soon as it is merged: a worker holds O(log P) states, not P."""
        count = itertools.count()

        def combine(a: Any, b: Any) -> Any:
            return client.submit(merge_leaves, a, b, pure=False,
                                 key=f"headcheck-merge-{token}-{next(count)}")

        tree: TreeMerge[Any] = TreeMerge(combine)
        rows = []
        for i, f in enumerate(client.compute(leaves)):
            rows.append(client.submit(_rows, f, key=f"headcheck-rows-{token}-{i}", pure=False))
            tree.push(f)
            del f
        leaves.clear()
        root = tree.result()
        del tree
        try:
            self._wait(rows, names, progress)
            return root.result()
        finally:
            client.cancel(rows + [root])

    def _wait(self, rows: list[Any], names: list[str],
              progress: Callable[[int], None] | None) -> None:
        """Wait for every leaf (through its row count). On input errors, raise the one of the
        first failing part in input order once every earlier part is known to have succeeded.
        Parts lost with their workers are waited out and named together (ExecutionError): a
        part that kills its worker takes the parts queued beside it down with it, so the
        scheduler cannot tell which one was at fault."""
        from distributed.scheduler import KilledWorker

        distributed = _distributed()
        index = {f.key: i for i, f in enumerate(rows)}
        failed: dict[int, BaseException] = {}
        lost: dict[int, str] = {}  # part index -> why
        ok: set[int] = set()
        done = 0
        for f in distributed.as_completed(rows, loop=self.client.loop):
            i = index[f.key]
            if f.status == "finished":
                ok.add(i)
                done += f.result()
                if progress is not None:
                    progress(done)
            elif f.status == "cancelled":
                lost[i] = "its task was cancelled (the scheduler restarted?)"
            else:
                error = f.exception()
                if isinstance(error, KilledWorker):
                    lost[i] = str(error)
                else:
                    failed[i] = error
            if failed and not lost and all(j in ok for j in range(min(failed))):
                break
        if lost:
            raise _lost_error({names[i]: why for i, why in sorted(lost.items())})
        if failed:
            raise failed[min(failed)]


def _own_rows(part: Any) -> Any:
    """A slice of in-process arrays travels as its own rows, not with the whole arrays."""
    from headcheck.engine.pipeline import ArrayPart, ChunkPart

    if isinstance(part, ArrayPart):
        a, b = part.start, part.stop
        y, s, w = part.arrays
        return ChunkPart(RawChunk(np.asarray(y[a:b]), np.asarray(s[a:b]),
                                  None if w is None else np.asarray(w[a:b]), a))
    return part


@contextmanager
def glibc_malloc() -> Iterator[None]:
    """Start worker processes with glibc's own malloc tuning. distributed sets
    MALLOC_TRIM_THRESHOLD_=65536 in workers (to hand memory back to the OS sooner), which also
    turns off glibc's adaptive mmap threshold: every large numpy temporary is then mmap'ed and
    faulted in anew, and the kernel spends ~45% more CPU time per chunk (measured: 0.12 s -> 0.18
    s of thread time for 1M x 10 rows). A pass holds one chunk at a time, so nothing is gained
    by trimming. Applies to local clusters started here; see the README for remote workers."""
    import dask

    key = "MALLOC_TRIM_THRESHOLD_"
    leaked = os.environ.pop(key, None)  # a nanny started earlier in this process may have set it
    try:
        with dask.config.set({f"distributed.nanny.pre-spawn-environ.{key}": None}):
            yield
    finally:
        if leaked is not None:
            os.environ[key] = leaked


def _name(part: Any, index: int) -> str:
    where = getattr(part, "where", None) or f"part {index + 1}"
    name = getattr(part, "name", None)
    return f"{where} ({name})" if name else where


def _lost_error(lost: dict[str, str]) -> ExecutionError:
    """The error for parts whose workers died on every try."""
    shown = "; ".join(list(lost)[:5]) + (f"; and {len(lost) - 5} more" if len(lost) > 5 else "")
    why = next(iter(lost.values()))
    return ExecutionError(
        f"the Dask workers died on every try while folding {shown} ({why}); no report was "
        "produced (never a partial one). A worker dies when its process is killed, often for "
        "memory: give the workers more memory, use smaller shards, or raise "
        "distributed.scheduler.allowed-failures.")
