"""``st_folium`` for a map whose text never changes: its arguments prepared once, not per rerun.

``streamlit_folium.st_folium`` turns a folium map into the arguments of its component on every
call: it renders the map, rewrites folium's variable names with regular expressions over the
whole script and hashes the result into the component's key. For a static map part of
10,000 sites (3 MB of script) that is about 70 ms per map and rerun, for text that is the same
every time (:mod:`windrose_sites.map_paint`).

:func:`prepare` does that work once, with streamlit-folium's own functions, in the order
``st_folium`` 0.27.4 does it (``requirements.txt`` pins that version;
``tests/test_folium_frame.py`` checks that the arguments equal what ``st_folium`` passes to its
component). :func:`show` then hands the prepared arguments to the same frontend (the
component declared on streamlit-folium's ``frontend/build``), with the same return value and
the same copy of the value into ``st.session_state[key]``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import folium
import streamlit as st
import streamlit.components.v1 as components
import streamlit_folium as sf

__all__ = ["FrameArgs", "prepare", "show"]

_component = components.declare_component(
    "st_folium", path=str(Path(sf.__file__).parent / "frontend" / "build")
)


#: The values ``st_folium`` can return, in its order (its default before any interaction).
_RETURNED = (
    "last_clicked",
    "last_object_clicked",
    "last_object_clicked_count",
    "last_object_clicked_tooltip",
    "last_object_clicked_popup",
    "all_drawings",
    "last_active_drawing",
    "bounds",
    "zoom",
    "last_circle_radius",
    "last_circle_polygon",
    "selected_layers",
    "selected_tags",
    "last_geocoder_result",
)


@dataclass(frozen=True)
class FrameArgs:
    """The component arguments of one map, as ``st_folium`` computes them (immutable text)."""

    script: str
    header: str
    html: str
    map_id: str
    hash_key: str
    bounds: dict[str, dict[str, Any]]
    zoom: Any
    css_links: tuple[str, ...]
    js_links: tuple[str, ...]


def _links(m: folium.Map) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The CSS and JS links of the map and its children (``st_folium``'s walk; no colormaps,
    DualMaps or drawings in the maps this module draws).
    """
    css: list[str] = []
    js: list[str] = []

    def walk(element: Any) -> Iterable[Any]:
        if isinstance(element, folium.elements.JSCSSMixin):
            yield element
        for child in getattr(element, "_children", {}).values():
            yield from walk(child)

    for element in walk(m):
        css.extend(href for _, href in getattr(element, "default_css", []))
        js.extend(src for _, src in getattr(element, "default_js", []))
    return tuple(dict.fromkeys(css)), tuple(dict.fromkeys(js))


def prepare(m: folium.Map, key: str) -> FrameArgs:
    """The arguments ``st_folium(m, key=key)`` would send (``m`` is changed: use it once)."""
    m.get_root().render()
    m.render()
    html = sf._get_html(m)
    header = sf._get_header(m)
    script = sf._get_map_string(m)
    map_id = sf.get_full_id(m)
    try:
        (south, west), (north, east) = m.get_bounds()
    except AttributeError:
        south = west = north = east = None
    css, js = _links(m)
    return FrameArgs(
        script=script,
        header=header,
        html=html,
        map_id=map_id,
        hash_key=sf.generate_js_hash(script, key, False),
        bounds={
            "_southWest": {"lat": south, "lng": west},
            "_northEast": {"lat": north, "lng": east},
        },
        zoom=m.options.get("zoom"),
        css_links=css,
        js_links=js,
    )


def show(args: FrameArgs, *, key: str, height: int, returned_objects: Iterable[str] = ()) -> Any:
    """Draw a prepared map full width, as ``st_folium(..., use_container_width=True)``."""
    returned = list(returned_objects)
    known = {"bounds": args.bounds, "zoom": args.zoom}  # every other value starts as None
    hash_key = args.hash_key

    def on_change() -> None:
        st.session_state[key] = st.session_state.get(hash_key, {})

    return _component(
        script=args.script,
        header=args.header,
        html=args.html,
        id=args.map_id,
        key=hash_key,
        height=height,
        width=None,
        returned_objects=returned,
        default={k: known.get(k) for k in _RETURNED if k in returned},
        zoom=None,
        center=None,
        feature_group=None,
        return_on_hover=False,
        layer_control=None,
        pixelated=False,
        css_links=list(args.css_links),
        js_links=list(args.js_links),
        on_change=on_change,
        wrap_longitude=False,
    )
