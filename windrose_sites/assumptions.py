"""The user's own sites and assumptions on top of the shipped catalog.

A user adds candidate sites (typed in, clicked on the map, uploaded) and edits criterion values.
Both flow into every page at once, and both stay visible as what they are: an edited value gets
provenance kind ``user assumption`` and keeps the shipped value in its note. :func:`parse_edits`
checks a criteria table edited in the UI before :func:`apply_edits` uses it (it was
``windrose_sites.uploads.parse_edits``, still importable there).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from windrose_sites.catalog import SiteCriteria

if TYPE_CHECKING:
    from windrose_sites.uploads import Problem

__all__ = ["USER_KIND", "apply_edits", "merge", "parse_edits"]

#: Provenance kind of a value the user typed in or uploaded.
USER_KIND = "user assumption"


def merge(base: SiteCriteria, extra: SiteCriteria | None) -> SiteCriteria:
    """Shipped criteria plus the user's sites (ids must not clash; the user's are prefixed)."""
    if extra is None or extra.table.empty:
        return base
    clash = base.table.index.intersection(extra.table.index)
    if len(clash):
        msg = f"site ids already in use: {list(clash)[:5]}"
        raise ValueError(msg)
    return SiteCriteria(
        table=pd.concat([base.table, extra.table]),
        provenance=pd.concat([base.provenance, extra.provenance], ignore_index=True),
        attributes=pd.concat([base.attributes, extra.attributes]),
    )


def apply_edits(
    sc: SiteCriteria,
    edits: Mapping[str, Mapping[str, float | None]],
    *,
    source: str = "edited in the app",
) -> SiteCriteria:
    """Replace criterion values with the user's (``None``/NaN means "unknown").

    Edits of unknown sites or criteria are ignored (a site may have been removed since).
    Each edited value's provenance becomes kind :data:`USER_KIND`, with the previous value and
    source kept in the note.
    """
    table = sc.table.copy()
    prov = sc.provenance.copy()
    key = prov["site_id"].astype(str) + "\x00" + prov["criterion"].astype(str)
    position = pd.Series(np.arange(len(prov)), index=key)
    for site_id, values in edits.items():
        if site_id not in table.index:
            continue
        for criterion, value in values.items():
            if criterion not in table.columns:
                continue
            new = np.nan if value is None else float(value)
            old = table.at[site_id, criterion]
            if (np.isnan(new) and np.isnan(old)) or new == old:
                continue
            table.at[site_id, criterion] = new
            i = position.get(f"{site_id}\x00{criterion}")
            if i is None:
                continue
            before = prov.iloc[i]
            note = f"shipped value {before['value']:.6g} ({before['kind']}, {before['source']})"
            prov.iloc[i, prov.columns.get_indexer(["value", "source", "year", "kind", "note"])] = [
                new,
                source,
                np.nan,
                USER_KIND,
                note,
            ]
    return SiteCriteria(table=table, provenance=prov, attributes=sc.attributes)


def parse_edits(
    frame: pd.DataFrame, criteria: pd.DataFrame, previous: pd.DataFrame
) -> tuple[pd.DataFrame, list[Problem]]:
    """Validate a criteria table edited in the UI (e.g. ``st.data_editor``).

    Every column of ``frame`` that is a criterion id (index of ``criteria``, with its
    ``unit``) is coerced to float: blank/None/NaN means unknown and is allowed; text that is
    not a number, infinities, and negatives where the unit cannot be negative
    (:func:`can_be_negative`) are rejected cell by cell, and the cell keeps its value in
    ``previous`` (same index and columns; NaN where it has none). Other columns pass through.
    Problems name the 1-based row, the criterion and the site id.

    Examples
    --------
    >>> crit = pd.DataFrame({"unit": ["km"]}, index=["road_to_port_km"])
    >>> prev = pd.DataFrame({"road_to_port_km": [10.0]}, index=["a"])
    >>> out, p = parse_edits(pd.DataFrame({"road_to_port_km": ["-3"]}, index=["a"]), crit, prev)
    >>> float(out.at["a", "road_to_port_km"]), p[0].column
    (10.0, 'road_to_port_km')
    """
    # uploads re-exports this function, so it is imported here, not at the top (no cycle)
    from windrose_sites.uploads.read import Problem
    from windrose_sites.uploads.validate import _NA_TOKENS, _allowed, can_be_negative

    out, problems = frame.copy(), []
    for cid in [c for c in frame.columns if c in criteria.index]:
        unit = str(criteria.at[cid, "unit"])
        raw = frame[cid]
        text = raw.astype(object).where(raw.notna(), "").astype(str).str.strip()
        values = np.array(pd.to_numeric(text.replace("", np.nan), errors="coerce"), dtype=float)
        blank = text.str.lower().isin(_NA_TOKENS).to_numpy()
        bad = ~blank & ~np.isfinite(values)
        if not can_be_negative(unit):
            bad |= values < 0
        if cid in previous.columns:
            before = previous[cid].reindex(frame.index).to_numpy(dtype=float)
        else:
            before = np.full(len(frame), np.nan)
        for i in np.flatnonzero(bad):
            kept = "unknown" if np.isnan(before[i]) else f"{before[i]:g}"
            msg = (
                f"{frame.index[i]}: {text.iloc[i][:40]!r} is not {_allowed(unit)}; "
                f"kept the previous value ({kept})"
            )
            problems.append(Problem(int(i) + 1, cid, msg))
        values[blank] = np.nan
        values[bad] = before[bad]
        out[cid] = values
    return out, problems
