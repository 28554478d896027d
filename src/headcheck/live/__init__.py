"""The live side: headcheck inside a training run, for any framework.

- `tracker`: `Tracker`, the framework-neutral core every front-end builds on. It folds one
  epoch's outputs and targets, batch by batch, into the mergeable engine state (through
  `headcheck.engine.pipeline.Feed`: the same gate and kernel as `report`), keeps the losses and
  the framework's logged metrics per epoch, fills `headcheck.history.TrainingHistory`, and at
  each epoch end gives the honest metrics and the training findings (HC401-HC405).
- `guard`: `Guard`, which runs a front-end's hooks so that nothing headcheck raises reaches the
  user's training loop: the first exception becomes one `HeadCheckWarning` and the front-end
  disables itself.

The front-ends (`headcheck.torch.Monitor`, `headcheck.lightning.HeadCheck`,
`headcheck.keras.HeadCheck`) only translate their framework's objects into arrays and logs.
Nothing here imports a deep-learning framework.

>>> import numpy as np
>>> t = Tracker(framework="pytorch")
>>> t.update(np.array([[2.0, -1.0], [0.5, 1.5]]), np.array([0, 1]), loss=0.41)
>>> epoch = t.end_epoch()
>>> epoch.metrics["accuracy"], epoch.loss
(1.0, 0.41)
"""
from __future__ import annotations

from headcheck.live.guard import Guard, HeadCheckWarning
from headcheck.live.tracker import TRAINING_RULES, EpochResult, Tracker

__all__ = ["TRAINING_RULES", "EpochResult", "Guard", "HeadCheckWarning", "Tracker"]
