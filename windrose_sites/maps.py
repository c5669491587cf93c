"""Folium maps built in one place, offline by design.

folium loads Leaflet and several plugins from public CDNs; without internet the map is blank.
Here every map loads only Leaflet 1.9.3, served by the app itself from the ``xstatic-leaflet``
package (:func:`install_leaflet`), and draws a country-outline basemap from ``data/``.
OpenStreetMap tiles are an optional layer for users who are online.

Features of one kind go in one ``folium.GeoJson`` layer (sites, ports, routes), so thousands of
sites stay fast. Every text shown in a tooltip or popup is HTML-escaped here, or set as text in
the browser (site cards and name labels use ``textContent``).

Layers draw in their own Leaflet panes (:data:`PANES`): route lines under ports under sites
under name labels, so a line that ends on a site never covers it or takes its click. Every
view colours sites on one scale, the whole ranking's, so one score has one colour everywhere.
"""

from __future__ import annotations

import base64
import html
import io
import json
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import branca.colormap
import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.geometry
from branca.element import MacroElement, Template
from folium.utilities import JsCode
from PIL import Image

from windrose_sites import map_scripts

if TYPE_CHECKING:  # the surface imports this module
    from windrose_sites.surface import Grid, Surface

__all__ = [
    "LEAFLET_CSS_URL",
    "LEAFLET_JS_URL",
    "PANES",
    "build_map",
    "colour_scale",
    "install_leaflet",
    "located_layer",
    "overlay_layer",
    "overlay_png",
    "ports_layer",
    "region_layer",
    "routes_layer",
    "sites_layer",
]

#: Where Streamlit's static file serving exposes ``static/leaflet`` (server.enableStaticServing).
LEAFLET_JS_URL = "/app/static/leaflet/leaflet.js"
LEAFLET_CSS_URL = "/app/static/leaflet/leaflet.css"
OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
_PALETTE = ["#d7191c", "#fdae61", "#ffffbf", "#a6d96a", "#1a9641"]  # ColorBrewer RdYlGn, 5

#: Leaflet panes and their z-index, bottom to top (Leaflet's overlayPane is 400, markerPane 600,
#: tooltipPane 650). Name labels lie under the sites, so a label never hides a site. The panes
#: ignore the pointer; their interactive features still take it, so a click goes to the topmost
#: feature under it and the empty parts of a pane block nothing below.
PANES = {
    "windrose-lines": 410,
    "windrose-ports": 420,
    "windrose-labels": 425,
    "windrose-sites": 430,
}
#: At most this many sites get a permanent name label (the best ranked first): thousands of
#: labels would hide the map and slow it down. Overlapping labels are hidden in the browser.
LABEL_LIMIT = 25


def install_leaflet(static_dir: Path) -> Path:
    """Copy Leaflet's JS, CSS and images from the ``xstatic-leaflet`` package into
    ``static_dir / "leaflet"`` (once), and return that folder.
    """
    import xstatic.pkg.leaflet as xleaflet

    dest = Path(static_dir) / "leaflet"
    if not (dest / "leaflet.js").exists():
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(xleaflet.BASE_DIR, dest, dirs_exist_ok=True)
    return dest


def colour_scale(vmin: float, vmax: float) -> branca.colormap.LinearColormap:
    """Red (worst) to green (best) colour scale over the current score range."""
    if not np.isfinite(vmin) or not np.isfinite(vmax) or vmax <= vmin:
        vmin, vmax = (vmin - 0.5, vmin + 0.5) if np.isfinite(vmin) else (0.0, 1.0)
    return branca.colormap.LinearColormap(_PALETTE, vmin=vmin, vmax=vmax)


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _fmt(value: object, unit: str = "") -> str:
    if isinstance(value, (int, float, np.integer, np.floating)):
        if not np.isfinite(value):
            return "n/a (missing)"
        text = f"{value:,.0f}" if abs(float(value)) >= 100 else f"{value:,.2f}"
        return f"{text} {unit}".strip()
    return f"{value} {unit}".strip()


