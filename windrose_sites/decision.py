"""Moved: the code now lives in :mod:`windrose_sites.ranking`; this module re-exports it.

Kept so ``from windrose_sites import decision`` keeps working; import
:mod:`windrose_sites.ranking` in new code.
"""

from __future__ import annotations

from windrose_sites.ranking import (
    AREA_FACTS,
    REMOTE_REASON,
    NoSiteLeftError,
    Ranking,
    apply_filters,
    criteria_with_directions,
    effective_weights,
    evaluate,
    plot_areas,
)

__all__ = [
    "AREA_FACTS",
    "REMOTE_REASON",
    "NoSiteLeftError",
    "Ranking",
    "apply_filters",
    "criteria_with_directions",
    "effective_weights",
    "evaluate",
    "plot_areas",
]
