"""Score a suitability surface with the app's weights, method and hard filters.

Min-max and the other normalisations run over the kept cells, as the candidate table's run over
the kept sites. ``engine="dask"`` scores row tiles of :data:`SCORE_TILE_CELLS` cells in
parallel with the kept cells' global column range, with results equal to the numpy path.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

import numpy as np
import pandas as pd

from windrose_sites.criteria import SUPPLIER_CRITERION
from windrose_sites.scoring import score_array
from windrose_sites.state import Filters
from windrose_sites.surface.build import Surface
from windrose_sites.vocab import Method

__all__ = ["SCORE_TILE_CELLS", "cell_filter", "score_surface", "surface_weights"]

#: Cells per tile when scoring (numpy and dask alike, so both give the same bits).
SCORE_TILE_CELLS = 262_144


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

    ``countries`` and ``max_port_km`` (geodesic km to the gateway port, as for sites, kept as
    the criteria engine computed it) apply; ``min_area_ha`` does not, since a cell is not a
    plot.
    """
    keep = np.ones(len(surface.matrix), dtype=bool)
    notes = []
    if filters.countries:
        allowed = surface.parts["country"].isin(filters.countries).to_numpy()
        keep &= allowed[surface.grid.part]
        notes.append(f"countries: {', '.join(filters.countries)}")
    if filters.max_port_km is not None:
        keep &= surface.gateway_km <= filters.max_port_km
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
