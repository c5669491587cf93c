"""AppTest: every page runs without an exception; sliders move the ranking."""

from __future__ import annotations

from pathlib import Path

import pytest
from page_helpers import open_panels
from streamlit.testing.v1 import AppTest

from windrose_sites import catalog

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["pages/map.py", "pages/compare.py", "pages/data.py"]


def run_app(**query) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params.update(query)
    return at.run()


def ranking_names(at: AppTest) -> list[str]:
    df = next(d.value for d in at.dataframe if {"rank", "name"} <= set(d.value.columns))
    return df.sort_values("rank")["name"].tolist()


def ranking_names_compare(at: AppTest) -> list[str]:
    df = next(d.value for d in at.dataframe if {"rank", "name", "site_id"} <= set(d.value.columns))
    return df["name"].tolist()


def test_overview_runs_and_shows_a_ranking():
    at = run_app()
    assert not at.exception
    names = ranking_names(at)
    assert len(names) == len(catalog.criteria_table())


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs(page):
    at = run_app()
    at.switch_page(page).run()
    assert not at.exception, at.exception


def test_moving_a_slider_changes_the_ranking():
    at = run_app()
    before = ranking_names(at)
    for key in [k for k in at.session_state if isinstance(k, str) and k.startswith("w_")]:
        at.slider(key=key).set_value(0)
    at.slider(key="w_port_access").set_value(100).run()
    after = ranking_names(at)
    assert not at.exception
    table = catalog.criteria_table()
    # with only port access weighted, the leader is the site closest to its gateway port
    assert after[0] == catalog.site_attributes().loc[table["road_to_port_km"].idxmin(), "name"]
    assert after != before


def test_query_params_restore_state():
    at = run_app(w_jobs="80", method="promethee", max_port_km="300", country="US", sel="onnaing")
    assert not at.exception
    # the filters panel is closed, so its widgets are not drawn; the link's filters still count
    assert not at.number_input
    assert not at.multiselect
    attrs = catalog.site_attributes()
    us = attrs.loc[attrs["country"] == "US", "name"]
    assert set(ranking_names(at)) <= set(us)
    open_panels(at)
    assert at.slider(key="w_jobs").value == 80
    assert at.selectbox(key="method").value == "promethee"
    assert at.number_input(key="f_max_port").value == 300
    assert at.multiselect(key="f_countries").value == ["US"]
    assert not at.warning  # nothing hostile in this URL
    assert all(n != "" for n in ranking_names(at))


def test_hostile_query_params_warn_and_keep_defaults():
    at = run_app(w_jobs="-1", method="magic", w_unknown="3")
    assert not at.exception
    assert len(at.warning) >= 3
    assert at.slider(key="w_jobs").value == 50
    assert at.selectbox(key="method").value == "wsm"


def test_logistics_at_100_percent_puts_the_logistics_leader_first():
    at = run_app()
    for key in ("w_jobs", "w_port_access", "w_cost", "w_sustainability", "w_market"):
        at.slider(key=key).set_value(0)
    at.slider(key="w_logistics").set_value(100).run()
    assert not at.exception
    crit, table = catalog.load_criteria(), catalog.criteria_table()
    logistics = crit.index[crit["group"] == "logistics"]
    norm = (table[logistics].max() - table[logistics]) / (
        table[logistics].max() - table[logistics].min()
    )
    within = crit.loc[logistics, "default_weight"] / crit.loc[logistics, "default_weight"].sum()
    best = (norm * within).sum(axis=1).idxmax()
    assert ranking_names(at)[0] == catalog.site_attributes().at[best, "name"]


def test_compare_page_widgets_all_drive():
    at = run_app()
    at.switch_page("pages/compare.py").run()
    assert not at.exception
    for method in ("wpm", "topsis", "promethee", "wsm"):
        at.selectbox(key="method").set_value(method).run()
        assert not at.exception, method
    assert not at.get("select_slider")  # the AHP panel is built only while open
    at.session_state["ahp_panel"] = True
    at.run()
    at.select_slider(key="ahp_logistics_jobs").set_value("9").run()
    at.select_slider(key="ahp_jobs_cost").set_value("9").run()
    at.select_slider(key="ahp_logistics_cost").set_value("1/9").run()  # inconsistent on purpose
    assert any("CR" in e.value and "inconsistent" in e.value for e in at.error)
    at.button(key="ahp_apply").click().run()
    assert not at.exception
    assert at.slider(key="w_logistics").value > at.slider(key="w_market").value
    # one value per weight: the slider's position, its label and the URL agree (issue 15)
    groups = ["w_logistics", "w_jobs", "w_port_access", "w_cost", "w_sustainability", "w_market"]
    values = {k: at.slider(key=k).value for k in groups}
    assert all(float(v).is_integer() for v in values.values()), values
    assert sum(values.values()) == 100
    for k, v in values.items():
        if v != 50:
            assert at.query_params[k] in (f"{v:g}", [f"{v:g}"]), (k, v, at.query_params.get(k))
    at.selectbox(key="cmp_a").set_value("tucson_az").run()
    at.selectbox(key="cmp_b").set_value("onnaing").run()
    assert not at.exception
    open_panels(at)
    at.number_input(key="f_min_area").set_value(5.0).run()
    assert not at.exception
    attrs = catalog.site_attributes()
    assert len(ranking_names(at)) == len(attrs)  # unknown areas are kept (and marked)
    at.checkbox(key="f_keep_unknown_area").uncheck().run()
    assert sorted(ranking_names(at)) == sorted(
        attrs.loc[["antwerp_romeynsweel", "onnaing"], "name"]
    )  # 9.5 ha polygon; a point announced as 22 ha
    at.multiselect(key="f_countries").set_value(["BE"]).run()
    assert any("only one site remains" in w.value.lower() for w in at.warning)
    at.multiselect(key="f_countries").set_value(["US"]).run()
    assert any("filtered out" in e.value.lower() for e in at.error)
    reasons = next(m.value for m in at.markdown if "Removed by the filters" in m.value)
    assert reasons.count("\n- ") == len(attrs)  # a reason for every site


