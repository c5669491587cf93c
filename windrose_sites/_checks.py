"""Small helpers shared by the validated front doors of :mod:`scoring` and :mod:`weights`.

They only format what was wrong for an error message; the checks themselves stay with the
function that needs them.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np

__all__: list[str] = []


def _listing(values: Sequence[Hashable]) -> str:
    """``'a', 'b'.``: the allowed values, for an error message."""
    return ", ".join(repr(v) for v in values) + "."


def _as_float(value: object, what: str) -> float:
    """``float(value)``, or a ``ValueError`` naming ``what`` when it is not a number."""
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        msg = f"The {what} is {value!r}; it must be a number."
        raise ValueError(msg) from None


def _first_bad(mask: np.ndarray) -> tuple[int, int]:
    """Row and column of the first True cell of a 2-D mask (row by row)."""
    i, j = np.argwhere(mask)[0]
    return int(i), int(j)
