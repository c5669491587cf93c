import base64
import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from page_helpers import open_panels
from PIL import Image
from streamlit.runtime.memory_media_file_storage import _calculate_file_id
from streamlit.testing.v1 import AppTest

from windrose_sites import catalog, decision, export
from windrose_sites import state as ws
from windrose_sites import surface as sf

ROOT = Path(__file__).resolve().parent.parent
PAGE = "pages/suitability.py"


def app_state(**changes) -> ws.AppState:
    """The default state with ``changes`` given as URL parameters."""
    crit = catalog.load_criteria()
    default = ws.default_state(list(dict.fromkeys(crit["group"])), crit["default_weight"])
    countries = sorted(catalog.site_attributes()["country"].unique())
    return ws.parse_query_params(changes, default, countries=countries)[0]


def set_sidebar(at: AppTest, state: ws.AppState) -> AppTest:
    """Move every sidebar widget to ``state`` and rerun, as a user would on this page."""
    open_panels(at)
    for group, weight in state.group_weights.items():
        at.slider(key=ws.group_key(group)).set_value(weight)
    for cid, weight in state.criterion_weights.items():
        at.slider(key=f"c_{cid}").set_value(weight)
    at.selectbox(key="method").set_value(state.method)
    at.number_input(key="f_max_port").set_value(state.filters.max_port_km or 0.0)
    at.multiselect(key="f_countries").set_value(list(state.filters.countries))
    return at.run()


def open_page(**changes) -> AppTest:
    """Open the suitability page with the sidebar set to the default state plus ``changes``.

    The sidebar is set on the page itself: after switch_page, AppTest gives the sidebar's
    widgets new ids, so they do not keep the values of the first run.
    """
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.switch_page(PAGE).run()
    set_sidebar(at, app_state(**changes))
    assert not at.exception, at.exception
    return at


def map_script(at: AppTest) -> str:
    maps = at.get("component_instance")
    assert maps, "no st_folium map on the page"
    return json.loads(maps[-1].proto.json_args)["script"]


def located(at: AppTest) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if {"rank", "nearest_town"} <= set(d.value.columns))


def only_group(group: str) -> dict[str, str]:
    """Every group weight 0 but ``group``'s, as URL-style changes."""
    return {ws.group_key(g): "100" if g == group else "0" for g in catalog.GROUPS}


def test_page_shows_the_overlay_legend_and_answer():
    at = open_page()
    script = map_script(at)
    assert "L.imageOverlay" in script
    png = re.search(r"data:image/png;base64,([A-Za-z0-9+/=]+)", script).group(1)
    image = Image.open(io.BytesIO(base64.b64decode(png)))
    s = sf.build_surface("az_ca", 10)
    assert image.size == (s.grid.nx, s.grid.ny)
    assert "windrose-legend" in script
    assert not re.search(r"https?://[^\"']*(cdn|unpkg|jsdelivr)", script)
    text = " ".join(m.value for m in at.markdown)
    assert "Where in Arizona or California should the US plant go?" in text
    assert len(located(at)) == 5


def test_moving_weight_sliders_moves_the_located_areas():
    at = open_page()
    before = located(at)
    set_sidebar(at, app_state(**only_group("port access")))
    after = located(at)
    assert not at.exception
    assert after["nearest_town"].tolist() != before["nearest_town"].tolist()
    road = next(c for c in after.columns if c.startswith("road_to_port_km"))
    assert after[road].iloc[0] < 15  # next to Los Angeles / Long Beach / Oakland
    set_sidebar(at, app_state(**only_group("jobs")))
    assert located(at)["nearest_town"].tolist() != after["nearest_town"].tolist()


def test_region_resolution_and_area_controls():
    at = open_page()
    at.radio(key="sfc_region").set_value("be_nfr").run()
    assert not at.exception
    assert "Where in Belgium or northern France?" in " ".join(m.value for m in at.markdown)
    assert set(located(at)["region"]) <= {"Belgium", "northern France"}
    at.select_slider(key="sfc_res_km").set_value(5).run()
    at.number_input(key="sfc_k").set_value(3).run()
    at.number_input(key="sfc_spacing_km").set_value(100).run()
    assert not at.exception
    assert len(located(at)) == 3
    assert any("of 5 km scored" in c.value for c in at.caption)


def test_surface_settings():
    at = open_page()
    at.slider(key="sfc_supplier_pct").set_value(0.0).run()
    at.selectbox(key="sfc_catchment_km").set_value(45).run()
    assert not at.exception
    assert not [d for d in at.dataframe if "weight_pct" in d.value.columns]  # panel closed
    at.session_state["sfc_sources_panel"] = True  # built only while open
    at.run()
    weights = next(d.value for d in at.dataframe if "weight_pct" in d.value.columns)
    assert weights.loc[sf.SUPPLIER_CRITERION, "weight_pct"] == 0
    assert weights["weight_pct"].sum() == pytest.approx(100, abs=0.5)