def test_criterion_weight_slider_changes_effective_weights():
    at = run_app()
    at.switch_page("pages/compare.py").run()
    open_panels(at)
    at.slider(key="c_gateway_teu_m").set_value(0).run()
    weights = next(d.value for d in at.dataframe if {"id", "weight %"} <= set(d.value.columns))
    assert weights.set_index("id").at["gateway_teu_m", "weight %"] == 0
    assert weights["weight %"].sum() == pytest.approx(100, abs=0.2)


def test_map_page_views_and_data_page_edit():
    at = run_app()
    at.switch_page("pages/map.py").run()
    for view in ("United States", "Supply chain", "Europe"):
        at.radio(key="map_view").set_value(view).run()
        assert not at.exception, view
    at.switch_page("pages/data.py").run()
    assert not at.exception
    at.text_input(key="add_name").input("Test Mesa")
    at.number_input(key="add_lat").set_value(33.4)
    at.number_input(key="add_lon").set_value(-111.8)
    next(b for b in at.button if b.label == "Add site").click().run()
    assert not at.exception
    assert any("Added 1 site" in m.value for m in at.success)
    added = at.session_state["user_sites"][0]
    assert added["name"].tolist() == ["Test Mesa"]
    assert added["indicator_areas"].iloc[0] == "US-AZ;US"
    at.switch_page("pages/compare.py").run()
    assert "Test Mesa" in ranking_names_compare(at)
    at.switch_page("pages/data.py").run()
    at.button(key="reset_data").click().run()  # not confirmed: nothing is discarded
    assert not at.exception
    assert len(at.session_state["user_sites"]) == 1
    assert any("confirm" in w.value for w in at.warning)
    at.checkbox(key="reset_confirm").check().run()
    at.button(key="reset_data").click().run()
    assert not at.exception
    assert "user_sites" not in at.session_state


def test_no_page_renders_raw_html():
    """User text reaches the page only through escaping widgets: no unsafe_allow_html, and
    two st.html in the whole app: the map paint (colours and numbers; its labels are set with
    textContent in the frame and hostile names stay text, see test_map_cache) and the sidebar's
    leave-page guard (a constant script around one integer, json.dumps of a count)."""
    sources = [
        ROOT / "app.py",
        *sorted((ROOT / "pages").glob("*.py")),
        *sorted((ROOT / "windrose_ui").glob("*.py")),
    ]
    calls = []
    for path in sources:
        text = path.read_text(encoding="utf-8")
        assert "unsafe_allow_html" not in text, path
        calls += [(path.name, line.strip()) for line in text.splitlines() if "st.html(" in line]
    assert calls == [
        ("sidebar.py", "st.html("),
        (
            "widgets.py",
            "st.html(map_paint.paint_script(key, payload), unsafe_allow_javascript=True)",
        ),
    ]


def test_ahp_judgements_outlive_a_closed_panel():
    """The AHP panel is built only while open; closing it (or leaving the page and coming
    back) keeps the pairwise judgements a user made.
    """
    at = run_app()
    at.switch_page("pages/compare.py").run()
    at.session_state["ahp_panel"] = True
    at.run()
    at.select_slider(key="ahp_logistics_jobs").set_value("7").run()
    cr_open = next(e.value for e in [*at.success, *at.error] if "CR =" in e.value)
    at.session_state["ahp_panel"] = False
    at.run()
    assert not at.get("select_slider")
    assert not at.exception
    at.switch_page("pages/overview.py").run()
    at.switch_page("pages/compare.py").run()
    at.session_state["ahp_panel"] = True
    at.run()
    assert at.select_slider(key="ahp_logistics_jobs").value == "7"
    assert at.select_slider(key="ahp_jobs_cost").value == "1"
    assert next(e.value for e in [*at.success, *at.error] if "CR =" in e.value) == cr_open
