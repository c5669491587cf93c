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
