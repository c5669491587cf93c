"""What each map view shows: which sites and ports, and which route lines with their labels.

Lines are computed, never drawn by hand: sea routes come from ``searoute`` (cached per port),
the Antwerp -> Onnaing road link is a geodesic line labelled with the road estimate
(geodesic x the region's circuity, :func:`road.road_km`). No waterway geometry ships with the
app, so the inland-waterway link is drawn as a labelled schematic line, not as the river course.
(Formerly ``windrose_sites.routes``, which still re-exports these names.)
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from windrose_sites import geo, road
from windrose_sites.catalog import ORIGIN_LOCODE

__all__ = ["VIEWS", "ViewSpec", "gateway_routes", "view_spec"]

VIEWS = ("Europe", "United States", "Supply chain")
_EUROPE = ("BE", "FR", "NL", "DE", "LU")
_ROUTE_COLOURS = {"suez": "#2171b5", "cape": "#cb181d"}


@dataclass(frozen=True)
class ViewSpec:
    """The content of one map view."""

    sites: gpd.GeoDataFrame
    ports: pd.DataFrame
    lines: pd.DataFrame  # label, colour, dash, coords + numeric columns for the table
    lines_name: str
    bounds: tuple[float, float, float, float]  # west, south, east, north


def _bounds(lon: np.ndarray, lat: np.ndarray, pad: float) -> tuple[float, float, float, float]:
    return (
        float(lon.min() - pad),
        float(lat.min() - pad),
        float(lon.max() + pad),
        float(lat.max() + pad),
    )


def gateway_routes(ports: pd.DataFrame, gateway_ids: list[str]) -> pd.DataFrame:
    """Sea routes from the origin port to each gateway: via Suez, and via the Cape for
    European gateways (Red Sea diversions). Columns: ``gateway``, ``route``, ``nm``,
    ``days`` (at :data:`geo.SHIP_SPEED_KN`), ``label``, ``colour``, ``dash``, ``coords``.
    """
    origin = ports[ports["locode"] == ORIGIN_LOCODE].iloc[0]
    rows = []
    for pid in dict.fromkeys(gateway_ids):
        port = ports.loc[pid]
        options = ("suez", "cape") if port["country"] in _EUROPE else ("suez",)
        for route in options:
            nm, coords = geo.sea_route(
                (origin["lon"], origin["lat"]), (port["lon"], port["lat"]), route=route
            )
            days = float(geo.transit_days(nm))
            via = {
                "suez": "via Suez" if port["country"] in _EUROPE else "direct",
                "cape": "via Cape of Good Hope",
            }[route]
            rows.append(
                {
                    "gateway": port["name"],
                    "route": via,
                    "nm": round(nm),
                    "days": round(days, 1),
                    "label": f"Shanghai → {port['name']} {via}: {nm:,.0f} nm, "
                    f"{days:.1f} days at {geo.SHIP_SPEED_KN:g} kn (no port calls)",
                    "colour": _ROUTE_COLOURS[route],
                    "dash": "6 6" if route == "cape" else "",
                    "coords": coords,
                }
            )
    return pd.DataFrame(rows)


def _antwerp_onnaing(attributes: pd.DataFrame) -> pd.DataFrame:
    """Road and (schematic) inland-waterway link from the Antwerp site to Onnaing."""
    if not {"antwerp_romeynsweel", "onnaing"} <= set(attributes.index):
        return pd.DataFrame(columns=["label", "colour", "dash", "coords", "km"])
    a, b = attributes.loc["antwerp_romeynsweel"], attributes.loc["onnaing"]
    km = float(geo.geodesic_km(a["lon"], a["lat"], b["lon"], b["lat"]))
    coords = [(a["lon"], a["lat"]), (b["lon"], b["lat"])]
    circuity = road.circuity_for(str(a["country"]))
    road_km = float(road.road_km(km, str(a["country"])))
    return pd.DataFrame(
        [
            {
                "label": f"Road Antwerp → Onnaing: {road_km:,.0f} km (ESTIMATE: {km:,.0f} km "
                f"geodesic × {circuity.factor:.3f}, {circuity.region} circuity)",
                "colour": "#525252",
                "dash": "",
                "coords": coords,
                "km": round(road_km),
            },
            {
                "label": "Inland waterway Antwerp → Onnaing river port (Scheldt/Escaut), planned "
                "for parts by barge; schematic line, waterway distance NOT FOUND",
                "colour": "#41ab5d",
                "dash": "2 8",
                "coords": coords,
                "km": np.nan,
            },
        ]
    )


def view_spec(
    view: str, sites: gpd.GeoDataFrame, ports: pd.DataFrame, attributes: pd.DataFrame
) -> ViewSpec:
    """Sites, ports, lines and bounds of a map view (one of :data:`VIEWS`)."""
    if view not in VIEWS:
        msg = f"unknown view {view!r}; valid views are {list(VIEWS)}"
        raise ValueError(msg)
    gateways = list(attributes["gateway_port_id"])
    if view == "Supply chain":
        lines = gateway_routes(ports, gateways)
        shown = ports.loc[
            list(dict.fromkeys([*gateways, *ports.index[ports["locode"] == ORIGIN_LOCODE]]))
        ]
        lon = np.concatenate([shown["lon"], [c[0] for cs in lines["coords"] for c in cs]])
        lat = np.concatenate([shown["lat"], [c[1] for cs in lines["coords"] for c in cs]])
        return ViewSpec(
            sites.iloc[0:0], shown, lines, "Sea routes from Shanghai", _bounds(lon, lat, 2.0)
        )
    europe = view == "Europe"
    in_view = sites["country"].isin(_EUROPE) if europe else sites["country"].eq("US")
    shown_sites = sites[in_view]
    port_mask = ports["country"].isin(_EUROPE) if europe else ports["country"].eq("US")
    shown_ports = ports[port_mask]
    lines = (
        _antwerp_onnaing(attributes)
        if europe
        else pd.DataFrame(columns=["label", "colour", "dash", "coords"])
    )
    lon = np.concatenate([attributes.loc[shown_sites["site_id"], "lon"], shown_ports["lon"]])
    lat = np.concatenate([attributes.loc[shown_sites["site_id"], "lat"], shown_ports["lat"]])
    if len(lon) == 0:
        lon, lat = (
            (np.array([-10.0, 10.0]), np.array([45.0, 55.0]))
            if europe
            else (np.array([-125.0, -109.0]), np.array([31.0, 42.0]))
        )
    return ViewSpec(
        shown_sites, shown_ports, lines, "Antwerp → Onnaing link", _bounds(lon, lat, 0.5)
    )
