"""Reading an uploaded file: bytes to text, then CSV rows or GeoJSON features, not yet checked.

:func:`_read` decodes the bytes (UTF-8, UTF-16 with a BOM, else Windows-1252 or Latin-1 with a
warning), refuses ZIP/Excel and binary files, and reads CSV (delimiter guessed from the header,
column aliases of :data:`ALIASES`) or a GeoJSON FeatureCollection (legacy ``crs`` member
reprojected with pyproj). It gives a :class:`_Table` of text columns and EPSG:4326 geometry,
and reports every row it cannot read as a :class:`Problem`. Row checks are in
:mod:`windrose_sites.uploads.validate`; the front door is
:func:`windrose_sites.uploads.parse_sites`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import PurePath

import numpy as np
import pandas as pd
import shapely
import shapely.geometry
from pyproj import CRS, Transformer
from pyproj.exceptions import ProjError

from windrose_sites import catalog

__all__ = ["ALIASES", "LABELS", "MAX_ROWS", "MAX_UPLOAD_BYTES", "Problem"]

#: Equal to ``server.maxUploadSize = 20`` (MB) in ``.streamlit/config.toml``.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
#: Most sites one upload (or one saved scenario) may hold: every page stays usable at this size.
MAX_ROWS = 10_000
ALIASES = {
    "name": ("name", "site", "site_name", "sitename", "title", "label"),
    "lat": ("lat", "latitude", "y"),
    "lon": ("lon", "lng", "long", "longitude", "x"),
    "country": ("country", "country_code", "iso2"),
    "region": ("region", "state", "province"),
    "location_note": ("location_note", "note", "notes", "description"),
}
LABELS = {"name": "name", "lat": "latitude", "lon": "longitude"}
_DELIMITERS = (",", ";", "\t", "|")
_WGS84 = (CRS("OGC:CRS84"), CRS("EPSG:4326"))
_JSON_TYPES = {
    list: "array",
    str: "string",
    int: "number",
    float: "number",
    bool: "boolean",
    type(None): "null",
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an upload or an edit.

    ``row`` is the 1-based data row (CSV: the line after the header is row 1) or feature
    number (GeoJSON), None for the whole file. ``level`` is ``"error"`` when the row (or the
    file) was not imported, ``"warning"`` when it was imported with the change described.
    """

    row: int | None
    column: str | None
    message: str
    level: str = "error"

    def __str__(self) -> str:
        where = "file" if self.row is None else f"row {self.row}"
        if self.column is not None:
            where += f", column {self.column!r}"
        return f"{where}: {self.message}"


@dataclass
class _Table:
    """Rows read from a file, before validation: text columns, geometry in EPSG:4326."""

    text: pd.DataFrame  # name and optional text/criteria columns, str
    geometry: np.ndarray  # shapely geometries (points or polygons)
    rows: np.ndarray  # 1-based row/feature numbers
    keep: np.ndarray  # False where a problem was already reported


def _read(data: bytes, filename: str, problems: list[Problem]) -> _Table | None:
    if len(data) > MAX_UPLOAD_BYTES:
        msg = (
            f"the file is {len(data) / 2**20:.1f} MB; the limit is "
            f"{MAX_UPLOAD_BYTES / 2**20:.0f} MB. Split it or remove columns; nothing was read"
        )
        problems.append(Problem(None, None, msg))
        return None
    text = _decode(data, problems)
    if text is None:
        return None
    if not text.strip():
        problems.append(Problem(None, None, "the file is empty"))
        return None
    geojson = PurePath(str(filename)).suffix.lower() in (".geojson", ".json")
    if text.lstrip()[:1] in ("{", "[") or geojson:
        return _read_geojson(text, problems)
    return _read_csv(text, problems)


