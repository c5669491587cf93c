"""AppTest of the Scenarios page: owner, save, load, rename, delete with confirmation, trash."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from windrose_sites import catalog, scenarios, uploads

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def at(tmp_path, monkeypatch):
    monkeypatch.setenv("WINDROSE_SCENARIOS_DB", str(tmp_path / "s.sqlite"))
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    app = app.switch_page("pages/scenarios.py").run()
    return give_name(app, "Ana")


def give_name(at, owner):
    at.text_input(key="scenario_owner_input").input(owner)
    next(b for b in at.button if b.label == "Use this name").click().run()
    assert not at.exception
    return at


def save(at, name, *, overwrite=False):
    at.text_input(key="scenario_name").input(name)
    at.checkbox(key="scenario_overwrite").set_value(overwrite)
    next(b for b in at.button if b.label == "Save the current scenario").click().run()
    assert not at.exception


def texts(elements) -> str:
    return "\n".join(e.value for e in elements)


def confirm(at):
    at.button(key="scenario_confirm").click().run()
    assert not at.exception


def test_save_load_rename_delete(at, tmp_path):
    assert not at.exception
    assert "shared by everyone who uses this server" in texts(at.info)
    assert str(tmp_path) not in "\n".join(c.value for c in at.caption)  # no server path
    at.slider(key="w_jobs").set_value(90).run()
    save(at, "Jobs first ✓")
    assert "Saved Jobs first ✓" in texts(at.success)
    # change the weights, then load the scenario back (nothing to lose: no confirmation)
    at.slider(key="w_jobs").set_value(10).run()
    at.button(key="scenario_load").click().run()
    assert not at.exception
    assert at.slider(key="w_jobs").value == 90
    assert "Loaded Jobs first ✓" in texts(at.success)
    # a new store on the same file (a restart) still has it, with its owner
    store = scenarios.ScenarioStore(tmp_path / "s.sqlite")
    assert [(e.name, e.owner) for e in store.entries()] == [("Jobs first ✓", "Ana")]
    at.text_input(key="scenario_new_name").input("Jobs first")
    at.button(key="scenario_rename").click().run()  # own scenario: no confirmation
    assert [n for n, _ in store.list()] == ["Jobs first"]
    assert "Renamed Jobs first ✓ to Jobs first" in texts(at.success)
    at.button(key="scenario_delete").click().run()
    assert [n for n, _ in store.list()] == ["Jobs first"]  # asked first
    assert "Delete Jobs first" in texts(at.warning)
    confirm(at)
    assert store.list() == []
    assert "Moved Jobs first to the trash" in texts(at.success)
    # the trash restores it
    at.button(key="scenario_restore").click().run()
    assert [n for n, _ in store.list()] == ["Jobs first"]
    assert at.selectbox(key="scenario_chosen").value == store.entries()[0].id


def test_duplicate_name_is_refused_and_overwrite_asks(at, tmp_path):
    save(at, "A")
    at.slider(key="w_cost").set_value(0).run()
    save(at, "A")
    assert "A already exists (saved by Ana)" in texts(at.error)
    store = scenarios.ScenarioStore(tmp_path / "s.sqlite")
    assert store.load("A").state.group_weights["cost"] == 50
    save(at, "A", overwrite=True)
    assert store.load("A").state.group_weights["cost"] == 50  # not before the confirmation
    assert "Overwrite A" in texts(at.warning)
    confirm(at)
    assert store.load("A").state.group_weights["cost"] == 0
    assert "Overwrote A" in texts(at.success)


def test_the_picker_follows_the_scenario_just_saved(at):
    save(at, "First")
    save(at, "Second")
    chosen = at.selectbox(key="scenario_chosen")
    assert "Second" in chosen.format_func(chosen.value)
    save(at, "Third")
    chosen = at.selectbox(key="scenario_chosen")
    assert "Third" in chosen.format_func(chosen.value)


def test_load_that_replaces_added_sites_asks_first(at):
    save(at, "Plain")
    at.session_state["edits"] = {"onnaing": {"unemployment_pct": 12.0}}
    at.run()
    at.button(key="scenario_load").click().run()
    assert "replaces your 0 added site(s) and 1 edited value(s)" in texts(at.warning)
    assert at.session_state["edits"] == {"onnaing": {"unemployment_pct": 12.0}}
    at.button(key="scenario_cancel").click().run()
    assert at.session_state["edits"] == {"onnaing": {"unemployment_pct": 12.0}}
    at.button(key="scenario_load").click().run()
    confirm(at)
    assert at.session_state["edits"] == {}
    assert "Loaded Plain" in texts(at.success)


def test_rate_limit(at, monkeypatch):
    monkeypatch.setattr(scenarios, "MAX_SAVES", 3)
    for i in range(3):
        save(at, f"S{i}")
    save(at, "S3")
    assert "at most 3 saves or imports per minute" in texts(at.error)
    assert "S3" not in {e.name for e in scenarios.ScenarioStore().entries()}


def _trap_payload(store_path: Path, name: str) -> None:
    """Tamper a stored row: its added site reuses a shipped id, an edit names no site."""
    sites = catalog.load_sites()
    result = uploads.parse_sites(b"name,lat,lon\nGhent,51.05,3.72\n", "x.csv")
    doc = json.loads(result.sites.to_json(drop_id=True))
    doc["features"][0]["properties"]["site_id"] = sites["site_id"].iloc[0]
    con = sqlite3.connect(store_path)
    with con:
        payload = json.loads(con.execute("SELECT payload FROM scenarios").fetchone()[0])
        payload["uploads_geojson"] = json.dumps(doc)
        payload["edits"] = {"nowhere": {"unemployment_pct": 1.0}}
        con.execute("UPDATE scenarios SET payload = ? WHERE name = ?", (json.dumps(payload), name))
    con.close()


def test_a_tampered_stored_scenario_is_refused_and_the_session_kept(at, tmp_path):
    save(at, "Tampered")
    _trap_payload(tmp_path / "s.sqlite", "Tampered")
    at.slider(key="w_jobs").set_value(70).run()
    at.session_state["edits"] = {"onnaing": {"unemployment_pct": 9.0}}
    at.run()
    at.button(key="scenario_load").click().run()
    confirm(at)
    assert "Not loaded" in texts(at.error)
    assert "shipped site" in texts(at.error)
    assert "unchanged" in texts(at.error)
    assert at.slider(key="w_jobs").value == 70
    assert at.session_state["edits"] == {"onnaing": {"unemployment_pct": 9.0}}
    assert "user_sites" not in at.session_state
    at.switch_page("app.py").run()
    assert not at.exception


def test_a_scenario_keeps_the_cost_pages_choices(at):
    """The Cost page's tariff and parameter edits are saved with a scenario and come back."""
    at.session_state["cost_tariff"] = "s232_lifted"
    at.session_state["cost_overrides"] = {"feu_per_truck_kit": 2.0}
    at.run()
    save(at, "with costs")
    assert "Saved with costs" in texts(at.success)
    at.session_state["cost_tariff"] = "today"
    at.session_state["cost_overrides"] = {}
    at.run()
    at.button(key="scenario_load").click().run()
    assert not at.exception
    assert at.session_state["cost_tariff"] == "s232_lifted"
    assert at.session_state["cost_overrides"] == {"feu_per_truck_kit": 2.0}
