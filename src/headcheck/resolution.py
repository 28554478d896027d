"""What Keras's `metrics=['accuracy']` becomes: kept importable here; the table lives with the rest
of the Keras knowledge in `headcheck.frameworks.keras`.

>>> r = resolve_accuracy('keras', '2.2.4', loss='binary_crossentropy', output_units=10,
...                      label_encoding='one-hot', task='multiclass')
>>> r.metric, r.family, r.fits_task
('binary_accuracy', 'loss-based', False)
"""
from __future__ import annotations

from headcheck.frameworks.keras import (FAMILIES, FAMILY_RULES, FAMILY_TITLES, MODERN, Resolution,
                                        fits, meaning, resolve_accuracy, resolve_family, version_family)

__all__ = ["FAMILIES", "FAMILY_RULES", "FAMILY_TITLES", "MODERN", "Resolution", "fits", "meaning",
           "resolve_accuracy", "resolve_family", "version_family"]
