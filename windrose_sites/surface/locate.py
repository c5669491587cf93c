"""Locate the best areas of a scored surface, and say why in words.

Like Esri's Suitability Modeler "Locate": instead of ranking a list of candidate sites, the
best areas are picked as spaced local maxima of the score of every cell.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from windrose_sites import geo
from windrose_sites.surface.build import Surface
from windrose_sites.surface.grid import Grid
from windrose_sites.vocab import Method

__all__ = ["area_label", "describe", "format_value", "locate", "located_site"]


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
    part = grid.part[cells]
    lon, lat = grid.lon[cells], grid.lat[cells]
    values = np.where(surface.missing[cells], np.nan, surface.matrix[cells])
    towns = geo.cities()
    towns = towns[towns["country"].isin(surface.parts["country"])]
    idx, km = geo.nearest(lon, lat, towns["lon"].to_numpy(), towns["lat"].to_numpy())
    columns = {  # one frame built at once: a column added at a time costs a copy each
        "rank": np.arange(1, len(cells) + 1),
        "cell": cells,
        "lon": lon,
        "lat": lat,
        "score": scores[cells],
        "part_id": surface.parts["part_id"].to_numpy()[part],
        "region": surface.parts["name"].to_numpy()[part],
        "country": surface.parts["country"].to_numpy()[part],
        "gateway_port": surface.gateway[cells],
        **{cid: values[:, j] for j, cid in enumerate(surface.columns)},
        "nearest_town": towns["name"].to_numpy()[idx],
        "distance_to_town_km": km,
    }
    if weights is not None:
        columns["strengths"] = _strengths(surface, cells, weights)
    out = pd.DataFrame(columns)
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
    labels, units = surface.criteria["label"].tolist(), surface.criteria["unit"].tolist()
    texts = []
    for row, cell in zip(lift, cells, strict=True):
        parts = []
        for j in np.argsort(-row, kind="stable")[:top]:
            if row[j] <= 1e-9:
                break
            label, unit = labels[j], units[j]
            parts.append(
                f"{label} {format_value(surface.matrix[cell, j], unit)} (region average "
                f"{format_value(mean[j], unit)}, best {format_value(best[j], unit)})"
            )
        texts.append("; ".join(parts) or "no criterion above the region's average cell")
    return texts


#: One on-screen format per unit (as the app's tables): counts and distances as integers with
#: thousands separators, shares and prices to one decimal, port throughput to two.
_DECIMALS = {"%": 1, "EUR/h": 1, "EUR/MWh": 1, "M TEU/yr": 2}
_INTEGER_UNITS = {"nm", "km", "people", "vehicles/yr", "gCO2eq/kWh", "EUR/truck", "EUR"}


def format_value(value: float, unit: str) -> str:
    """A value with its unit, in the one format of that unit.

    >>> format_value(572_310.4, "people"), format_value(15_412_345, "people")
    ('572,310 people', '15,412,345 people')
    >>> format_value(4.26, "%"), format_value(0.652, "M TEU/yr"), format_value(1234.5, "km")
    ('4.3 %', '0.65 M TEU/yr', '1,234 km')
    """
    if not np.isfinite(value):
        return f"— {unit}"
    if unit in _INTEGER_UNITS:
        return f"{value:,.0f} {unit}"
    if unit in _DECIMALS:
        return f"{value:,.{_DECIMALS[unit]}f} {unit}"
    return f"{value:,.4g} {unit}"


def area_label(area: pd.Series | Mapping[str, object]) -> str:
    """How a located area is named on screen: "Area near <nearest town>, <state or region>"."""
    return f"Area near {area['nearest_town']}, {area['region']}"


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
    for a in areas.to_dict("records"):
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
        "name": area_label(area),
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
