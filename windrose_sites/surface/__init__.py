"""Suitability surface: score every cell of a region with the app's weights, then locate.

Like Esri's Suitability Modeler "Locate": instead of ranking a list of candidate sites, every
cell of a region is scored with the same criteria, directions and weights as the candidate
table, and the best areas are picked as spaced local maxima.

Modules
    :mod:`~windrose_sites.surface.grid` (square Web-Mercator cells inside a region),
    :mod:`~windrose_sites.surface.build` (the cells x criteria matrix, from the criteria
    engine :mod:`windrose_sites.criteria`), :mod:`~windrose_sites.surface.score` (weights,
    filters, scores), :mod:`~windrose_sites.surface.locate` (the best areas, in words) and
    :mod:`~windrose_sites.surface.mapping` (the map: a static part rendered once per region,
    the score image and located areas per rerun).
    The regions are loaded by :func:`windrose_sites.catalog.load_region` (:data:`REGIONS`),
    the map layers are built by :mod:`windrose_sites.maps` and the downloads by
    :mod:`windrose_sites.export`; every name is importable from here, as before the split.

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

from windrose_sites.catalog import (
    NORTHERN_FRANCE_MIN_LAT,
    REGIONS,
    load_manufacturers,
    load_region,
)
from windrose_sites.criteria import SUPPLIER_CRITERION
from windrose_sites.export import cells_frame, located_geojson
from windrose_sites.maps import located_layer, overlay_layer, overlay_png, region_layer
from windrose_sites.surface.build import TILE_CELLS, Progress, Surface, build_surface
from windrose_sites.surface.grid import (
    DEFAULT_RESOLUTION_KM,
    RESOLUTIONS_KM,
    Grid,
    build_grid,
    cell_at,
)
from windrose_sites.surface.locate import (
    area_label,
    describe,
    format_value,
    locate,
    located_site,
)
from windrose_sites.surface.score import (
    SCORE_TILE_CELLS,
    cell_filter,
    score_surface,
    surface_weights,
)

__all__ = [
    "DEFAULT_RESOLUTION_KM",
    "NORTHERN_FRANCE_MIN_LAT",
    "REGIONS",
    "RESOLUTIONS_KM",
    "SCORE_TILE_CELLS",
    "SUPPLIER_CRITERION",
    "TILE_CELLS",
    "Grid",
    "Progress",
    "Surface",
    "area_label",
    "build_grid",
    "build_surface",
    "cell_at",
    "cell_filter",
    "cells_frame",
    "describe",
    "format_value",
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
