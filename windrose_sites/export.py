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
    # One dict of whole columns in their final order, one DataFrame call: it is built on every
    # rerun, and ~10 inserts per criterion cost ~0.1 s (benchmarks/bench_export.py).
    used = result.attrs.get("weights", {})
    weights = {c: float(used.get(c, 0.0)) for c in criteria.index if c in table.columns}
    cids = list(weights)
    ranked = result.sort_values(["rank", "score"], ascending=[True, False])
    order = ranked.index
    raw = table.loc[order, cids]
    normalized = result.attrs.get("normalized")
    if normalized is not None:
        normalized = _rounded(normalized.reindex(index=order, columns=cids))
    contributions = None
    if any(c.startswith("contrib_") for c in result.columns):
        contributions = _rounded(ranked.reindex(columns=[f"contrib_{c}" for c in cids]))
    imputed = _imputed(result.attrs.get("imputed"), order, cids)
    sources, years, kinds = _provenance_grids(provenance, order, cids)
    data: dict[str, object] = {
        "site_id": order,
        "name": names.reindex(order).to_numpy(),
        "rank": ranked["rank"].to_numpy(),
        "score": ranked["score"].round(SCORE_DECIMALS).to_numpy(),
        "method": result.attrs.get("method", ""),
    }
    for j, (cid, weight) in enumerate(weights.items()):
        unit = str(criteria.at[cid, "unit"])
        value = pd.to_numeric(raw[cid], errors="coerce")
        data[f"{cid} [{unit}]"] = value.round(DECIMALS_BY_UNIT.get(unit, 4)).to_numpy()
        if normalized is not None:
            data[f"{cid} normalized"] = normalized[j]
        data[f"{cid} weight [%]"] = round(100.0 * weight, SCORE_DECIMALS - 2)
        if contributions is not None:
            data[f"{cid} contribution"] = contributions[j]
        if imputed is not None:
            data[f"{cid} imputed worst"] = imputed[j]
        data[f"{cid} source"] = sources[j]
        data[f"{cid} year"] = _whole_years(years[j])
        data[f"{cid} kind"] = kinds[j]
    flat = set(result.attrs.get("no_information", ()))
    data.update({f"{cid} no information": cid in flat for cid in cids})
    return pd.DataFrame(data)


def _rounded(frame: pd.DataFrame) -> np.ndarray:
    """``frame`` as floats rounded to :data:`SCORE_DECIMALS`, one row per column."""
    return frame.astype(float).round(SCORE_DECIMALS).to_numpy().T


def _imputed(frame: pd.DataFrame | None, order: pd.Index, cids: list[str]) -> np.ndarray | None:
    """Whether each value was imputed, one row per criterion (False where ``frame`` has no
    value), or None without ``frame``.
    """
    if frame is None:
        return None
    flags = frame.reindex(index=order, columns=cids, fill_value=False)
    if not (flags.dtypes == np.dtype(bool)).all():  # NaN in frame: not imputed
        flags = flags.astype("boolean").fillna(False)
    return flags.to_numpy(dtype=bool).T


def _whole_years(years: np.ndarray) -> np.ndarray:
    """Rounded years as an Int64 column gives them back to numpy: int64, or float64 with NaN
    where one is unknown (written ``2021.0`` in the CSV, as it always was).
    """
    if np.isfinite(years).all():
        return years.astype(np.int64)
    if np.isinf(years).any():
        msg = f"a provenance year is infinite: {years[np.isinf(years)][0]}"
        raise ValueError(msg)
    return years + 0.0  # -0.0 as 0.0, as the Int64 round trip gives it


def _provenance_grids(
    provenance: pd.DataFrame, order: pd.Index, cids: list[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Source, year and kind of every (criterion in ``cids``, site in ``order``), looked up in
    one pass, one row per criterion: sources ``"NOT FOUND"`` and kinds ``"missing"`` where
    provenance has none; years rounded, NaN where unknown.
    """
    rows = order.get_indexer(provenance["site_id"])
    cols = pd.Index(cids).get_indexer(provenance["criterion"])
    found = (rows >= 0) & (cols >= 0)
    rows, cols = rows[found], cols[found]
    shape = (len(cids), len(order))
    text = []
    for field, blank in (("source", "NOT FOUND"), ("kind", "missing")):
        # codes into the distinct values, -1 (the blank) where missing: no per-cell Python
        codes, distinct = pd.factorize(provenance[field])
        grid = np.full(shape, -1, dtype=np.intp)
        grid[cols, rows] = codes[found]
        text.append(np.append(np.asarray(distinct, dtype=object), blank)[grid])
    years = np.full(shape, np.nan)
    years[cols, rows] = pd.to_numeric(provenance["year"], errors="coerce").to_numpy(float)[found]
    return text[0], np.round(years), text[1]


def to_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV bytes with a byte-order mark, formula-like text cells (and headers) neutralized.

    The BOM makes spreadsheet programs read "–" and "→" correctly; CSV readers (pandas,
    Python's ``csv`` with ``utf-8-sig``) skip it.
    """
    safe = frame.copy(deep=False)
    safe.columns = [neutralize_formulas(str(c)) for c in safe.columns]
    for j, dtype in enumerate(safe.dtypes):
        if dtype.kind == "O":  # object, str or category; numbers and booleans are never touched
            column = _neutralized(safe.iloc[:, j])
            if column is not None:
                safe.isetitem(j, column)
    buf = io.StringIO()
    safe.to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue().encode("utf-8-sig")


def _neutralized(column: pd.Series) -> pd.Series | None:
    """``column`` with its formula-like text cells prefixed by ``'``, or None if none is.

    Each distinct value is checked once (a column of sources holds a handful), and only the
    cells that change are rewritten.
    """
    if not (column.dtype == object or pd.api.types.is_string_dtype(column)):
        return None
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.map(neutralize_formulas)
    try:
        distinct = column.unique()
    except TypeError:  # unhashable cells
        return column.map(neutralize_formulas)
    risky = [v for v in distinct if isinstance(v, str) and v.startswith(FORMULA_PREFIXES)]
    if not risky:
        return None
    where = np.flatnonzero(column.isin(risky).to_numpy())
    values = column.to_numpy(dtype=object, copy=True)
    values[where] = ["'" + v for v in values[where]]
    return pd.Series(values, index=column.index, name=column.name, dtype=column.dtype)


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