def _table_html(title: str, rows: Iterable[tuple[str, str]]) -> str:
    body = "".join(f"<tr><th>{_esc(k)}</th><td>{_esc(v)}</td></tr>" for k, v in rows)
    return f"<b>{_esc(title)}</b><table>{body}</table>"


class _Legend(MacroElement):
    """A pure-HTML colour legend as a Leaflet control (branca's legend loads d3 from a CDN)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.control({position: "bottomleft"});
        {{ this.get_name() }}.onAdd = function () {
            var div = L.DomUtil.create("div", "windrose-legend");
            div.innerHTML = {{ this.html|tojson }};
            return div;
        };
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, html: str):
        super().__init__()
        self._name = "Legend"
        self.html = html


def legend_html(title: str, vmin: str, vmax: str) -> str:
    """The legend box around its title and range, given as (escaped) HTML; the gradient is the
    ranking's palette. ``map_paint`` passes empty elements that the paint fills.
    """
    gradient = ", ".join(_PALETTE)
    return (
        '<div style="background:#fff;padding:6px 8px;border:1px solid #999;'
        f'border-radius:4px;font:12px sans-serif">{title}'
        f'<div style="width:160px;height:10px;background:linear-gradient(to right,{gradient})">'
        '</div><div style="display:flex;justify-content:space-between;width:160px">'
        f"{vmin}{vmax}</div></div>"
    )


class _GeoJson(folium.GeoJson):
    """A GeoJson layer whose bounds are computed once with shapely, not by folium's per-point
    Python loop (0.1 s per render for the country outlines).
    """

    def __init__(self, data: dict[str, object], geometries: np.ndarray, **kwargs: Any):
        super().__init__(data, **kwargs)
        west, south, east, north = shapely.total_bounds(geometries)
        self._bounds: list[list[float | None]] = [
            [float(south), float(west)],
            [float(north), float(east)],
        ]

    def _get_self_bounds(self) -> list[list[float | None]]:
        return self._bounds


_OUTLINES: dict[int, dict[str, object]] = {}


def _outline_data(outlines: gpd.GeoDataFrame) -> dict[str, object]:
    """The basemap's GeoJSON with its style, built once per outlines object."""
    key = id(outlines)
    if key not in _OUTLINES:
        style = {"color": "#777", "weight": 0.7, "fillColor": "#eee", "fillOpacity": 0.6}
        props = [{"name": n, "style": style} for n in outlines["name"]]
        _OUTLINES.clear()  # one basemap at a time: no unbounded growth
        _OUTLINES[key] = _features(outlines.geometry.to_numpy(), props)
    return _OUTLINES[key]


def _base_map(
    bounds: tuple[float, float, float, float],
    outlines: gpd.GeoDataFrame,
    view: tuple[float, float, int] | None = None,
) -> folium.Map:
    if view is not None:
        m = folium.Map(location=[view[0], view[1]], zoom_start=view[2], tiles=None,
                       control_scale=True)  # fmt: skip
    else:
        m = folium.Map(tiles=None, control_scale=True, zoom_control=True)
    # Only Leaflet, served by the app: no jQuery, Bootstrap or awesome-markers from CDNs.
    m.default_js = [("leaflet", LEAFLET_JS_URL)]
    m.default_css = [("leaflet_css", LEAFLET_CSS_URL)]
    for pane, z_index in PANES.items():
        folium.map.CustomPane(pane, z_index=z_index, pointer_events=False).add_to(m)
    folium.TileLayer(
        "OpenStreetMap",
        name="OpenStreetMap tiles (online only)",
        overlay=True,
        show=False,
        attr=OSM_ATTRIBUTION,
    ).add_to(m)
    _GeoJson(
        _outline_data(outlines),
        outlines.geometry.to_numpy(),
        name="Country outlines (offline basemap)",
        interactive=False,
        # A bitmap, not SVG: the browser re-rasterised every outline path on each frame of a
        # rerun (1,151 raster tasks per slider move on the Overview's two maps, 139 with the
        # canvas; benchmarks/README.md). The outlines take no pointer events either way.
        renderer=JsCode("L.canvas()"),
    ).add_to(m)
    if view is None:
        west, south, east, north = bounds
        m.fit_bounds([[south, west], [north, east]], padding=(20, 20))
    return m


