"""Build a suitability surface: grid a region and compute every criterion per cell.

The criteria come from the one criteria engine (:mod:`windrose_sites.criteria`), with the
same ids, units and directions as the candidate table, plus the surface-only
:data:`~windrose_sites.criteria.SUPPLIER_CRITERION`. A missing value (an indicator NOT FOUND)
counts as the worst observed value of its criterion, as on the candidate table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import geopandas as gpd
import numpy as np
import pandas as pd

from windrose_sites import catalog, criteria
from windrose_sites.scoring import impute_worst
from windrose_sites.surface.grid import DEFAULT_RESOLUTION_KM, Grid, build_grid

__all__ = ["TILE_CELLS", "Progress", "Surface", "build_surface"]

#: Cells per tile of the criteria kernel (and per dask chunk); bounds the catchment's memory.
TILE_CELLS = 65_536

Progress = Callable[[float, str], None]


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
    gateway_km: np.ndarray  # (n_cells,) geodesic km to it, as computed (WGS84)
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
        A key of :data:`catalog.REGIONS`, or parts as returned by :func:`catalog.load_region`.
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
    parts = catalog.load_region(region) if isinstance(region, str) else region
    parts = parts.reset_index(drop=True)
    grid = build_grid(parts, resolution_km)
    ctx, table, provenance, gateway_ids = criteria.cell_context(parts, catchment_km)
    cells = np.column_stack([grid.lon, grid.lat, grid.part.astype(float)])
    width = len(ctx.columns) + 2  # the criteria, the gateway index and the km to it
    if engine == "dask":
        import dask.array as da  # optional dependency: only this path needs it

        blocks = da.from_array(cells, chunks=(TILE_CELLS, 3))
        raw = blocks.map_blocks(
            partial(criteria.cell_tile, ctx=ctx),
            chunks=(blocks.chunks[0], (width,)),
            dtype=float,
        ).compute(scheduler=scheduler)
    else:
        raw = np.empty((len(cells), width))
        for start in range(0, len(cells), TILE_CELLS):
            block = cells[start : start + TILE_CELLS]
            raw[start : start + TILE_CELLS] = criteria.cell_tile(block, ctx)
            done = min(start + TILE_CELLS, len(cells))
            notify(0.1 + 0.9 * done / len(cells), f"Criteria for {done:,} of {len(cells):,} cells")
    matrix = np.ascontiguousarray(raw[:, :-2])
    missing = impute_worst(matrix, (table["direction"] == "benefit").to_numpy())
    gateway_km = np.ascontiguousarray(raw[:, -1])
    matrix.flags.writeable = missing.flags.writeable = gateway_km.flags.writeable = False
    return Surface(
        region=key,
        parts=parts,
        grid=grid,
        criteria=table,
        matrix=matrix,
        missing=missing,
        gateway=gateway_ids[raw[:, -2].astype(np.intp)],
        gateway_km=gateway_km,
        provenance=provenance,
        catchment_km=catchment_km,
        col_min=matrix.min(axis=0),
        col_max=matrix.max(axis=0),
        col_mean=matrix.mean(axis=0),
    )
