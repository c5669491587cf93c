"""Tariff scenarios: named sets of parameter overrides, and the user's own.

A scenario is a plain ``dict`` mapping ``"param"`` or ``"param@applies_to"`` to a number, or to
another row id whose value it copies. Built-in scenarios are in :data:`TARIFF_SCENARIOS`; a
user-defined one is any such dict (checked by :func:`check_scenario`), so it can be saved as
JSON with the app's scenarios.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from windrose_sites.cost.params import CostError, apply_overrides, parse_override

__all__ = ["TARIFF_LABELS", "TARIFF_SCENARIOS", "check_scenario", "tariff_scenario"]

TARIFF_SCENARIOS: dict[str, dict[str, object]] = {
    "today": {},
    "s232_lifted": {"us_section232_pct": 0.0},
    "eu_parts_at_built_rate": {"eu_parts_duty_pct": "eu_built_duty_pct@EU"},
    "us_import_built": {"built_import_share@US": 1.0},
}
TARIFF_LABELS = {
    "today": "Today's law (Section 232 at 25 % on trucks and kits; EU parts rates on kits)",
    "s232_lifted": "Section 232 lifted (US: MFN + Section 301 only)",
    "eu_parts_at_built_rate": (
        "EU duty on parts rises to the built-vehicle rate (a complete kit classified as the "
        "tractor under GIR 2(a): 16 %)"
    ),
    "us_import_built": (
        "US sites import built trucks instead of assembling kits (no plant capex, no "
        "incentives, built-vehicle duty)"
    ),
}


def tariff_scenario(name: str) -> dict[str, object]:
    """The overrides of a built-in tariff scenario.

    Raises
    ------
    CostError
        For an unknown name, listing the known ones.
    """
    if name not in TARIFF_SCENARIOS:
        msg = f"unknown tariff scenario {name[:60]!r}; known: {', '.join(TARIFF_SCENARIOS)}"
        raise CostError(msg)
    return dict(TARIFF_SCENARIOS[name])


def check_scenario(overrides: Mapping[str, object], params: pd.DataFrame) -> dict[str, object]:
    """Validate a user-defined scenario against the parameter table; returns a clean copy.

    Every key must address a parameter row; every value must be a number >= 0 or a row id.
    """
    if not isinstance(overrides, Mapping):
        msg = (
            f"a tariff scenario is a mapping of parameter -> value, got {type(overrides).__name__}"
        )
        raise CostError(msg)
    clean = {str(k): v for k, v in overrides.items()}
    for key in clean:
        parse_override(key, params)
    apply_overrides(params, clean)  # raises on a bad value
    return clean
