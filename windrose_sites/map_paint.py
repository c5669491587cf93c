"""Maps rendered once and painted on every rerun (issue 16).

A slider move changes a site's colour, score, rank and name label, and the legend's range. It
never changes the outlines, ports, routes, site geometry or the criterion values a site's card
shows. So a map comes in two parts:

- the **static part** (:func:`render_static`): the Leaflet script of every layer and the
  header styles they need, rendered once to strings. The UI caches it, keyed on the data it is
  built from (``windrose_ui.cached.static_map``). :func:`folium_map` wraps it in a small
  ``folium.Map`` for ``st_folium``, whose render costs no Jinja work for the layers. The
  message Streamlit sends for it is the same on every rerun, so Streamlit sends the browser a
  reference to the copy it already holds, and the map frame is kept, not rebuilt;
- the **paint** (:func:`paint`): colours, scores and ranks per site, the name labels and the
  legend's range, a few bytes per site. :func:`paint_script` is the script (for
  ``st.html``) that hands it to the map's frame, which restyles its layer in place.

Texts are escaped as in :mod:`windrose_sites.maps`: cards and labels are set with
``textContent`` in the browser, and JSON inlined in a script has ``<`` escaped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, Figure, MacroElement, Template

from windrose_sites import map_scripts, maps

__all__ = [
    "StaticMap",
    "folium_map",
    "outlines_near",
    "paint",
    "paint_script",
    "render_static",
    "site_token",
    "static_sites_layer",
]

#: Stands for the map's JavaScript variable in a rendered static part (upper case: never
#: renamed by streamlit-folium, which renames lower-case folium ids).
_MAP_VAR = "WINDROSE_MAP_VAR"
#: Header parts every folium.Map writes itself (the small map of :func:`folium_map` too).
_MAP_HEADER = {"meta_http", "leaflet", "leaflet_css"}
#: A site's fill before the first paint arrives, and for a site the ranking does not score.
_UNPAINTED = "#888888"


@dataclass(frozen=True)
class StaticMap:
    """The rendered static part of a map (see the module docstring).

    ``key`` names the map (its ``st_folium`` key) and the paint channel; ``token`` ties a
    paint to this static part (a paint built for other sites is ignored by the browser).
    ``site_ids`` is the order of the paint's per-site arrays.
    """

    key: str
    token: str
    script: str
    header: str
    site_ids: tuple[str, ...]
    bounds: tuple[float, float, float, float]
    view: tuple[float, float, int] | None


def _static_cards(
    sites: gpd.GeoDataFrame,
    details: pd.DataFrame,
    criteria: pd.DataFrame,
    key_criteria: Iterable[str],
) -> tuple[list[str], list[list[str]]]:
    """The criterion labels of a site's card, and each site's status and values as text."""
    ids = sites["site_id"].astype(str).to_numpy()
    keys = [c for c in key_criteria if c in details.columns]
    values = details.reindex(ids)[keys].to_numpy(dtype=float) if keys else np.empty((len(ids), 0))
    units = [criteria.at[c, "unit"] for c in keys]
    labels = [f"{criteria.at[c, 'label']}" for c in keys]
    cards = [
        [status, *(maps._fmt(values[i, k], unit) for k, unit in enumerate(units))]
        for i, status in enumerate(sites["status"].astype(str))
    ]
    return labels, cards


def static_sites_layer(
    sites: gpd.GeoDataFrame,
    details: pd.DataFrame,
    criteria: pd.DataFrame,
    *,
    key: str,
    token: str,
    name: str = "Sites (coloured by score)",
    key_criteria: Iterable[str] = (),
) -> folium.GeoJson:
    """One GeoJson layer of sites with everything a ranking cannot change, drawn grey.

    Each feature carries ``i``, its site's index in ``sites``: a paint (:func:`paint`) gives
    per-site arrays in that order. A plot drawn as a polygon also gets a circle marker at a
    point inside it (as in :func:`windrose_sites.maps.sites_layer`). The layer registers
    itself with the app's page under ``key`` and applies paints carrying ``token``.
    """
    ids = sites["site_id"].astype(str).to_numpy()
    labels, cards = _static_cards(sites, details, criteria, key_criteria)
    geoms = sites.geometry.to_numpy()
    is_point = shapely.get_type_id(geoms) == 0
    plots = np.flatnonzero(~is_point & ~shapely.is_empty(geoms))
    props: list[dict[str, object]] = []
    for i, (sid, name_) in enumerate(zip(ids, sites["name"].astype(str), strict=True)):
        base = {"site_id": sid, "name": name_, "i": i, "v": cards[i]}
        if is_point[i]:
            props.append(
                {**base, "label": maps.short_name(name_), "style": {"fillColor": _UNPAINTED}}
            )
        else:  # the plots keep the circles' outline and opacity
            style = {"fillColor": _UNPAINTED, "color": "#333", "weight": 1.2, "fillOpacity": 0.85}
            props.append({**base, "style": style})
    markers = [
        {
            **props[i],
            "label": maps.short_name(str(props[i]["name"])),
            "style": {"fillColor": _UNPAINTED},
        }
        for i in plots
    ]
    # markers for the plots come last, so they draw above every polygon
    geometries = np.concatenate([geoms, shapely.point_on_surface(geoms[plots])])
    marker = folium.CircleMarker(radius=8, color="#333", weight=1.2, fill=True, fill_opacity=0.85)
    layer = maps._GeoJson(
        maps._features(geometries, props + markers),
        geoms,
        name=name,
        marker=marker,
        on_each_feature=folium.JsCode(
            map_scripts.PAINTED_CARD_JS.replace("__LABELS__", maps._js_literal(labels))
        ),
        pane="windrose-sites",
    )
    marker.options["pane"] = "windrose-sites"
    layer.add_child(map_scripts.PaintedSites(key, token))
    return layer


def _legend() -> MacroElement:
    """Maps' colour legend with its title and range left blank for the paint to fill."""
    return maps._Legend(
        maps.legend_html(
            '<b class="windrose-legend-title"></b>',
            '<span class="windrose-vmin"></span>',
            '<span class="windrose-vmax"></span>',
        )
    )


