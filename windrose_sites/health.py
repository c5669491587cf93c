"""Data health: how much of a ranking rests on official figures, estimates, fallbacks or holes.

A board member who asks "why does Onnaing beat Antwerp?" needs to know which of the values
behind the answer are measured, which are estimates, which come from a wider area standing in
for the site's own (a *fallback*), which are missing and imputed, and which the user typed in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import repeat

import numpy as np
import pandas as pd

from windrose_sites.assumptions import USER_KIND
from windrose_sites.catalog import KINDS

__all__ = ["HEALTH_COLUMNS", "criterion_health", "site_caveats", "summary_sentence"]

#: Columns of :func:`criterion_health`, in order.
HEALTH_COLUMNS = (*KINDS, USER_KIND, "fallback", "imputed in ranking")


def _short(note: str) -> str:
    """'fallback: Flanders for Antwerp province; …' -> 'Flanders for Antwerp province'."""
    return str(note).removeprefix("fallback:").split(";")[0].strip()


def criterion_health(
    provenance: pd.DataFrame,
    criteria: pd.DataFrame,
    imputed: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per criterion: how many site values are of each kind, fallbacks, and imputed.

    Parameters
    ----------
    provenance
        One row per (site, criterion) with ``kind`` and, optionally, a boolean ``fallback``.
    criteria
        The criteria table (index: criterion id; ``label`` column).
    imputed
        The ranking's imputed mask (``result.attrs["imputed"]``): sites × criteria in use.

    Returns
    -------
    pandas.DataFrame
        Indexed by criterion id: ``label`` and one count column per :data:`HEALTH_COLUMNS`.
    """
    counts = pd.crosstab(provenance["criterion"], provenance["kind"])
    out = pd.DataFrame(0, index=criteria.index, columns=list(HEALTH_COLUMNS), dtype=int)
    for kind in counts.columns.intersection(out.columns):
        out[kind] = counts[kind].reindex(out.index, fill_value=0).astype(int)
    if "fallback" in provenance:
        fb = provenance[provenance["fallback"].fillna(False).astype(bool)]
        out["fallback"] = fb.groupby("criterion").size().reindex(out.index, fill_value=0)
    if imputed is not None:
        out["imputed in ranking"] = imputed.sum().reindex(out.index, fill_value=0).astype(int)
    out.insert(0, "label", criteria["label"])
    return out


def site_caveats(
    provenance: pd.DataFrame,
    criteria: pd.DataFrame,
    weights: Mapping[str, float],
    site_ids: pd.Index,
    imputed: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The weighted values of the ranked sites that rest on a fallback, a hole or the user.

    Only criteria with a positive weight count: a fallback in a criterion weighted 0 does not
    move the ranking. Returns one row per (site, criterion, issue) with columns ``site_id``,
    ``criterion``, ``issue`` (``fallback``, ``imputed`` or :data:`USER_KIND`), ``detail`` and
    ``label``: the fallbacks, then the user's values (both in provenance order), then the
    imputed cells (site by site in `site_ids` order, criteria in `weights` order).

    A site's rows do not depend on the other sites asked for, so pass only the sites whose
    caveats are read (a summary's leader and runner-up): the cost grows with `site_ids`.
    """
    used = [c for c, w in weights.items() if w > 0]
    n = len(provenance)
    fb = (
        provenance["fallback"].fillna(False).astype(bool).to_numpy()
        if "fallback" in provenance
        else np.zeros(n, dtype=bool)
    )
    mine = (provenance["kind"] == USER_KIND).to_numpy(dtype=bool, na_value=False)
    # the few rows with an issue, of the sites asked for, in a weighted criterion
    rows = np.flatnonzero((fb | mine) & _isin(provenance["site_id"], site_ids))
    crit = _take(provenance["criterion"], rows)
    weighted = np.asarray(pd.Index(crit, dtype=object).isin(used), dtype=bool)
    rows, crit = rows[weighted], [c for c, w in zip(crit, weighted, strict=True) if w]
    site = _take(provenance["site_id"], rows)
    out: list[tuple[object, ...]] = []
    at_fb = np.flatnonzero(fb[rows])
    notes = _take(provenance["note"], rows[at_fb]) if len(at_fb) else []
    out += zip([site[k] for k in at_fb], [crit[k] for k in at_fb], repeat("fallback"),
               map(_short, map(str, notes)))  # fmt: skip
    at_mine = np.flatnonzero(mine[rows])
    out += zip([site[k] for k in at_mine], [crit[k] for k in at_mine], repeat(USER_KIND),
               repeat("your value"))  # fmt: skip
    if imputed is not None:
        mask = imputed.reindex(index=site_ids, columns=used, fill_value=False)
        i, j = mask.fillna(False).astype(bool).to_numpy().nonzero()
        out += zip(mask.index[i].tolist(), mask.columns[j].tolist(), repeat("imputed"),
                   repeat("missing: counted as worse than known"))  # fmt: skip
    frame = pd.DataFrame(out, columns=["site_id", "criterion", "issue", "detail"])
    frame["label"] = frame["criterion"].map(criteria["label"])
    return frame


#: Up to this many rows are read one by one: a take from an Arrow column with many chunks
#: joins the chunks first, which costs as much for 1 row as for 100,000.
_FEW_ROWS = 64


def _take(column: pd.Series, rows: np.ndarray) -> list[object]:
    """``column.iloc[rows].tolist()``, read cell by cell when there are only a few rows."""
    if len(rows) <= _FEW_ROWS:
        return [column.iloc[k] for k in rows]
    return column.iloc[rows].tolist()


#: Up to this many sites are matched one by one (a summary's two): cheaper than factorizing.
_FEW_SITES = 8


def _isin(column: pd.Series, values: Iterable[object]) -> np.ndarray:
    """``column.isin(values)`` as a numpy mask, without testing 120,000 strings one by one.

    A few values are compared with the whole column, one at a time; many are looked up once
    per distinct value of the column (a provenance column repeats each site many times, and
    ``isin`` over Arrow strings takes tens of milliseconds where ``factorize`` takes a few).
    """
    values = list(values)
    if len(values) <= _FEW_SITES and not pd.isna(values).any():  # (isin matches NA to NA)
        hit = np.zeros(len(column), dtype=bool)
        for v in values:
            hit |= (column == v).to_numpy(dtype=bool, na_value=False)
        return hit
    codes, uniques = pd.factorize(column, use_na_sentinel=False)
    return np.asarray(uniques.isin(values), dtype=bool)[codes]


def summary_sentence(caveats: pd.DataFrame, names: Mapping[str, str], site_id: str) -> str:
    """One plain sentence on what a site's rank rests on, e.g.

    "Antwerp's rank uses 1 fallback value (unemployment: Flanders for Antwerp province)."
    Returns "" when the site's weighted values are all the site's own.
    """
    own = caveats[caveats["site_id"] == site_id]
    if own.empty:
        return ""
    parts = []
    for issue, label in (("fallback", "fallback"), ("imputed", "imputed"), (USER_KIND, "user")):
        rows = own[own["issue"] == issue]
        if rows.empty:
            continue
        what = "; ".join(
            f"{str(lab).lower()}: {det}" if issue == "fallback" else str(lab).lower()
            for lab, det in zip(rows["label"], rows["detail"], strict=True)
        )
        noun = "value" if len(rows) == 1 else "values"
        parts.append(f"{len(rows)} {label} {noun} ({what})")
    return f"{names.get(site_id, site_id)}'s rank uses " + " and ".join(parts) + "."