def _js_literal(value: object) -> str:
    """JSON for inlining in a <script>: '<' is escaped so no text can close the script."""
    return json.dumps(value).replace("<", "\\u003c")


def _hex_colours(values: np.ndarray, vmin: float, vmax: float) -> np.ndarray:
    """Colours of the red-to-green scale for many values at once (NaN: grey)."""
    rgb = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for c in _PALETTE], dtype=float)
    stops = np.linspace(vmin, vmax, len(_PALETTE))
    finite = np.isfinite(values)
    v = np.where(finite, values, vmin)
    channels = np.column_stack([np.interp(v, stops, rgb[:, k]) for k in range(3)]).round()
    channels = channels.astype(int)
    text = _HEX_BYTES[channels[:, 0]] + _HEX_BYTES[channels[:, 1]] + _HEX_BYTES[channels[:, 2]]
    out = np.char.add("#", text).astype(object)
    out[~finite] = "#888888"
    return out


#: "00" to "ff": a colour's channels are written by lookup, not formatted one by one.
_HEX_BYTES = np.array([f"{i:02x}" for i in range(256)], dtype=object)


def _features(geometries: np.ndarray, properties: list[dict[str, object]]) -> dict[str, object]:
    """A FeatureCollection dict, with points written directly (fast for 10,000 sites)."""
    is_point = shapely.get_type_id(geometries) == 0
    xy = np.full((len(geometries), 2), np.nan)
    xy[is_point] = shapely.get_coordinates(geometries[is_point])
    features = []
    for i, props in enumerate(properties):
        geom = (
            {"type": "Point", "coordinates": [round(xy[i, 0], 6), round(xy[i, 1], 6)]}
            if is_point[i]
            else shapely.geometry.mapping(geometries[i])
        )
        features.append({"type": "Feature", "properties": props, "geometry": geom})
    return {"type": "FeatureCollection", "features": features}


def ranking_scale(result: pd.DataFrame) -> branca.colormap.LinearColormap:
    """The colour scale of a ranking: red at its lowest score, green at its highest.

    Every map view uses this one scale, so a score has the same colour in Europe, the United
    States and the overview, whatever sites a view shows.

    >>> ranking_scale(pd.DataFrame({"score": [0.2, 0.8, np.nan]})).vmax
    0.8
    """
    finite = result["score"].to_numpy(dtype=float)
    finite = finite[np.isfinite(finite)]
    if not finite.size:
        return colour_scale(np.nan, np.nan)
    return colour_scale(float(finite.min()), float(finite.max()))


def short_name(name: str, max_chars: int = 32) -> str:
    """The place name of a site for a map label: its name up to the first " (" or ", ".

    >>> short_name("Antwerp – Romeynsweel, Noorderlaan (Windrose Park Antwerp)")
    'Antwerp – Romeynsweel'
    """
    text = str(name).split(" (")[0].split(", ")[0].strip() or str(name).strip()
    return text if len(text) <= max_chars else text[: max_chars - 1].rstrip() + "…"


def _label_order(ranks: np.ndarray, limit: int) -> np.ndarray:
    """Label priority per site (0 first; -1: no label): best rank first, unscored last."""
    order = np.argsort(np.where(np.isfinite(ranks), ranks, np.inf), kind="stable")
    priority = np.full(len(ranks), -1)
    priority[order[:limit]] = np.arange(min(limit, len(ranks)))
    return priority