def test_sidebar_filters_apply_to_cells():
    at = open_page(country="FR")
    at.radio(key="sfc_region").set_value("be_nfr").run()
    assert not at.exception
    assert set(located(at)["region"]) == {"northern France"}
    assert any("countries: FR" in c.value for c in at.caption)


@pytest.mark.parametrize(("method", "label"), [("topsis", "TOPSIS"), ("promethee", "PROMETHEE")])
def test_every_method_scores_the_surface(method, label):
    at = open_page(method=method)
    assert len(located(at)) == 5
    assert any(label in c.value for c in at.caption)


def test_weighted_product_explains_why_it_cannot_score():
    at = open_page(method="wpm")
    assert any("needs every value \\> 0" in e.value for e in at.error)  # escaped Markdown


def test_add_as_candidate_appends_a_catalog_site_once():
    at = open_page()
    first = located(at).iloc[0]
    at.button(key="sfc_add_1").click().run()
    at.button(key="sfc_add_1").click().run()
    assert not at.exception
    sites = at.session_state["user_sites"]
    assert len(sites) == 1
    site = sites[0]
    assert set(catalog.SITE_COLUMNS) <= set(site.columns)
    assert site["site_id"].iloc[0].startswith("located_us-")
    assert first["nearest_town"] in site["name"].iloc[0]


def test_located_csv_is_what_the_core_computes_for_the_same_state():
    at = open_page(w_jobs="100")
    crit = catalog.load_criteria()
    state = app_state(w_jobs="100")
    s = sf.build_surface("az_ca", 10)
    weights = sf.surface_weights(
        decision.effective_weights(crit, state), s.columns, supplier_share=0.1
    )[0]
    areas = sf.locate(s, sf.score_surface(s, weights), k=5, spacing_km=50, weights=weights)
    data = export.to_csv(areas.drop(columns=["cell"]))
    button = next(e for e in at.get("download_button") if e.key == "sfc_dl_located_csv")
    expected = _calculate_file_id(data, "text/csv", "windrose-surface-az_ca-10km-located.csv")
    assert button.proto.url.rsplit("/", 1)[1] == expected + ".csv"
    keys = {e.key for e in at.get("download_button")}
    assert {"sfc_dl_cells", "sfc_dl_located_geojson"} <= keys


def test_a_large_upload_draws_the_leaders_plus_the_selection_as_dots():
    from test_max_upload import max_upload_csv

    from windrose_sites import limits, pipeline, uploads

    shipped = catalog.load_sites()
    extra = uploads.parse_sites(
        max_upload_csv(200, seed=2),
        "many.csv",
        existing_names=list(shipped["name"]),
        existing_ids=list(shipped["site_id"]),
    ).sites
    inputs = pipeline.load_inputs()
    work = pipeline.working_set(inputs, [extra])
    result = pipeline.rank(work, inputs, pipeline.default_state(inputs)).result
    us = work.attributes.loc[result.index, "country"] == "US"
    uploaded = result.index.isin(extra["site_id"])
    last_us = result[us.to_numpy() & uploaded]["rank"].idxmax()  # far outside the top 50
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["user_sites"] = [extra]
    at.run()
    at.session_state["selected"] = [last_us]
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    script = map_script(at)
    focus = limits.focus_sites(result, [last_us])
    drawn = set(re.findall(r"Upload [A-Z]{2} \d{5}", script))
    names = work.attributes["name"]
    assert names[last_us] in drawn
    assert drawn <= set(names[focus])
    assert len(drawn) < (work.attributes.loc[extra["site_id"], "country"] == "US").sum()
    captions = [c.value for c in at.caption]
    assert any("candidate sites covers the top 50 of" in c for c in captions), captions


def test_located_areas_read_as_places_not_ids():
    at = open_page()
    at.button(key="sfc_add_1").click().run()
    assert not at.exception
    shown = " ".join(i.value for i in at.info)
    assert "Area near " in shown
    assert "located_" not in shown
    assert at.session_state["user_sites"][0]["site_id"].iloc[0].startswith("located_")


def test_people_have_one_number_format():
    at = open_page(**only_group("jobs"))
    text = " ".join(m.value for m in at.markdown)
    assert "people" in text
    assert " M people" not in text
    assert re.search(r"\d{1,3}(,\d{3})+ people", text)
