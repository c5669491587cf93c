"""Downloads built from exactly what is on screen: the comparison CSV and the sites GeoJSON.

Every CSV text cell that a spreadsheet would read as a formula (it starts with ``=``, ``+``,
``-``, ``@``, tab or carriage return; OWASP "CSV Injection") gets a leading ``'``. Numbers are
written as numbers and are never touched.
"""

from __future__ import annotations

import io
import json
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

if TYPE_CHECKING:  # the surface imports this module
    from windrose_sites.surface import Surface

__all__ = [
    "FORMULA_PREFIXES",
    "cells_frame",
    "comparison_frame",
    "located_geojson",
    "neutralize_formulas",
    "sites_geojson",
    "to_csv",
]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralize_formulas(value: object) -> object:
    """Prefix a text value with ``'`` when a spreadsheet would run it as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


#: Decimals a raw value is written with, per unit: the precision its source supports
#: (distances to the km or nm, counts to one, rates to the decimals the statistics publish).
DECIMALS_BY_UNIT = {
    "nm": 0,
    "km": 0,
    "people": 0,
    "vehicles/yr": 0,
    "gCO2eq/kWh": 0,
    "EUR/truck": 0,
    "%": 2,
    "EUR/h": 2,
    "EUR/MWh": 1,
    "M TEU/yr": 3,
}
#: Decimals of scores, normalized values, contributions and weights in %.
SCORE_DECIMALS = 9


def comparison_frame(
    result: pd.DataFrame,
    table: pd.DataFrame,
    criteria: pd.DataFrame,
    provenance: pd.DataFrame,
    names: pd.Series,
) -> pd.DataFrame:
    """One row per scored site, best first: rank, score, method, and for every criterion its raw
    value (unit in the header), normalized value, effective weight in % (``<id> weight [%]``),
    contribution, whether the value was imputed (``<id> imputed worst``, by
    :data:`~windrose_sites.scoring.MISSING_RULE`), source, year and kind. Then one
    ``<id> no information`` column per criterion: True on every row when the criterion's known
    values are all equal, so it gives every site the same mark
    (:data:`~windrose_sites.scoring.NO_INFORMATION_RULE`).

    The columns are the same whatever the weights: every criterion of ``criteria`` that is in
    ``table`` has its columns; one weighted 0 shows weight 0 and blank normalized values and
    contributions. Raw values are rounded to the precision their source supports
    (:data:`DECIMALS_BY_UNIT`); years are whole numbers.

    ``result`` is :func:`windrose_sites.scoring.score` output; ``provenance`` has one row per
    (site_id, criterion) with ``source``, ``year`` and ``kind``.
    """
    used = result.attrs.get("weights", {})
    weights = {c: float(used.get(c, 0.0)) for c in criteria.index if c in table.columns}
    normalized = result.attrs.get("normalized")
    imputed = result.attrs.get("imputed")
    order = result.sort_values(["rank", "score"], ascending=[True, False]).index
    out = pd.DataFrame(index=order)
    out.index.name = "site_id"
    out["name"] = names.reindex(order).to_numpy()
    out["rank"] = result.loc[order, "rank"].to_numpy()
    out["score"] = result.loc[order, "score"].round(SCORE_DECIMALS).to_numpy()
    out["method"] = result.attrs.get("method", "")
    prov = provenance.set_index(["site_id", "criterion"])
    additive = any(c.startswith("contrib_") for c in result.columns)
    for cid, weight in weights.items():
        unit = str(criteria.at[cid, "unit"])
        raw = pd.to_numeric(table.loc[order, cid], errors="coerce")
        out[f"{cid} [{unit}]"] = raw.round(DECIMALS_BY_UNIT.get(unit, 4)).to_numpy()
        if normalized is not None:
            norm = normalized.reindex(index=order, columns=[cid])[cid]
            out[f"{cid} normalized"] = norm.astype(float).round(SCORE_DECIMALS).to_numpy()
        out[f"{cid} weight [%]"] = round(100.0 * weight, SCORE_DECIMALS - 2)
        if additive:
            contrib = result.get(f"contrib_{cid}")
            out[f"{cid} contribution"] = (
                pd.Series(float("nan"), index=order)
                if contrib is None
                else contrib.loc[order].astype(float).round(SCORE_DECIMALS)
            ).to_numpy()
        if imputed is not None:
            imp = imputed.reindex(index=order, columns=[cid])[cid]
            out[f"{cid} imputed worst"] = (
                imp.astype("boolean").fillna(False).astype(bool).to_numpy()
            )
        keys = pd.MultiIndex.from_arrays([order, [cid] * len(order)])
        rows = prov.reindex(keys)
        out[f"{cid} source"] = rows["source"].fillna("NOT FOUND").to_numpy()
        out[f"{cid} year"] = (
            pd.to_numeric(rows["year"], errors="coerce").round().astype("Int64").to_numpy()
        )
        out[f"{cid} kind"] = rows["kind"].fillna("missing").to_numpy()
    flat = set(result.attrs.get("no_information", ()))
    flags = pd.DataFrame({f"{cid} no information": cid in flat for cid in weights}, index=out.index)
    return pd.concat([out, flags], axis=1).reset_index()


def to_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV bytes with a byte-order mark, formula-like text cells (and headers) neutralized.

    The BOM makes spreadsheet programs read "–" and "→" correctly; CSV readers (pandas,
    Python's ``csv`` with ``utf-8-sig``) skip it.
    """
    safe = frame.copy()
    for col in safe.columns:
        if safe[col].dtype == object or pd.api.types.is_string_dtype(safe[col]):
            safe[col] = safe[col].map(neutralize_formulas)
    safe.columns = [neutralize_formulas(str(c)) for c in safe.columns]
    buf = io.StringIO()
    safe.to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue().encode("utf-8-sig")