def site_token(key: str, site_ids: Sequence[str], data_key: str) -> str:
    """The token tying paints to one static part: its key, its sites in order, its data."""
    digest = hashlib.sha256("\x1f".join([key, data_key, *site_ids]).encode())
    return digest.hexdigest()[:16]


def outlines_near(
    outlines: gpd.GeoDataFrame, bounds: tuple[float, float, float, float]
) -> gpd.GeoDataFrame:
    """The outlines that touch the view ``bounds`` (west, south, east, north) widened by its
    own width and height on every side: what a user sees there and around it when zooming out
    or panning a little. The rest of the world is not sent to the browser with every map.

    >>> from shapely.geometry import box
    >>> world = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1), box(50, 0, 51, 1)], crs=4326)
    >>> len(outlines_near(world, (0.0, 0.0, 2.0, 2.0)))
    1
    """
    west, south, east, north = bounds
    dx, dy = max(east - west, 1.0), max(north - south, 1.0)
    near = outlines.intersects(shapely.box(west - dx, south - dy, east + dx, north + dy))
    return outlines[near]


def render_static(
    key: str,
    bounds: tuple[float, float, float, float],
    outlines: gpd.GeoDataFrame,
    *,
    sites: gpd.GeoDataFrame | None,
    details: pd.DataFrame,
    criteria: pd.DataFrame,
    key_criteria: Iterable[str] = (),
    layers: Iterable[folium.GeoJson] = (),
    data_key: str = "",
    view: tuple[float, float, int] | None = None,
) -> StaticMap:
    """Render a map's static part once: basemap, the sites (if any) drawn grey, ``layers``
    (ports, routes: anything a ranking cannot change), a blank legend and the layer control.

    ``bounds`` is ``(west, south, east, north)`` in degrees; ``view`` (lat, lon, zoom)
    replaces fitting them (see :func:`windrose_sites.maps.build_map`). ``data_key`` names the
    data the part is built from; it goes into the token.
    """
    site_ids = () if sites is None else tuple(sites["site_id"].astype(str))
    token = site_token(key, site_ids, data_key)
    site_layers = []
    if sites is not None and len(sites):
        site_layers.append(
            static_sites_layer(
                sites, details, criteria, key=key, token=token, key_criteria=key_criteria
            )
        )
    m = maps.build_map(bounds, outlines_near(outlines, bounds), [*site_layers, *layers], view=view)
    if site_layers:
        m.add_child(_legend())
    fig = m.get_root()
    assert isinstance(fig, Figure)  # a map's root is always its figure
    fig.render()
    own = m.get_name()
    script = "\n".join(
        child.render() for name, child in fig.script._children.items() if name != own
    )
    header = "\n".join(
        child.render()
        for name, child in fig.header._children.items()
        if name not in _MAP_HEADER and name != own
    )
    return StaticMap(
        key=key,
        token=token,
        script=script.replace(own, _MAP_VAR),
        header=header,
        site_ids=site_ids,
        bounds=bounds,
        view=view,
    )


