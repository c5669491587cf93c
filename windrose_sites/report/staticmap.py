"""A static map of the candidate sites coloured by score, drawn offline with matplotlib.

No tiles and no browser: the shipped country and state outlines
(:func:`windrose_sites.catalog.load_outlines`) are filled in grey and every ranked site is a dot
coloured on one scale, the ranking's (lowest to highest score), with its rank as a label. Sites
west of 30° W and east of it get separate panels (the US and Europe), framed on their sites.
"""

from __future__ import annotations

import io

import geopandas as gpd
import numpy as np
import pandas as pd

__all__ = ["site_map_png"]

_SPLIT_LON = -30.0  # west of this: the Americas panel
_PAD_DEG = 2.5


def _rings(geometry) -> list[np.ndarray]:
    """Exterior rings of a (multi)polygon as (k, 2) arrays."""
    parts = getattr(geometry, "geoms", [geometry])
    return [np.asarray(p.exterior.coords) for p in parts if p.geom_type == "Polygon"]


def _panels(lon: np.ndarray) -> list[np.ndarray]:
    """Boolean masks of the sites per panel: the west (Americas) first, then the east."""
    west = lon < _SPLIT_LON
    return [m for m in (west, ~west) if m.any()]


def site_map_png(
    points: gpd.GeoSeries,
    scores: pd.Series,
    ranks: pd.Series,
    outlines: gpd.GeoDataFrame,
    *,
    labels: pd.Series | None = None,
    dpi: int = 200,
) -> bytes:
    """PNG bytes of the sites on the shipped outlines, coloured by score.

    Parameters
    ----------
    points : geopandas.GeoSeries
        One geometry per ranked site (EPSG:4326), indexed by site id; polygons are drawn at a
        representative point.
    scores, ranks : pandas.Series
        The ranking's score and rank per site id.
    labels : pandas.Series, optional
        Place names per site id, printed after the rank (default: the rank alone).
    outlines : geopandas.GeoDataFrame
        Country (and state) outlines in EPSG:4326.
    dpi : int
        Resolution of the PNG.
    """
    from matplotlib.collections import PolyCollection
    from matplotlib.colors import Normalize
    from matplotlib.figure import Figure

    pts = points.loc[scores.index].representative_point()
    lon, lat = pts.x.to_numpy(), pts.y.to_numpy()
    values = scores.to_numpy(float)
    norm = Normalize(vmin=float(values.min()), vmax=float(max(values.max(), values.min() + 1e-9)))
    masks = _panels(lon)
    rank = ranks.loc[scores.index].astype(int).astype(str)
    if labels is not None:
        rank = rank + " " + labels.reindex(scores.index).fillna("").astype(str)
    tags = rank.to_numpy()
    fig = Figure(figsize=(7.2, 3.4), dpi=dpi, layout="constrained")
    axes = fig.subplots(1, len(masks), squeeze=False)[0]
    rings = [r for g in outlines.geometry if g is not None for r in _rings(g)]
    dots = None
    for ax, mask in zip(axes, masks, strict=True):
        x0, x1 = lon[mask].min() - _PAD_DEG, lon[mask].max() + _PAD_DEG
        y0, y1 = lat[mask].min() - _PAD_DEG, lat[mask].max() + _PAD_DEG
        ax.add_collection(
            PolyCollection(rings, facecolor="#ececec", edgecolor="#9a9a9a", linewidth=0.4)
        )
        dots = ax.scatter(
            lon[mask], lat[mask], c=values[mask], cmap="viridis", norm=norm, s=36,
            edgecolor="black", linewidth=0.5, zorder=3,
        )  # fmt: skip
        for x, y, text in zip(lon[mask], lat[mask], tags[mask], strict=True):
            ax.annotate(text, (x, y), xytext=(4, 3), textcoords="offset points",
                        fontsize=6, zorder=4)  # fmt: skip
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect(1 / np.cos(np.radians((y0 + y1) / 2)))
        ax.set_title("Americas" if (lon[mask] < _SPLIT_LON).all() else "Europe and east",
                     fontsize=8)  # fmt: skip
        ax.tick_params(labelsize=6)
    assert dots is not None  # for mypy: _panels returns at least one panel
    bar = fig.colorbar(dots, ax=list(axes), shrink=0.8)
    bar.set_label("Score (one scale for both panels)", fontsize=7)
    bar.ax.tick_params(labelsize=6)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()