def _cards(
    sites: gpd.GeoDataFrame,
    result: pd.DataFrame,
    details: pd.DataFrame,
    criteria: pd.DataFrame,
    key_criteria: Iterable[str],
) -> tuple[list[str], list[list[str]]]:
    """The row labels of a site's card, and each site's values as text."""
    ids = sites["site_id"].astype(str).to_numpy()
    scores = result["score"].reindex(ids).to_numpy(dtype=float)
    ranks = result["rank"].reindex(ids).to_numpy(dtype=float)
    keys = [c for c in key_criteria if c in details.columns]
    values = details.reindex(ids)[keys].to_numpy(dtype=float) if keys else np.empty((len(ids), 0))
    units = [criteria.at[c, "unit"] for c in keys]
    labels = ["Status", "Score", "Rank", *(f"{criteria.at[c, 'label']}" for c in keys)]
    cards = []
    for i, status in enumerate(sites["status"].astype(str)):
        scored = np.isfinite(scores[i])
        cards.append(
            [
                status,
                f"{scores[i]:.3f}" if scored else "not scored (reference or filtered out)",
                str(int(ranks[i])) if scored else "-",
                *(_fmt(values[i, k], unit) for k, unit in enumerate(units)),
            ]
        )
    return labels, cards


def sites_layer(
    sites: gpd.GeoDataFrame,
    result: pd.DataFrame,
    details: pd.DataFrame,
    criteria: pd.DataFrame,
    *,
    name: str = "Sites (coloured by score)",
    key_criteria: Iterable[str] = (),
    label_limit: int = LABEL_LIMIT,
) -> tuple[folium.GeoJson, branca.colormap.LinearColormap]:
    """One GeoJson layer of sites (points and polygons) coloured by ``result["score"]``.

    ``result`` is :func:`windrose_sites.scoring.score` output indexed by ``site_id``; sites not
    in it (filtered out or reference places) are drawn grey. The colour scale is the whole
    ranking's (:func:`ranking_scale`), not that of the sites shown. ``details`` holds the
    criterion values shown in tooltips, indexed by ``site_id``. Tooltips and labels are built
    as text in the browser (see :mod:`windrose_sites.map_scripts`), so any name is safe to show.

    A site drawn as a polygon (the Romeynsweel plots, 9.5 ha, a pixel or two at a country's
    zoom) also gets a circle marker at a point inside it, so it can be seen and clicked at
    every zoom. The ``label_limit`` best-ranked sites get a permanent name label. The layer
    draws in the ``windrose-sites`` pane: use it in a map from :func:`build_map`.
    """
    ids = sites["site_id"].astype(str).to_numpy()
    ranks = result["rank"].reindex(ids).to_numpy(dtype=float)
    cmap = ranking_scale(result)
    colours = _hex_colours(result["score"].reindex(ids).to_numpy(dtype=float), cmap.vmin, cmap.vmax)
    labels, cards = _cards(sites, result, details, criteria, key_criteria)
    geoms = sites.geometry.to_numpy()
    is_point = shapely.get_type_id(geoms) == 0
    plots = np.flatnonzero(~is_point & ~shapely.is_empty(geoms))
    has_marker = np.isin(np.arange(len(geoms)), plots)
    label_order = _label_order(ranks, label_limit)
    props, markers = [], []
    for i, (sid, name_) in enumerate(zip(ids, sites["name"].astype(str), strict=True)):
        base = {"site_id": sid, "name": name_, "v": cards[i]}
        point = {**base, "style": {"fillColor": colours[i]}}
        if label_order[i] >= 0:
            point.update(label=short_name(name_), label_order=int(label_order[i]))
        if is_point[i]:
            props.append(point)
        else:
            # the plots keep the circles' outline and opacity; the label goes on their marker
            style = {"fillColor": colours[i], "color": "#333", "weight": 1.2, "fillOpacity": 0.85}
            props.append({**base, "style": style})
            if has_marker[i]:
                markers.append(point)
    # markers for the plots come last, so they draw above every polygon
    geometries = np.concatenate([geoms, shapely.point_on_surface(geoms[plots])])
    marker = folium.CircleMarker(radius=8, color="#333", weight=1.2, fill=True, fill_opacity=0.85)
    layer = _GeoJson(
        _features(geometries, props + markers),
        geoms,
        name=name,
        marker=marker,
        on_each_feature=folium.JsCode(
            map_scripts.CARD_JS.replace("__LABELS__", _js_literal(labels))
        ),
        pane="windrose-sites",
    )
    marker.options["pane"] = "windrose-sites"
    layer.add_child(map_scripts.SiteLabels())
    return layer, cmap


