"""Data health: how much of a ranking rests on official figures, estimates, fallbacks or holes.

A board member who asks "why does Onnaing beat Antwerp?" needs to know which of the values
behind the answer are measured, which are estimates, which come from a wider area standing in
for the site's own (a *fallback*), which are missing and imputed, and which the user typed in.
"""

from __future__ import annotations

from collections.abc import Mapping

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
    ``criterion``, ``issue`` (``fallback``, ``imputed`` or :data:`USER_KIND`) and ``detail``.
    """
    used = [c for c, w in weights.items() if w > 0]
    prov = provenance[provenance["site_id"].isin(site_ids) & provenance["criterion"].isin(used)]
    rows = []
    if "fallback" in prov:
        for r in prov[prov["fallback"].fillna(False).astype(bool)].itertuples():
            rows.append((r.site_id, r.criterion, "fallback", _short(r.note)))
    for r in prov[prov["kind"] == USER_KIND].itertuples():
        rows.append((r.site_id, r.criterion, USER_KIND, "your value"))
    if imputed is not None:
        mask = imputed.reindex(index=site_ids, columns=used, fill_value=False)
        cells = mask.fillna(False).astype(bool).to_numpy()
        for i, j in zip(*cells.nonzero(), strict=True):
            rows.append(
                (mask.index[i], mask.columns[j], "imputed", "missing: counted as worse than known")
            )
    frame = pd.DataFrame(rows, columns=["site_id", "criterion", "issue", "detail"])
    frame["label"] = frame["criterion"].map(criteria["label"])
    return frame


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
