"""The Suitability page's rerun (issue 16): a weight move rescores the cells and moves the
located areas, the map's static part (basemap, outlines, the region's outline, the layer
control) is rendered once per region, and every change still shows new results."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest
from test_suitability_page import located, map_script

from windrose_sites import catalog, map_paint, maps
from windrose_sites import state as ws
from windrose_sites import surface as sf
from windrose_sites.surface import mapping
from windrose_ui import cached

ROOT = Path(__file__).resolve().parent.parent
PAGE = "pages/suitability.py"


@pytest.fixture
def builds(monkeypatch) -> list[str]:
    """The Suitability map's static parts rendered while the test runs (none cached before;
    the Overview's maps, drawn on the app's first run, are not counted).
    """
    keys: list[str] = []
    real = map_paint.render_static

    def counting(key, *args, **kwargs):
        if key == "surface_map":
            keys.append(key)
        return real(key, *args, **kwargs)

    monkeypatch.setattr(map_paint, "render_static", counting)
    cached.static_map.clear()
    yield keys
    cached.static_map.clear()


def _png(script: str) -> str:
    return re.search(r"data:image/png;base64,([A-Za-z0-9+/=]+)", script).group(1)


def _page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300).run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def test_a_weight_move_rescores_without_rebuilding_the_static_map(builds):
    at = _page()
    assert builds == ["surface_map"]
    before, png = located(at), _png(map_script(at))
    for group in catalog.GROUPS:  # only the port-access group: the areas move to the ports
        at.slider(key=ws.group_key(group)).set_value(100 if group == "port access" else 0)
    at.run()
    assert not at.exception, at.exception
    after, script = located(at), map_script(at)
    assert builds == ["surface_map"]  # the static part was reused
    assert _png(script) != png  # the cells were scored anew
    assert after["score"].tolist() != before["score"].tolist()
    assert after["nearest_town"].tolist() != before["nearest_town"].tolist()
    for town in after["nearest_town"]:  # the map shows the new areas, not the old ones
        assert f"near {town}: score" in script
    # the layers of this rerun join the static part's layer control
    assert script.count(f"{mapping.CONTROL_VAR}.addOverlay(") == 2
    assert script.index(f"let {mapping.CONTROL_VAR} =") < script.index("addOverlay(")


def test_region_and_cell_size_show_their_own_map(builds):
    at = _page()
    at.select_slider(key="sfc_res_km").set_value(5).run()
    assert not at.exception, at.exception
    assert builds == ["surface_map"]  # the same region's static part
    grid = sf.build_surface("az_ca", 5).grid
    image = Image.open(io.BytesIO(base64.b64decode(_png(map_script(at)))))
    assert image.size == (grid.nx, grid.ny)  # the 5 km cells, not the 10 km ones
    at.radio(key="sfc_region").set_value("be_nfr").run()
    assert not at.exception, at.exception
    assert builds == ["surface_map", "surface_map"]  # a new region: its own outline
    assert set(located(at)["region"]) <= set(catalog.load_region("be_nfr")["name"])
    at.radio(key="sfc_region").set_value("az_ca").run()
    assert not at.exception, at.exception
    assert len(builds) == 2  # back to a region drawn before: cached
    assert set(located(at)["region"]) <= {"Arizona", "California"}


def test_an_added_area_shows_as_a_candidate_dot_at_once():
    at = _page()
    first = located(at).iloc[0]
    at.button(key="sfc_add_1").click().run()
    assert not at.exception, at.exception
    assert f"Area near {first['nearest_town']}, {first['region']}: surface score" in (
        map_script(at)
    )


def test_the_static_part_and_the_layers_of_a_rerun_make_one_map():
    s = sf.build_surface("az_ca", 10)
    weights = sf.surface_weights({"road_to_port_km": 1.0}, s.columns)[0]
    scores = sf.score_surface(s, weights)
    areas = sf.locate(s, scores, weights=weights)
    vmin, vmax = float(np.nanmin(scores)), float(np.nanmax(scores))
    static = mapping.render_static(s.parts, catalog.load_outlines())
    assert "Region outline" in static.script
    assert mapping.CONTROL_VAR in static.script
    assert not re.search(r"layer_control_[0-9a-f]+", static.script)
    layers = [
        sf.overlay_layer(s.grid, scores, vmin, vmax),
        sf.located_layer(areas, catalog.load_sites(), s, scores, maps.colour_scale(vmin, vmax)),
    ]
    m = mapping.surface_map(static, layers, vmin=vmin, vmax=vmax, legend_title="Suitability <x>")
    html = m.get_root().render()
    for name in ("Suitability surface", "Located areas and candidate sites"):
        assert f"{mapping.CONTROL_VAR}.addOverlay(image_overlay_" in html
        assert f'"{name}");' in html
    assert "L.imageOverlay" in html
    assert f"{vmin:.2f}" in html
    assert f"{vmax:.2f}" in html
    assert "Suitability <x>" not in html  # the title is escaped