def ports_layer(ports: pd.DataFrame, *, name: str = "Container ports") -> folium.GeoJson:
    """One GeoJson layer of container ports (blue circles) with TEU tooltips, drawn in the
    ``windrose-ports`` pane: under the sites, above the route lines.
    """
    props = [
        {
            "port_id": str(pid),
            "tooltip": _table_html(
                str(row["name"]),
                [
                    ("UN/LOCODE", row["locode"]),
                    ("Throughput", _fmt(row["teu_m"], f"M TEU ({_fmt_year(row['teu_year'])})")),
                    ("Source", row["teu_source"] or "NOT FOUND"),
                ],
            ),
            "style": {"color": "#08306b", "weight": 2, "fillColor": "#4292c6", "fillOpacity": 1},
        }
        for pid, row in ports.iterrows()
    ]
    gdf = gpd.GeoDataFrame(
        props, geometry=gpd.points_from_xy(ports["lon"], ports["lat"]), crs="EPSG:4326"
    )
    marker = folium.CircleMarker(radius=5, fill=True)
    layer = folium.GeoJson(
        gdf.to_json(drop_id=True),
        name=name,
        marker=marker,
        tooltip=folium.GeoJsonTooltip(fields=["tooltip"], labels=False),
        pane="windrose-ports",
    )
    marker.options["pane"] = "windrose-ports"  # under the sites, above the lines
    return layer


def _fmt_year(year: object) -> str:
    return str(int(year)) if isinstance(year, (int, float)) and np.isfinite(year) else "year n/a"


def routes_layer(routes: pd.DataFrame, *, name: str = "Routes") -> folium.GeoJson:
    """One GeoJson layer of lines. ``routes`` has ``label``, ``colour``, ``dash`` and
    ``coords`` (a list of ``(lon, lat)``) per row.

    The lines draw in the ``windrose-lines`` pane, under ports and sites: a line that ends on a
    site keeps its hover label along its length but never takes a click on the site.
    """
    features = [
        {
            "type": "Feature",
            "properties": {
                "tooltip": f"<b>{_esc(r['label'])}</b>",
                "style": {
                    "color": r["colour"],
                    "weight": 3,
                    "opacity": 0.85,
                    "dashArray": r["dash"] or None,
                },
            },
            "geometry": {"type": "LineString", "coordinates": [list(c) for c in r["coords"]]},
        }
        for _, r in routes.iterrows()
    ]
    return folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=name,
        tooltip=folium.GeoJsonTooltip(fields=["tooltip"], labels=False),
        pane="windrose-lines",
    )


def build_map(
    bounds: tuple[float, float, float, float],
    outlines: gpd.GeoDataFrame,
    layers: Iterable[folium.GeoJson],
    *,
    legend: Mapping[str, float] | None = None,
    legend_title: str = "Score",
    view: tuple[float, float, int] | None = None,
) -> folium.Map:
    """Assemble an offline map: basemap, the given layers, a legend and a layer control.

    ``bounds`` is ``(west, south, east, north)`` in degrees; ``legend`` has ``vmin``/``vmax``.
    ``view`` (lat, lon, zoom) replaces fitting the bounds, for a map drawn while hidden (in a
    tab that is not open, Leaflet has no size to fit bounds to and computes NaN).
    """
    m = _base_map(bounds, outlines, view)
    for layer in layers:
        layer.add_to(m)
    if legend is not None:
        m.add_child(
            _Legend(
                legend_html(
                    f"<b>{_esc(legend_title)}</b>",
                    f"<span>{legend['vmin']:.2f}</span>",
                    f"<span>{legend['vmax']:.2f}</span>",
                )
            )
        )
    folium.LayerControl(collapsed=True).add_to(m)
    return m


