"""The grid of a suitability surface: square Web-Mercator cells covering a region.

Cells are square in Web Mercator (EPSG:3857), so the score image lies exactly on the Leaflet
map. The side is ``resolution_km / cos(lat0)`` Mercator metres with ``lat0`` the middle
latitude of the region: cells are ``resolution_km`` wide on the ground at ``lat0`` and
``cos(lat) / cos(lat0)`` times that elsewhere (0.93-1.07 for Arizona + California). A cell
belongs to the region when its centre lies inside the outline (EPSG:4326 test).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer

__all__ = ["DEFAULT_RESOLUTION_KM", "RESOLUTIONS_KM", "Grid", "build_grid", "cell_at"]

RESOLUTIONS_KM = (10, 5, 2, 1)
DEFAULT_RESOLUTION_KM = 10
_TO_MERCATOR = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
_TO_LONLAT = Transformer.from_crs("EPSG:3857", "EPSG:4326", always_xy=True)


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


def cell_at(grid: Grid, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Index of the region cell containing each point, -1 where none does."""
    x, y = _TO_MERCATOR.transform(np.atleast_1d(lon), np.atleast_1d(lat))
    col = np.floor((np.asarray(x) - grid.west_m) / grid.cell_m).astype(np.int64)
    row = np.floor((grid.north_m - np.asarray(y)) / grid.cell_m).astype(np.int64)
    inside = (col >= 0) & (col < grid.nx) & (row >= 0) & (row < grid.ny)
    flat = np.where(inside, row * grid.nx + col, -1)
    idx = np.clip(np.searchsorted(grid.flat, flat), 0, len(grid.flat) - 1)
    return np.where(inside & (grid.flat[idx] == flat), idx, -1)
