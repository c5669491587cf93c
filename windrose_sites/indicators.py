"""Regional indicators along an area chain: the look-up half of the criteria engine.

A point's indicator areas form a chain, most specific first (``US-AZ-PIN;US-AZ;US``), expanded
with each area's parents (:func:`windrose_sites.catalog.expand_chain`). The first area with a
sourced value gives it; a wider area standing in for a missing one is a *fallback*, said in the
note. Units are rescaled and USD converted at the ECB annual mean of the figure's own year.
Import duties are summed from their components (:func:`windrose_sites.catalog.import_duty_pct`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from windrose_sites import catalog, fx

__all__ = ["UNIT_SCALES", "indicator_value", "looked_up", "lookup_indicators"]

#: Unit rescalings applied before any currency conversion: unit -> (unit after, factor).
UNIT_SCALES = {
    "EUR/kWh": ("EUR/MWh", 1000.0),
    "US cents/kWh": ("USD/MWh", 10.0),
}


def _convert(row: pd.Series, target_unit: str) -> tuple[float, str]:
    """Value of an indicator row in the criterion's unit, and a note on any conversion.

    A unit of :data:`UNIT_SCALES` is rescaled first (EUR/kWh x 1000 -> EUR/MWh, US cents/kWh
    x 10 -> USD/MWh). USD figures are then converted at the ECB annual average of the figure's
    own year (:func:`windrose_sites.fx.usd_per_eur`); a year without one is an error, never
    another year's rate.
    """
    value, unit, notes = float(row["value"]), str(row["unit"]), []
    if unit in UNIT_SCALES and unit != target_unit:
        unit, factor = UNIT_SCALES[unit]
        notes.append(f"{row['value']:g} {row['unit']} x {factor:g} = {value * factor:g} {unit}")
        value *= factor
    if unit == target_unit:
        return value, "; ".join(notes)
    if unit.replace("USD", "EUR") == target_unit:
        if not np.isfinite(row["year"]):
            msg = f"indicator {row['indicator']!r} ({row['area_id']}) has no year to convert at"
            raise catalog.CatalogError(msg)
        year = int(row["year"])
        try:
            rate = fx.usd_per_eur(year)
        except fx.FxError as exc:
            msg = f"indicator {row['indicator']!r} ({row['area_id']}, {year}): {exc}"
            raise catalog.CatalogError(msg) from exc
        notes.append(f"converted: {value:g} {unit} / {rate:.4f} USD per EUR ({fx.fx_source(year)})")
        return value / rate, "; ".join(notes)
    msg = f"indicator {row['indicator']!r} is in {row['unit']!r}; cannot convert to {target_unit!r}"
    raise catalog.CatalogError(msg)


def indicator_value(
    areas: list[str], indicator: str, unit: str, indicators: pd.DataFrame
) -> dict[str, object]:
    """First available value along the area chain (most specific first), with provenance."""
    rows = indicators[indicators["indicator"] == indicator]
    for i, area in enumerate(areas):
        found = rows[(rows["area_id"] == area) & rows["value"].notna()]
        if not found.empty:
            row = found.sort_values("year").iloc[-1]
            value, conv = _convert(row, unit)
            # A fallback: a wider area stands in for the site's own, whose value is missing
            # (searched, not found) — stated in the note and flagged for the UI.
            own = rows[rows["area_id"].isin(areas[:i])]
            missing_own = list(dict.fromkeys(own["area_name"]))
            fallback = (
                f"fallback: {row['area_name']} for {', '.join(missing_own)}" if missing_own else ""
            )
            note = "; ".join(
                s
                for s in (fallback, f"{row['area_name']} ({row['period']})", row["covers"], conv)
                if s
            )
            kind = "derived" if conv and row["kind"] == "official" else row["kind"]
            return {
                "value": value,
                "source": row["source"],
                "year": row["year"],
                "kind": kind,
                "note": note,
                "fallback": bool(missing_own),
            }
    # Nothing sourced: say what was searched, from the data's own "missing" rows if any.
    notes = rows[rows["area_id"].isin(areas)]["covers"].tolist()
    return {
        "value": np.nan,
        "source": "; ".join(n for n in notes if n) or f"NOT FOUND for areas {areas}",
        "year": np.nan,
        "kind": "missing",
        "note": f"no sourced value for {indicator} in {areas}",
        "fallback": False,
    }


def _duty_value(areas: list[str], indicators: pd.DataFrame) -> dict[str, object]:
    for area in areas:
        if not catalog.duty_components(area, indicators).empty:
            return catalog.import_duty_pct(area, "kit", indicators)
    return {"value": np.nan, "source": f"NOT FOUND: no duty rows for areas {areas}",
            "year": np.nan, "kind": "missing", "note": "", "fallback": False}  # fmt: skip


def looked_up(criteria: pd.DataFrame) -> list[str]:
    """Criteria whose value is looked up per area chain (indicators and duties), in order:
    all but the computed ones (:data:`catalog.COMPUTED`) and the cost model's.
    """
    skip = {*catalog.COMPUTED, catalog.COST_CRITERION}
    return [str(c) for c in criteria.index if c not in skip]


def lookup_indicators(
    chains: np.ndarray, criteria: pd.DataFrame, indicators: pd.DataFrame
) -> dict[str, list[dict[str, object]]]:
    """Criterion -> one value with provenance per chain, for every looked-up criterion.

    ``chains`` are ``;``-separated area chains (``"US-AZ-PIN;US-AZ;US"``); each is expanded
    with its parents (:func:`catalog.expand_chain`) and searched most specific first. Each
    distinct chain is looked up once. A dict has ``value``, ``source``, ``year``, ``kind``,
    ``note`` and ``fallback``.
    """
    distinct = {c: catalog.expand_chain([a for a in c.split(";") if a]) for c in pd.unique(chains)}
    out = {}
    for cid in looked_up(criteria):
        basis, unit = criteria.at[cid, "basis"], criteria.at[cid, "unit"]
        indicator = basis.partition(":")[2] or cid
        found = {
            chain: (
                _duty_value(areas, indicators)
                if basis == catalog.DUTY_BASIS
                else indicator_value(areas, indicator, unit, indicators)
            )
            for chain, areas in distinct.items()
        }
        out[cid] = [found[c] for c in chains]
    return out