def _decode(data: bytes, problems: list[Problem]) -> str | None:
    if data.startswith(b"PK\x03\x04"):
        msg = "this is a ZIP or Excel (.xlsx) file; save the sheet as 'CSV UTF-8' and upload that"
        problems.append(Problem(None, None, msg))
        return None
    note = None
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = data.decode("utf-16")
        else:
            text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text, note = data.decode("cp1252"), "Windows-1252"
        except UnicodeDecodeError:
            text, note = data.decode("latin-1"), "Latin-1 (ISO-8859-1)"
    head = text[:100_000]
    if "\x00" in head or len(
        re.findall(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", head)
    ) > 0.1 * len(head):
        msg = "this looks like a binary file, not CSV or GeoJSON text; nothing was read"
        problems.append(Problem(None, None, msg))
        return None
    if note:
        msg = f"the file is not UTF-8; it was read as {note}: check accented names"
        problems.append(Problem(None, None, msg, "warning"))
    return text


def _read_csv(text: str, problems: list[Problem]) -> _Table | None:
    text = text.lstrip("\r\n")
    header_line = text.split("\n", 1)[0]
    delimiter = max(_DELIMITERS, key=header_line.count)  # first wins a tie: "," by default
    if delimiter != "," and header_line.count(delimiter):
        problems.append(Problem(None, None, f"columns separated by {delimiter!r}", "warning"))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
        records = [r for _, r in zip(range(MAX_ROWS + 1), reader, strict=False)]
    except csv.Error as exc:
        problems.append(
            Problem(None, None, f"not a readable CSV file (line {reader.line_num}): {exc}")
        )
        return None
    cols = _columns(header, problems)
    if cols is None:
        return None
    if len(records) > MAX_ROWS:
        msg = f"more than {MAX_ROWS:,} data rows; split the file. Nothing was read"
        problems.append(Problem(None, None, msg))
        return None
    width, rows, good = len(header), [], []
    for i, rec in enumerate(records, start=1):
        if "".join(rec).isspace() or not any(rec):
            continue  # blank line
        if len(rec) > width and any(v.strip() for v in rec[width:]):
            msg = (
                f"{len(rec)} fields but the header has {width}; quote values holding {delimiter!r}"
            )
            problems.append(Problem(i, None, msg))
            continue
        rows.append(i)
        good.append(rec[:width] + [""] * (width - len(rec)))
    if not rows:
        problems.append(Problem(None, None, "no data rows after the header"))
        return None
    raw = pd.DataFrame(good, columns=range(width), dtype=str)
    decimal_comma = delimiter != ","
    text_df = pd.DataFrame(
        {key: raw[idx] for key, idx in cols.items() if key not in ("lat", "lon")}
    )
    row_arr = np.asarray(rows)
    keep = np.ones(len(rows), dtype=bool)
    lat = _coordinate(raw[cols["lat"]], "latitude", row_arr, decimal_comma, keep, problems)
    lon = _coordinate(raw[cols["lon"]], "longitude", row_arr, decimal_comma, keep, problems)
    return _Table(text_df, shapely.points(lon, lat), row_arr, keep)


def _columns(header: list[str], problems: list[Problem]) -> dict[str, int] | None:
    """Column index of each role (name, lat, lon, optional fields, criterion ids)."""
    cols: dict[str, int] = {}
    for role, aliases in ALIASES.items():
        found = [header.index(a) for a in aliases if a in header]
        if found:
            cols[role] = found[0]
    for cid in _criterion_ids():
        if cid.lower() in header:
            cols[cid] = header.index(cid.lower())
    missing = [r for r in LABELS if r not in cols]
    for role in missing:
        msg = (
            f"no {LABELS[role]} column; name it one of {', '.join(ALIASES[role])} (any case). "
            f"Required: name, latitude, longitude. Found: {', '.join(header)[:200]!r}"
        )
        if len(header) == 1:
            msg += " (one column only: separate columns with , ; tab or |)"
        problems.append(Problem(None, LABELS[role], msg))
    return None if missing else cols


def _coordinate(
    raw: pd.Series,
    label: str,
    rows: np.ndarray,
    decimal_comma: bool,
    keep: np.ndarray,
    problems: list[Problem],
) -> np.ndarray:
    text = raw.str.strip()
    if decimal_comma:
        text = text.str.replace(r"^([+-]?\d+),(\d+)$", r"\1.\2", regex=True)
    values = np.array(pd.to_numeric(text, errors="coerce"), dtype=float)
    for i in np.flatnonzero(~np.isfinite(values)):
        value = text.iloc[i]
        if value == "":
            msg = f"missing {label}"
        elif np.isnan(values[i]) and value.lower().lstrip("+-") != "nan":
            msg = f"{label} {value[:40]!r} is not a number"
        else:
            msg = f"{label} {value[:40]!r} is not a finite number"
        problems.append(Problem(int(rows[i]), label, msg))
        keep[i] = False
    return values


def _read_geojson(text: str, problems: list[Problem]) -> _Table | None:
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError) as exc:
        problems.append(Problem(None, None, f"not valid JSON: {str(exc)[:200]}"))
        return None
    kind = doc.get("type") if isinstance(doc, dict) else _JSON_TYPES.get(type(doc), "?")
    features = doc.get("features") if isinstance(doc, dict) else None
    if kind != "FeatureCollection" or not isinstance(features, list):
        msg = (
            f"expected a GeoJSON FeatureCollection, got {str(kind)[:40]!r}; "
            'upload {"type": "FeatureCollection", "features": [...]}'
        )
        problems.append(Problem(None, None, msg))
        return None
    if not features:
        problems.append(Problem(None, None, "the FeatureCollection has no features"))
        return None
    if len(features) > MAX_ROWS:
        msg = f"{len(features):,} features; the limit is {MAX_ROWS:,}. Nothing was read"
        problems.append(Problem(None, None, msg))
        return None
    named, transformer = _source_crs(doc.get("crs"), problems)
    if not named:
        return None
    records, geoms, rows = [], [], []
    for i, feature in enumerate(features, start=1):
        geom = _feature_geometry(feature, i, problems)
        if geom is not None:
            records.append(_properties(feature.get("properties") or {}))
            geoms.append(geom)
            rows.append(i)
    if not rows:
        return None
    # Points come back as (x, y) and are built in one vectorised call.
    is_point = np.array([isinstance(g, tuple) for g in geoms])
    geometry = np.empty(len(geoms), dtype=object)
    if is_point.any():
        geometry[is_point] = shapely.points([g for g in geoms if isinstance(g, tuple)])
    geometry[~is_point] = [g for g in geoms if not isinstance(g, tuple)]
    bounds = shapely.bounds(geometry)
    outside = (np.abs(bounds[:, [0, 2]]) > 180).any(axis=1) | (np.abs(bounds[:, [1, 3]]) > 90).any(
        axis=1
    )
    if transformer is None and doc.get("crs") is None and outside.all():
        msg = (
            f"coordinates are not longitude/latitude (feature {rows[0]} is at "
            f"x={bounds[0, 0]:.6g}, y={bounds[0, 1]:.6g}): the file uses a projected CRS it "
            "does not name. Export it in EPSG:4326 (RFC 7946) or add a 'crs' member"
        )
        problems.append(Problem(None, "crs", msg))
        return None
    if transformer is not None:
        geometry = shapely.transform(
            geometry, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))
        )
    text_df = pd.DataFrame.from_records(records, index=range(len(rows))).fillna("").astype(str)
    return _Table(text_df, geometry, np.asarray(rows), np.ones(len(rows), dtype=bool))


