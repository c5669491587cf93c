"""The prepared map frame sends exactly what ``st_folium`` sends (issue 16 §2): the arguments
are computed once per static map part instead of on every rerun, for the same frontend."""

from __future__ import annotations

import pandas as pd
import pytest
import streamlit_folium

from windrose_sites import catalog, map_paint, map_views, maps
from windrose_ui import folium_frame


@pytest.fixture
def sent(monkeypatch) -> list[dict]:
    """The keyword arguments of every call to a map component (streamlit-folium's or ours)."""
    calls: list[dict] = []

    def record(**kwargs):
        calls.append(kwargs)
        return kwargs["default"]

    monkeypatch.setattr(streamlit_folium, "_component_func", record)
    monkeypatch.setattr(folium_frame, "_component", record)
    return calls


def _static(key: str) -> map_paint.StaticMap:
    sites, ports = catalog.load_sites(), catalog.load_ports()
    cand = sites[sites["role"] == "candidate"]
    spec = map_views.view_spec("Europe", cand, ports, catalog.site_attributes())
    return map_paint.render_static(
        key,
        spec.bounds,
        catalog.load_outlines(),
        sites=spec.sites,
        details=catalog.criteria_table(),
        criteria=catalog.load_criteria(),
        key_criteria=("sea_distance_nm",),
        layers=[maps.ports_layer(spec.ports), maps.routes_layer(spec.lines)],
    )


@pytest.mark.parametrize("returned", [(), ("last_object_clicked",)])
def test_the_prepared_arguments_are_st_foliums(sent, returned):
    static = _static("map_Europe")
    streamlit_folium.st_folium(
        map_paint.folium_map(static),
        key="map_Europe",
        height=480,
        use_container_width=True,
        returned_objects=list(returned),
    )
    args = folium_frame.prepare(map_paint.folium_map(static), "map_Europe")
    folium_frame.show(args, key="map_Europe", height=480, returned_objects=returned)
    theirs, ours = sent
    assert theirs.keys() == ours.keys()
    for name in theirs.keys() - {"on_change"}:
        assert ours[name] == theirs[name], name
    assert len(ours["script"]) > 10_000  # the whole static part: sites, cards, outlines


def test_one_preparation_serves_every_rerun(sent):
    args = folium_frame.prepare(map_paint.folium_map(_static("k")), "k")
    for _ in range(3):
        folium_frame.show(args, key="k", height=360)
    assert len({c["key"] for c in sent}) == 1  # one component key: the frame is kept
    assert len({id(c["script"]) for c in sent}) == 1  # the same text object, not rebuilt


def test_a_new_static_part_gets_a_new_key():
    static = _static("k")
    other = map_paint.render_static(
        "k",
        static.bounds,
        catalog.load_outlines(),
        sites=None,
        details=pd.DataFrame(index=pd.Index([], name="site_id")),
        criteria=catalog.load_criteria(),
    )
    a = folium_frame.prepare(map_paint.folium_map(static), "k")
    b = folium_frame.prepare(map_paint.folium_map(other), "k")
    assert a.hash_key != b.hash_key
    assert a.script != b.script


def test_a_pin_is_sent_as_a_feature_group_and_keeps_the_map(sent):
    """The add-a-site map's pin (Sites & data) goes to the map already in the browser: the
    map's script, HTML and key are those of the map without it; the pin's own script draws
    vector marks and fetches nothing (Leaflet's default marker is an image from a CDN)."""
    static = _static("add_map")
    for pin in (None, (51.3, 4.3)):
        streamlit_folium.st_folium(
            map_paint.folium_map(static),
            key="add_map",
            height=380,
            returned_objects=["last_clicked"],
            feature_group_to_add=map_paint.pin_layer(*pin) if pin else None,
        )
    without, with_pin = sent
    for name in ("script", "html", "header", "key"):
        assert with_pin[name] == without[name], name
    assert without["feature_group"] is None
    group = with_pin["feature_group"]
    assert group.count("L.circleMarker(") == 2
    assert "[51.3, 4.3]" in group
    assert "http" not in group
    assert "L.icon" not in group
