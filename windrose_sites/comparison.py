"""Moved: the code now lives in :mod:`windrose_sites.tables`; this module re-exports it.

Kept so ``from windrose_sites import comparison`` keeps working; import
:mod:`windrose_sites.tables` in new code.
"""

from __future__ import annotations

from windrose_sites.tables import (
    METHOD_NOTES,
    contributions_long,
    effective_weights_table,
    no_information_note,
    ranking_table,
    side_by_side,
    true_cells,
)

__all__ = [
    "METHOD_NOTES",
    "contributions_long",
    "effective_weights_table",
    "no_information_note",
    "ranking_table",
    "side_by_side",
    "true_cells",
]