@cache
def _property_fields() -> dict[str, tuple[str, int]]:
    """Lower-case property name -> (field, priority): aliases and criterion ids."""
    fields = {a: (f, rank) for f, aliases in ALIASES.items() for rank, a in enumerate(aliases)}
    fields.update({c.lower(): (c, 0) for c in _criterion_ids()})
    for coordinate in ("lat", "lon"):
        for alias in ALIASES[coordinate]:
            del fields[alias]  # GeoJSON positions come from the geometry only
    return fields


def _properties(props: dict[str, object]) -> dict[str, str]:
    """Text of the known properties of a feature (JSON text for non-string values)."""
    out: dict[str, str] = {}
    ranks: dict[str, int] = {}
    for key, value in props.items():
        hit = _property_fields().get(key.strip().lower())
        if hit is None or value is None or ranks.get(hit[0], 99) <= hit[1]:
            continue
        out[hit[0]] = value if isinstance(value, str) else json.dumps(value)
        ranks[hit[0]] = hit[1]
    return out


def _source_crs(member: object, problems: list[Problem]) -> tuple[bool, Transformer | None]:
    """(CRS understood, transformer to EPSG:4326 or None when already lon/lat)."""
    if member is None:
        return True, None
    props = member.get("properties") if isinstance(member, dict) else None
    name = props.get("name") if isinstance(props, dict) else None
    try:
        transformer = _transformer(str(name)[:200])
    except ProjError:
        msg = f"unknown CRS {str(name)[:60]!r} in the 'crs' member; use e.g. 'EPSG:3857'"
        problems.append(Problem(None, "crs", msg))
        return False, None
    if transformer is not None:
        crs = transformer.source_crs  # None only for a transformer built without one
        source = (str(name) if crs is None else crs.to_string())[:60]
        msg = f"coordinates reprojected from {source} to EPSG:4326 (lon/lat)"
        problems.append(Problem(None, "crs", msg, "warning"))
    return True, transformer


