"""The working set is built once per change of what it is made of (issue 16 §1): a slider
move reuses it, and every change of the sites, the edits or the cost choices builds it anew,
so a page never ranks stale values."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from windrose_sites import pipeline, uploads

ROOT = Path(__file__).resolve().parent.parent
SITE, CRITERION = "antwerp_romeynsweel", "unemployment_pct"
FREIGHT_EU = "freight_shanghai_antwerp_bruges_usd_per_feu@all"


@pytest.fixture
def builds(monkeypatch) -> list[pipeline.WorkingSet]:
    """Every working set the app builds while the test runs."""
    built: list[pipeline.WorkingSet] = []
    real = pipeline.working_set

    def counting(*args, **kwargs):
        built.append(real(*args, **kwargs))
        return built[-1]

    monkeypatch.setattr(pipeline, "working_set", counting)
    return built


def _app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300).run()
    assert not at.exception
    return at


def _move(at: AppTest) -> None:
    at.slider(key="w_jobs").set_value(at.slider(key="w_jobs").value + 10).run()
    assert not at.exception


def test_a_slider_move_reuses_the_working_set(builds):
    at = _app()
    assert len(builds) == 1
    _move(at)
    _move(at)
    assert len(builds) == 1


def test_an_edit_builds_it_anew_with_the_edited_value(builds):
    at = _app()
    at.session_state["edits"] = {SITE: {CRITERION: 42.5}}
    at.run()
    assert not at.exception
    assert len(builds) == 2
    assert builds[-1].table.at[SITE, CRITERION] == 42.5
    _move(at)
    assert len(builds) == 2


def test_an_edit_changed_in_place_is_seen(builds):
    """``session.set_edits`` updates the edits dict in place: compared by value, not identity."""
    at = _app()
    at.session_state["edits"] = {SITE: {CRITERION: 42.5}}
    at.run()
    at.session_state["edits"][SITE][CRITERION] = 7.0
    at.run()
    assert not at.exception
    assert builds[-1].table.at[SITE, CRITERION] == 7.0


def test_a_cost_choice_builds_it_anew(builds):
    at = _app()
    before = builds[-1].table["landed_cost_eur_per_truck"]
    at.session_state["cost_overrides"] = {FREIGHT_EU: 9000.0}
    at.run()
    assert not at.exception
    assert len(builds) == 2
    after = builds[-1].table["landed_cost_eur_per_truck"]
    assert after[SITE] > before[SITE]  # dearer freight to Antwerp-Bruges


def test_added_and_removed_sites_build_it_anew(builds):
    csv = pd.DataFrame({"name": ["Gent docks"], "lat": [51.09], "lon": [3.76]})
    batch = uploads.parse_sites(csv.to_csv(index=False).encode(), "one.csv").sites
    at = _app()
    at.session_state["user_sites"] = [batch]
    at.run()
    assert not at.exception
    assert "Gent docks" in set(builds[-1].attributes["name"])
    at.session_state["user_sites"] = []
    at.run()
    assert not at.exception
    assert "Gent docks" not in set(builds[-1].attributes["name"])
    assert len(builds) == 3
