"""Tables behind the compare page: effective weights, ranking, contributions, side by side.

(Formerly ``windrose_sites.comparison``, which still re-exports these names.)
"""

from __future__ import annotations

import pandas as pd

from windrose_sites import scoring

__all__ = [
    "METHOD_NOTES",
    "contributions_long",
    "effective_weights_table",
    "no_information_note",
    "ranking_table",
    "side_by_side",
    "true_cells",
]

#: One line per method: what the score means (the formula is in ``scoring.score``'s docstring).
METHOD_NOTES = {
    "wsm": "Weighted sum of min–max normalized values: (x − min)/(max − min) for a benefit, "
    "(max − x)/(max − min) for a cost. Score 0–1; contributions add up to the score.",
    "wpm": "Weighted product of x/max (benefit) and min/x (cost), each raised to its weight. "
    "Score 0–1; a site weak on one criterion is penalised more than in the weighted sum. "
    + scoring.WPM_RULE,
    "topsis": "TOPSIS (Hwang & Yoon): vector normalization, distance to the ideal and the "
    "anti-ideal site; score = relative closeness, 0–1.",
    "promethee": "PROMETHEE II net flow, usual preference function: for each criterion, the share "
    "of sites this one beats minus the share that beat it, weighted. Score −1 to 1.",
}


def effective_weights_table(criteria: pd.DataFrame, weights: pd.Series | None) -> pd.DataFrame:
    """Criterion, group, unit, direction and effective weight in % (the weights in use)."""
    out = pd.DataFrame(
        {
            "criterion": criteria["label"],
            "group": criteria["group"],
            "unit": criteria["unit"],
            "direction": criteria["direction"],
        }
    )
    out["weight %"] = (
        (weights.reindex(criteria.index).fillna(0) * 100).round(1) if weights is not None else 0.0
    )
    return out.reset_index(names="id")


def ranking_table(result: pd.DataFrame, attributes: pd.DataFrame) -> pd.DataFrame:
    """Rank, name, score, country and status of the scored sites, best first."""
    out = result[["rank", "score"]].join(attributes[["name", "country", "status"]])
    out.attrs = {}  # the scoring attrs (DataFrames) are not for display
    return out.sort_values(["rank", "score"], ascending=[True, False]).reset_index(names="site_id")


def contributions_long(
    result: pd.DataFrame, names: pd.Series, criteria: pd.DataFrame
) -> pd.DataFrame | None:
    """Long table (site, criterion, contribution, rank) for a stacked bar; None if not additive."""
    cols = [c for c in result.columns if c.startswith("contrib_")]
    if not cols:
        return None
    wide = result[cols].rename(columns=lambda c: criteria.at[c.removeprefix("contrib_"), "label"])
    wide.attrs = {}
    long = wide.stack().rename("contribution").reset_index()
    long.columns = ["site_id", "criterion", "contribution"]
    long["site"] = long["site_id"].map(names)
    long["rank"] = long["site_id"].map(result["rank"])
    return long


def side_by_side(
    result: pd.DataFrame,
    table: pd.DataFrame,
    provenance: pd.DataFrame,
    criteria: pd.DataFrame,
    a: str,
    b: str,
    names: pd.Series,
) -> pd.DataFrame:
    """Every criterion of two sites: unit, value, normalized value and source (with year)."""
    normalized = result.attrs.get("normalized", pd.DataFrame())
    prov = provenance.set_index(["site_id", "criterion"])
    rows = []
    for cid in criteria.index:
        row = {"criterion": criteria.at[cid, "label"], "unit": criteria.at[cid, "unit"]}
        for site in (a, b):
            label = names.get(site, site)
            row[f"{label}: value"] = table.at[site, cid]
            row[f"{label}: normalized"] = (
                normalized.at[site, cid] if cid in normalized.columns else float("nan")
            )
            p = prov.loc[(site, cid)] if (site, cid) in prov.index else None
            year = "" if p is None or pd.isna(p["year"]) else f" ({int(p['year'])})"
            row[f"{label}: source"] = "NOT FOUND" if p is None else f"{p['source']}{year}"
            row[f"{label}: kind"] = "missing" if p is None else p["kind"]
        rows.append(row)
    return pd.DataFrame(rows)


def no_information_note(result: pd.DataFrame, criteria: pd.DataFrame) -> str | None:
    """One sentence naming the weighted criteria that carry no information, or None.

    Reads ``result.attrs["no_information"]`` of :func:`windrose_sites.scoring.score` and
    the criterion labels; ends with :data:`windrose_sites.scoring.NO_INFORMATION_RULE`. The
    labels come from data: pass the sentence through ``windrose_sites.text.md`` to display it.

    Examples
    --------
    >>> crit = pd.DataFrame({"label": ["Import duty"]}, index=["duty_pct"])
    >>> r = pd.DataFrame({"score": [1.0]})
    >>> r.attrs["no_information"] = ["duty_pct"]
    >>> no_information_note(r, crit).split(":")[0]
    'No information in Import duty'
    """
    flat = result.attrs.get("no_information", [])
    if not flat:
        return None
    labels = [str(criteria.at[c, "label"]) if c in criteria.index else str(c) for c in flat]
    return f"No information in {', '.join(labels)}: {scoring.NO_INFORMATION_RULE}"


def true_cells(mask: pd.DataFrame) -> list[tuple[object, object]]:
    """(row, column) labels of the True cells of a boolean frame, row by row."""
    rows, cols = mask.to_numpy(dtype=bool).nonzero()
    return [(mask.index[r], mask.columns[c]) for r, c in zip(rows, cols, strict=True)]