class _Rendered(MacroElement):
    """A static part (:class:`StaticMap`) inside a map: its strings, no template work."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}{{ this.static.header }}{% endmacro %}
        {% macro script(this, kwargs) %}{{ this.script() }}{% endmacro %}
        """
    )

    def __init__(self, static: StaticMap):
        super().__init__()
        self._name = "Rendered"
        self.static = static

    def script(self) -> str:
        """The static script, drawing on the map this element was added to."""
        assert self._parent is not None  # added to a map by folium_map
        return self.static.script.replace(_MAP_VAR, self._parent.get_name())

    def render(self, **kwargs: object) -> str:  # noqa: ARG002 (folium's signature)
        """Add the header and script to the figure (no children to render)."""
        figure = self.get_root()
        assert isinstance(figure, Figure)  # inside a map, inside its figure
        figure.header.add_child(_Text(self.static.header), name=self.get_name())
        figure.script.add_child(_Text(self.script()), name=self.get_name())
        return ""


class _Text(Element):
    """Text that renders as itself (``folium.Element`` compiles its text as a template)."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def render(self, **kwargs: object) -> str:  # noqa: ARG002 (branca's signature)
        """The text."""
        return self.text


def folium_map(static: StaticMap) -> folium.Map:
    """A small ``folium.Map`` that draws ``static``: pass it to ``st_folium`` on every rerun.

    It renders the same text on every rerun (folium's random ids are renamed by
    streamlit-folium), so Streamlit re-sends nothing and the map frame is kept.
    """
    if static.view is not None:
        lat, lon, zoom = static.view
        m = folium.Map(location=[lat, lon], zoom_start=zoom, tiles=None, control_scale=True)
    else:
        m = folium.Map(tiles=None, control_scale=True, zoom_control=True)
    m.default_js = [("leaflet", maps.LEAFLET_JS_URL)]
    m.default_css = [("leaflet_css", maps.LEAFLET_CSS_URL)]
    m.add_child(_Rendered(static))
    return m


def pin_layer(lat: float, lon: float) -> folium.FeatureGroup:
    """A pin at (``lat``, ``lon``): a ring and a dot, for ``st_folium(feature_group_to_add=)``.

    streamlit-folium adds a feature group to the map already in the browser (and removes the
    previous one), so a pin costs no new map frame. Vector marks only: Leaflet's default
    marker icon is an image it would fetch from the internet.
    """
    group = folium.FeatureGroup(name="pin", control=False)
    folium.CircleMarker([lat, lon], radius=9, color="#1f3b73", weight=3, fill=False).add_to(group)
    folium.CircleMarker([lat, lon], radius=3, color="#1f3b73", fill=True, fill_opacity=1.0).add_to(
        group
    )
    return group


def paint(
    static: StaticMap,
    result: pd.DataFrame,
    *,
    legend_title: str = "Score",
    label_limit: int = maps.LABEL_LIMIT,
) -> dict[str, object]:
    """The per-rerun part of a map: per site (in ``static.site_ids`` order) its colour,
    score (3 decimals, None if unscored) and rank; the indices of the ``label_limit`` sites
    that get a name label, best-ranked first (unscored last); the legend's range and title.

    Colours are on the whole ranking's scale (:func:`windrose_sites.maps.ranking_scale`), so
    a score has one colour on every view.

    >>> import types
    >>> s = types.SimpleNamespace(token="t", site_ids=("a", "b", "c"))
    >>> p = paint(s, pd.DataFrame({"score": [0.2, 0.8], "rank": [2, 1]}, index=["a", "b"]))
    >>> p["c"], p["s"], p["r"], p["l"]
    (['#d7191c', '#1a9641', '#888888'], [0.2, 0.8, None], [2, 1, None], [1, 0, 2])
    """
    ids = list(static.site_ids)
    scores = result["score"].reindex(ids).to_numpy(dtype=float)
    ranks = result["rank"].reindex(ids).to_numpy(dtype=float)
    cmap = maps.ranking_scale(result)
    colours = maps._hex_colours(scores, cmap.vmin, cmap.vmax)
    scored = np.isfinite(scores)
    order = maps._label_order(np.where(scored, ranks, np.nan), label_limit)
    labelled = np.flatnonzero(order >= 0)
    return {
        "t": static.token,
        "c": colours.tolist(),
        "s": [round(float(v), 3) if ok else None for v, ok in zip(scores, scored, strict=True)],
        "r": [int(v) if ok else None for v, ok in zip(ranks, scored, strict=True)],
        "l": labelled[np.argsort(order[labelled], kind="stable")].tolist(),
        "lg": [float(cmap.vmin), float(cmap.vmax), legend_title],
    }


def paint_script(key: str, payload: dict[str, object]) -> str:
    """A ``<script>`` for the app's page that hands ``payload`` to the map ``key``.

    The page keeps the last paint per map; a map frame that loads later applies it itself
    (see :data:`windrose_sites.map_scripts.PAINT_JS`).
    """
    return (
        "<script>"
        + map_scripts.PAINT_HOST_JS.replace("__KEY__", maps._js_literal(key)).replace(
            "__PAINT__", maps._js_literal(payload)
        )
        + "</script>"
    )
