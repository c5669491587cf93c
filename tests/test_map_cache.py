"""Maps drawn once and painted per rerun (issue 16 §1): a slider move repaints the sites and
rebuilds none of the static layers; the static part renders the same text on every rerun, so
Streamlit re-sends nothing for it; the paint colours as the one-scale sites layer does."""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point
from streamlit.testing.v1 import AppTest
from streamlit_folium import generate_js_hash, generate_leaflet_string

from windrose_sites import catalog, map_paint, map_views, maps
from windrose_ui import cached

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def builds(monkeypatch) -> list[str]:
    """The keys of the static map parts rendered while the test runs (none cached before)."""
    keys: list[str] = []
    real = map_paint.render_static

    def counting(key, *args, **kwargs):
        keys.append(key)
        return real(key, *args, **kwargs)

    monkeypatch.setattr(map_paint, "render_static", counting)
    cached.static_map.clear()
    yield keys
    cached.static_map.clear()


def _paints(at: AppTest) -> list[dict]:
    """The paint payloads the run handed to its maps (the st.html scripts)."""
    out = []
    for el in at.get("html"):
        body = el.proto.body
        if "windrosePaint" in body:
            out.append(json.loads(body[body.rindex(", {") + 2 : body.rindex(");")]))
    return out


def test_a_slider_move_repaints_the_overview_maps_without_rebuilding_them(builds):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300).run()
    assert not at.exception
    assert sorted(builds) == ["overview_map_Europe", "overview_map_United States"]
    before = _paints(at)
    assert len(before) == 2
    at.slider(key="w_jobs").set_value(at.slider(key="w_jobs").value + 15).run()
    assert not at.exception
    assert len(builds) == 2  # no static layer was built again
    after = _paints(at)
    assert [p["t"] for p in after] == [p["t"] for p in before]  # the same static parts
    assert [p["s"] for p in after] != [p["s"] for p in before]  # the scores moved


def test_the_map_page_builds_each_view_once(builds):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300).run()
    at.switch_page("pages/map.py").run()
    assert not at.exception
    for view in ("United States", "Supply chain", "Europe", "United States"):
        at.radio(key="map_view").set_value(view).run()
        assert not at.exception
    at.slider(key="w_jobs").set_value(at.slider(key="w_jobs").value + 15).run()
    assert not at.exception
    overview = {"overview_map_Europe", "overview_map_United States"}
    assert sorted(k for k in builds if k not in overview) == [
        "map_Europe",
        "map_Supply chain",
        "map_United States",
    ]


def _europe():
    sites, ports = catalog.load_sites(), catalog.load_ports()
    cand = sites[sites["role"] == "candidate"]
    spec = map_views.view_spec("Europe", cand, ports, catalog.site_attributes())
    result = pd.DataFrame(
        {"score": np.linspace(0.1, 0.9, len(cand)), "rank": np.arange(len(cand), 0, -1)},
        index=cand["site_id"],
    )
    return spec, result


def _static(spec, key="k", sites=None):
    return map_paint.render_static(
        key,
        spec.bounds,
        catalog.load_outlines(),
        sites=spec.sites if sites is None else sites,
        details=catalog.criteria_table(),
        criteria=catalog.load_criteria(),
        key_criteria=("sea_distance_nm",),
        layers=[maps.ports_layer(spec.ports), maps.routes_layer(spec.lines)],
    )


def test_the_static_part_renders_the_same_text_on_every_rerun():
    spec, _ = _europe()
    static = _static(spec)
    scripts = []
    for _ in range(2):
        m = map_paint.folium_map(static)
        m.get_root().render()
        scripts.append(generate_leaflet_string(m))
    # streamlit-folium keys the component on this hash: the same hash keeps the map frame
    assert generate_js_hash(scripts[0], "k") == generate_js_hash(scripts[1], "k")
    assert scripts[0].count("L.map(") == 1
    assert "WINDROSE_MAP_VAR" not in scripts[0]
    assert "geo_json" in scripts[0]
    assert "windroseMaps" in scripts[0]


def test_the_paint_colours_as_the_sites_layer_on_the_rankings_scale():
    spec, result = _europe()
    static = _static(spec)
    painted = map_paint.paint(static, result.iloc[1:])  # one site filtered out: grey
    layer, cmap = maps.sites_layer(
        spec.sites, result.iloc[1:], pd.DataFrame(), catalog.load_criteria()
    )
    fills = {
        f["properties"]["site_id"]: f["properties"]["style"]["fillColor"]
        for f in layer.data["features"]
    }
    assert dict(zip(static.site_ids, painted["c"], strict=True)) == fills
    assert painted["lg"][:2] == [cmap.vmin, cmap.vmax]
    scored = [s for s in painted["s"] if s is not None]
    assert len(scored) == len(result.iloc[1:].index.intersection(list(static.site_ids)))
    # labels: indices into the sites, the best-ranked first
    ranks = [painted["r"][i] for i in painted["l"] if painted["r"][i] is not None]
    assert ranks == sorted(ranks)


def test_site_text_is_data_in_the_static_part_and_the_paint_has_none():
    hostile = "<img src=x onerror=alert(1)>"
    sites = gpd.GeoDataFrame(
        {"site_id": ["x"], "name": [hostile], "status": ["</script><b>s</b>"]},
        geometry=[Point(4.4, 51.2)],
        crs="EPSG:4326",
    )
    spec, _ = _europe()
    static = _static(spec, sites=sites)
    assert "<img src=x" not in static.script
    assert "</script><b>" not in static.script
    assert "textContent = p.name" in static.script
    script = map_paint.paint_script(
        "k</script>", map_paint.paint(static, pd.DataFrame({"score": [0.5], "rank": [1]}, ["x"]))
    )
    assert re.findall(r"</script", script) == ["</script"]  # only its own closing tag
    assert hostile not in script