def sites_geojson(sites: gpd.GeoDataFrame, result: pd.DataFrame) -> bytes:
    """GeoJSON FeatureCollection of the scored sites with ``score``, ``rank`` and ``method``."""
    scored = sites[sites["site_id"].isin(result.index)].copy()
    scored["score"] = result.loc[scored["site_id"], "score"].to_numpy()
    scored["rank"] = result.loc[scored["site_id"], "rank"].to_numpy()
    scored["method"] = result.attrs.get("method", "")
    keep = ["site_id", "name", "country", "region", "role", "status", "score", "rank", "method"]
    doc = json.loads(scored[[*keep, "geometry"]].to_json(drop_id=True))
    doc["weights"] = {k: float(np.round(v, 12)) for k, v in result.attrs.get("weights", {}).items()}
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


# =========================================================================== suitability surface
# The Suitability page's downloads (windrose_sites.surface re-exports them).


def cells_frame(surface: Surface, scores: np.ndarray) -> pd.DataFrame:
    """The scored cells: ``lon``, ``lat``, ``score``, ``region`` and every criterion with its
    unit in the header (the cells CSV), rounded to 6 decimals; a missing value is empty (it
    was scored as the worst).
    """
    ok = np.flatnonzero(np.isfinite(scores))
    g = surface.grid
    out = pd.DataFrame(
        {
            "lon": g.lon[ok].round(6),
            "lat": g.lat[ok].round(6),
            "score": scores[ok].round(6),
            "region": surface.parts["part_id"].to_numpy()[g.part[ok]],
        }
    )
    for j, (cid, unit) in enumerate(surface.criteria["unit"].items()):
        values = np.where(surface.missing[ok, j], np.nan, surface.matrix[ok, j])
        out[f"{cid} [{unit}]"] = values.round(6)  # shorter text: the 1 km CSV is ~90 MB
    return out


def located_geojson(areas: pd.DataFrame) -> bytes:
    """The located areas as a GeoJSON FeatureCollection of points (EPSG:4326)."""
    gdf = gpd.GeoDataFrame(
        areas.drop(columns=["cell"]),
        geometry=gpd.points_from_xy(areas["lon"], areas["lat"]),
        crs="EPSG:4326",
    )
    return json.dumps(json.loads(gdf.to_json(drop_id=True)), ensure_ascii=False).encode()


# ======================================================================= end suitability surface
