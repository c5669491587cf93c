"""The Suitability page's map in two parts (issue 16), as :mod:`windrose_sites.map_paint`.

A weight move changes the score image, the located areas, the colours of the candidate sites'
dots and the legend's range. It never changes the basemap, the country outlines, the region's
outline or the layer control. So the map comes in two parts:

- the **static part** (:func:`render_static`): basemap, outlines, the region's outline and the
  layer control, rendered once to strings (:class:`windrose_sites.map_paint.StaticMap`). The
  UI caches it per region;
- the **layers of a rerun** (:func:`surface_map`): the score image, the located areas and the
  dots and the legend, added to a small map that draws the static part. They join the static
  layer control in the browser, so every layer can still be switched off.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

import folium
import geopandas as gpd
import pandas as pd
from branca.element import MacroElement, Template

from windrose_sites import map_paint, maps

__all__ = ["CONTROL_VAR", "render_static", "surface_map"]

#: Stands for the static part's layer control in its script (upper case: never renamed).
CONTROL_VAR = "WINDROSE_SURFACE_CONTROL"
_CONTROL = re.compile(r"\blayer_control_[0-9a-f]+\b")


def render_static(
    parts: gpd.GeoDataFrame, outlines: gpd.GeoDataFrame, *, key: str = "surface_map"
) -> map_paint.StaticMap:
    """Render the static part of a region's map once: basemap, country outlines, the region's
    outline (:func:`windrose_sites.maps.region_layer`) and the layer control, fitted to the
    region's bounds. The control is named :data:`CONTROL_VAR` in the script.
    """
    west, south, east, north = (float(v) for v in parts.total_bounds)
    static = map_paint.render_static(
        key,
        (west, south, east, north),
        outlines,
        sites=None,
        details=pd.DataFrame(),
        criteria=pd.DataFrame(),
        layers=[maps.region_layer(parts)],
    )
    names = set(_CONTROL.findall(static.script))
    if len(names) != 1:
        msg = f"the static map should have one layer control, found {sorted(names)}"
        raise ValueError(msg)
    return dataclasses.replace(static, script=static.script.replace(names.pop(), CONTROL_VAR))


class _Overlays(MacroElement):
    """Adds the map's layers given to it to the static part's layer control."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {%- for layer in this.layers %}
        {{ this.control }}.addOverlay({{ layer.get_name() }}, {{ layer.layer_name|tojson }});
        {%- endfor %}
        {% endmacro %}
        """
    )

    def __init__(self, layers: Sequence[folium.map.Layer]):
        super().__init__()
        self._name = "SurfaceOverlays"
        self.control = CONTROL_VAR
        self.layers = list(layers)


def surface_map(
    static: map_paint.StaticMap,
    layers: Sequence[folium.map.Layer],
    *,
    vmin: float,
    vmax: float,
    legend_title: str,
) -> folium.Map:
    """A small map for ``st_folium``: ``static`` (see :func:`render_static`), ``layers`` (the
    score image, the located areas) joined to its layer control, and the legend of the
    score range ``vmin``..``vmax`` (as :func:`windrose_sites.maps.build_map` draws it).
    """
    m = map_paint.folium_map(static)
    for layer in layers:
        layer.add_to(m)
    m.add_child(_Overlays(layers))
    m.add_child(
        maps._Legend(
            maps.legend_html(
                f"<b>{maps._esc(legend_title)}</b>",
                f"<span>{vmin:.2f}</span>",
                f"<span>{vmax:.2f}</span>",
            )
        )
    )
    return m