# =========================================================================== suitability surface
# The layers of the Suitability page's map (windrose_sites.surface re-exports them): the score
# raster as an image, the region's outline, and the located areas with the candidate sites.


def overlay_png(grid: Grid, scores: np.ndarray, vmin: float, vmax: float) -> bytes:
    """The score raster as a palette PNG (RdYlGn of :func:`colour_scale`), transparent
    outside the region and where the score is NaN. Row 0 is the north edge.
    """
    cmap = colour_scale(vmin, vmax)
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
_SURFACE_IMAGE_PANE, _SURFACE_MARK_PANE = "shadowPane", "markerPane"


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
        pane=_SURFACE_IMAGE_PANE,
    )


def region_layer(parts: gpd.GeoDataFrame) -> folium.GeoJson:
    """The region's outline (no fill)."""
    return folium.GeoJson(
        parts[["name", "geometry"]].to_json(),
        name="Region outline",
        style_function=lambda _: {"color": "#222", "weight": 1.2, "fill": False},
        interactive=False,
        pane=_SURFACE_MARK_PANE,
    )


def located_layer(
    areas: pd.DataFrame,
    sites: gpd.GeoDataFrame,
    surface: Surface,
    scores: np.ndarray,
    cmap: branca.colormap.LinearColormap,
) -> folium.GeoJson:
    """Located areas (big rings) and the candidate sites inside the region (small dots), both
    coloured by the surface score of their cell on the overlay's scale ``cmap``.
    """
    centres = shapely.centroid(sites.geometry.to_numpy())  # as the catalog: sites are small
    lon, lat = shapely.get_x(centres), shapely.get_y(centres)
    from windrose_sites.surface.grid import cell_at  # lazy: the surface re-exports this module

    cell = cell_at(surface.grid, lon, lat)
    features = []
    inside = cell >= 0
    names = sites["name"].to_numpy()[inside]
    for name, v, x, y in zip(names, scores[cell[inside]], lon[inside], lat[inside], strict=True):
        text = f"surface score of its cell {v:.3f}" if np.isfinite(v) else "cell filtered out"
        colour = cmap(v) if np.isfinite(v) else "#888888"
        features.append(_surface_point(x, y, f"{name}: {text}", colour, 6, "#333"))
    strengths = areas["strengths"] if "strengths" in areas else [None] * len(areas)
    for rank, town, v, x, y, why in zip(
        areas["rank"], areas["nearest_town"], areas["score"], areas["lon"], areas["lat"],
        strengths, strict=True,
    ):  # fmt: skip
        tip = f"#{rank} near {town}: score {v:.3f}" + ("" if why is None else f"; {why}")
        features.append(_surface_point(x, y, tip, cmap(v), 11, "#000"))
    return folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name="Located areas and candidate sites",
        marker=folium.CircleMarker(fill=True),
        tooltip=folium.GeoJsonTooltip(fields=["tooltip"], labels=False),
        style_function=lambda f: f["properties"]["style"],
    )


def _surface_point(lon: float, lat: float, tip: str, fill: str, radius: int, line: str) -> dict:
    style = {
        "radius": radius,
        "color": line,
        "weight": 2,
        "fill": True,
        "fillColor": fill,
        "fillOpacity": 0.95,
        "pane": _SURFACE_MARK_PANE,
    }
    return {
        "type": "Feature",
        "properties": {"tooltip": html.escape(tip), "style": style},
        "geometry": {"type": "Point", "coordinates": [float(lon), float(lat)]},
    }


# ======================================================================= end suitability surface
