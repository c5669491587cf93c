"""AppTest of the Sites & data page's values table: shown as the columns format them, and
pressing Apply without typing changes nothing (the rounding is for the eye only)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from windrose_sites import catalog

ROOT = Path(__file__).resolve().parent.parent
SEA = "Sea distance Shanghai → gateway port [nm]"


def test_values_are_rounded_for_the_eye_and_apply_without_typing_changes_nothing():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.switch_page("pages/data.py").run()
    assert not at.exception, at.exception
    editor = next(d.value for d in at.dataframe if SEA in d.value.columns)
    shipped = catalog.criteria_table()["sea_distance_nm"]
    assert (shipped % 1 != 0).any()  # the shipped distances have decimals ...
    assert (editor[SEA].dropna() % 1 == 0).all()  # ... the table shows whole nm, rounded
    site = shipped.index[0]
    assert editor.at[site, SEA] == round(shipped[site])
    next(b for b in at.button if b.label == "Apply edits").click().run()
    assert not at.exception, at.exception
    assert any(i.value == "No value changed." for i in at.info)
    edits = at.session_state["edits"] if "edits" in at.session_state else {}  # noqa: SIM401 (no .get)
    assert not any(edits.values())  # no value became an assumption


def _caveat_lines(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith("- ") and "rank uses" in m.value]


def test_caveat_lines_follow_the_weights_in_one_session():
    """The 'In the current ranking' lines are kept between reruns for the inputs they depend
    on (issue 16): they must still follow a weight that takes a criterion out and puts it back,
    and a move that reorders the sites, as a fresh session at the same link shows them."""

    def fresh(**query: str) -> list[str]:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.query_params.update(query)
        at.run()
        at.switch_page("pages/data.py").run()
        return _caveat_lines(at)

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.switch_page("pages/data.py").run()
    shipped = _caveat_lines(at)
    assert any("fallback value (unemployment rate" in line.replace("\\", "") for line in shipped)
    at.slider(key="w_jobs").set_value(0).run()  # the unemployment fallbacks no longer weigh
    assert _caveat_lines(at) == fresh(w_jobs="0") == []
    at.slider(key="w_jobs").set_value(50).run()
    assert _caveat_lines(at) == shipped
    at.slider(key="w_logistics").set_value(100).run()
    assert not at.exception, at.exception
    assert _caveat_lines(at) == fresh(w_logistics="100")


def _clicked_at(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith("Clicked at")]


def test_the_map_pin_and_its_name_outlive_the_tab_and_are_used_once():
    """The click map's tab is built only while open (issue 16): the pin (the map's last click,
    as streamlit-folium stores it under the map's key) and its typed name survive another tab
    and another page; adding the site uses them up, and the old click does not come back."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.switch_page("pages/data.py").run()
    at.session_state["add_site_tab"] = "By clicking the map"
    at.run()
    assert not _clicked_at(at)
    # a click past the antimeridian (Leaflet after panning east): the pin is at -112.07 °E
    at.session_state["add_map"] = {"last_clicked": {"lat": 33.45, "lng": 247.93}}
    at.run()
    assert _clicked_at(at) == ["Clicked at 33.45000 °N, -112.07000 °E"]
    at.text_input(key="add_map_name").input("Phoenix pin").run()
    at.session_state["add_site_tab"] = "By coordinates"
    at.run()
    assert "add_map_name" not in [t.key for t in at.text_input]
    at.switch_page("pages/cost.py").run()
    at.switch_page("pages/data.py").run()
    at.session_state["add_site_tab"] = "By clicking the map"
    at.run()
    assert _clicked_at(at) == ["Clicked at 33.45000 °N, -112.07000 °E"]
    assert at.text_input(key="add_map_name").value == "Phoenix pin"
    at.button(key="add_map_button").click().run()
    assert not at.exception, at.exception
    added = at.session_state["user_sites"][-1]
    assert added["name"].tolist() == ["Phoenix pin"]
    assert abs(float(added.geometry.x.iloc[0]) + 112.07) < 1e-9
    at.run()  # the map still reports its old click: no pin comes back
    assert not _clicked_at(at)
    at.session_state["add_map"] = {"last_clicked": {"lat": 40.0, "lng": -100.0}}
    at.run()
    assert _clicked_at(at) == ["Clicked at 40.00000 °N, -100.00000 °E"]
    assert at.text_input(key="add_map_name").value == ""  # a new pin starts without a name
