"""The front door for uploaded files: :func:`parse_sites` reads, checks and completes sites.

It reads with :mod:`windrose_sites.uploads.read`, checks rows with
:mod:`windrose_sites.uploads.validate`, then drops names already in use, and adds what the
catalog needs: a ``user_<slug>`` id, the country (given, else the nearest GeoNames city's),
the indicator areas, a location note and provenance (kind ``estimate``). The result is shaped
like :func:`windrose_sites.catalog.load_sites` (EPSG:4326).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePath

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from windrose_sites import geo
from windrose_sites.uploads.read import Problem, _criterion_ids, _read
from windrose_sites.uploads.validate import _CONTROL, _country_at, _empty_sites, _land, _validate

__all__ = ["UploadResult", "parse_sites"]

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_COUNTRY_ALIASES = {"UK": "GB", "EL": "GR"}


@dataclass(frozen=True)
class UploadResult:
    """Sites that passed validation (EPSG:4326) and every problem found, in row order."""

    sites: gpd.GeoDataFrame
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """At least one site was imported."""
        return len(self.sites) > 0


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
            "year": dt.date.today().year,
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
    clash = key.isin(taken).to_numpy()
    first: dict[str, int] = {}
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