@lru_cache(maxsize=32)
def _transformer(name: str) -> Transformer | None:
    """Transformer from the named CRS to lon/lat; None when it is lon/lat already."""
    crs = CRS.from_user_input(name)
    if crs.equals(_WGS84[0]) or crs.equals(_WGS84[1], ignore_axis_order=True):
        return None
    return Transformer.from_crs(crs, _WGS84[1], always_xy=True)


def _feature_geometry(
    feature: object, i: int, problems: list[Problem]
) -> tuple[float, float] | shapely.Geometry | None:
    """A point's ``(x, y)``, a valid polygon, or None after reporting why it is unusable."""
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        problems.append(Problem(i, None, "not a GeoJSON Feature object"))
        return None
    if not isinstance(feature.get("properties") or {}, dict):
        problems.append(Problem(i, "properties", "'properties' must be an object"))
        return None
    geom = feature.get("geometry")
    if not isinstance(geom, dict):
        geom = {}
    kind = geom.get("type")
    if kind == "Point":
        xy = geom.get("coordinates")
        if not (isinstance(xy, list) and 2 <= len(xy) <= 3) or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in xy
        ):
            problems.append(Problem(i, "geometry", "Point coordinates must be [lon, lat] numbers"))
            return None
        try:
            return float(xy[0]), float(xy[1])
        except OverflowError:
            problems.append(Problem(i, "geometry", "coordinate too large"))
            return None
    if kind in ("Polygon", "MultiPolygon"):
        try:
            poly = shapely.geometry.shape(geom)
        except Exception as exc:  # shapely raises many types on malformed input
            problems.append(Problem(i, "geometry", f"unreadable {kind}: {str(exc)[:100]}"))
            return None
        if poly.is_empty or not poly.is_valid:
            why = "empty" if poly.is_empty else shapely.is_valid_reason(poly)
            msg = f"invalid {kind} ({why}); rejected, not repaired: fix it or upload a Point"
            problems.append(Problem(i, "geometry", msg))
            return None
        return poly
    if kind is None:
        problems.append(Problem(i, "geometry", "the feature has no geometry"))
    else:
        msg = f"a {str(kind)[:40]} cannot be a site: use a Point or a (Multi)Polygon"
        problems.append(Problem(i, "geometry", msg))
    return None


@cache
def _criterion_ids() -> tuple[str, ...]:
    return tuple(catalog.load_criteria().index)
