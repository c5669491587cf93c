"""The user's own sites and assumptions on top of the shipped catalog.

A user adds candidate sites (typed in, clicked on the map, uploaded) and edits criterion values.
Both flow into every page at once, and both stay visible as what they are: an edited value gets
provenance kind ``user assumption`` and keeps the shipped value in its note.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from windrose_sites.catalog import SiteCriteria

__all__ = ["USER_KIND", "apply_edits", "merge"]

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
