"""BatchBuffer: batches of outputs and targets gathered on their own device, handed to a Tracker
one chunk at a time.

On an accelerator (CUDA, MPS, ...) it does per batch two tensor copies into preallocated tensors
(outputs, targets) and one addition (the loss), on the device the tensors live on: no host copy
and no synchronisation per step. CPU tensors go to the tracker at once (their numpy view costs
less than a copy into a tensor; `on_device=True` forces the gathering, for tests). The rows go to the host (`Tracker.update`) when the buffer is full and
at the epoch's end, in the same order, so the tracker folds the same chunks as it would batch by
batch and the numbers do not change. Capacity: the tracker's chunk (about 32 MiB of outputs),
allocated when the first batch arrives. Anything unusual (targets that are not tensors, a batch
whose shapes differ from the buffer's, ...) goes to the tracker directly, which validates it and
says what is wrong.
"""
from __future__ import annotations

from typing import Any

import torch

from headcheck.live import Tracker
from headcheck.torch.head import to_numpy


class BatchBuffer:
    def __init__(self, tracker: Tracker, capacity: int | None = None, *, on_device: bool | None = None) -> None:
        self.tracker = tracker
        self.capacity = capacity
        self.on_device = on_device  # None: gather on accelerators, hand CPU tensors over at once
        self.n = 0
        self._out: torch.Tensor | None = None
        self._tgt: torch.Tensor | None = None
        self._loss_sum: torch.Tensor | None = None
        self._loss_n = 0
        self._losses_seen = 0

    def add(self, outputs: torch.Tensor, targets: Any, loss: Any = None) -> None:
        """One batch (outputs as the loss reads them, (N,) or (N, K); targets; the loss)."""
        if self.on_device is None and isinstance(outputs, torch.Tensor):
            self.on_device = outputs.device.type != "cpu"
        if loss is not None:
            self.add_loss(loss)
        if not self.on_device:
            self.tracker.update(to_numpy(outputs), to_numpy(targets))
            return
        if not self._fits(outputs, targets):
            self.flush()
            if self._out is not None or not self._usable(outputs, targets):
                self.tracker.update(to_numpy(outputs), to_numpy(targets))  # validates, says what is wrong
                return
            self._allocate(outputs, targets)
        rows = int(outputs.shape[0])
        if self.n + rows > len(self._out):  # type: ignore[arg-type]
            self.flush()
        if rows > len(self._out):  # type: ignore[arg-type]
            self.tracker.update(to_numpy(outputs), to_numpy(targets))
            return
        self._out[self.n:self.n + rows].copy_(outputs.detach())  # type: ignore[index]
        self._tgt[self.n:self.n + rows].copy_(targets.detach())  # type: ignore[index]
        self.n += rows

    def add_loss(self, loss: Any) -> None:
        """One batch's loss; the first one goes to the tracker at once (it is the untrained loss)."""
        if self._losses_seen == 0 or not self.on_device or not isinstance(loss, torch.Tensor) \
                or loss.numel() != 1:
            self.tracker.add_loss(loss.detach() if isinstance(loss, torch.Tensor) else loss)
        else:
            wide = torch.float32 if loss.device.type == "mps" else torch.float64  # mps has no float64
            value = loss.detach().reshape(()).to(wide)
            self._loss_sum = value if self._loss_sum is None else self._loss_sum + value
            self._loss_n += 1
        self._losses_seen += 1

    def flush(self) -> None:
        """Hand the gathered rows and losses to the tracker."""
        if self.n:
            n, self.n = self.n, 0
            self.tracker.update(to_numpy(self._out[:n]), to_numpy(self._tgt[:n]))  # type: ignore[index]
        if self._loss_n:
            self.tracker.add_loss(float(self._loss_sum), count=self._loss_n)  # type: ignore[arg-type]
            self._loss_sum, self._loss_n = None, 0

    # -- internals -----------------------------------------------------------------------------
    def _usable(self, outputs: Any, targets: Any) -> bool:
        return (isinstance(outputs, torch.Tensor) and isinstance(targets, torch.Tensor)
                and outputs.ndim in (1, 2) and targets.ndim in (1, 2) and outputs.ndim >= 1
                and targets.shape[:1] == outputs.shape[:1] and targets.device == outputs.device)

    def _fits(self, outputs: Any, targets: Any) -> bool:
        out, tgt = self._out, self._tgt
        return (out is not None and tgt is not None and isinstance(outputs, torch.Tensor)
                and isinstance(targets, torch.Tensor) and outputs.shape[1:] == out.shape[1:]
                and targets.shape[1:] == tgt.shape[1:] and targets.dtype == tgt.dtype
                and outputs.device == out.device and targets.device == out.device
                and outputs.shape[:1] == targets.shape[:1])

    def _allocate(self, outputs: torch.Tensor, targets: torch.Tensor) -> None:
        rows = self.capacity
        if rows is None:
            from headcheck.io import default_chunk_rows

            rows = default_chunk_rows(to_numpy(outputs[:1]))
        dtype = outputs.dtype if outputs.dtype in (torch.float32, torch.float64) else torch.float32
        self._out = torch.empty((rows,) + tuple(outputs.shape[1:]), dtype=dtype, device=outputs.device)
        self._tgt = torch.empty((rows,) + tuple(targets.shape[1:]), dtype=targets.dtype, device=targets.device)
