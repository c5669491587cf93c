"""AppTest of the Scenarios page: save, load, rename, delete, import (bad and good)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from windrose_sites import scenarios

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def at(tmp_path, monkeypatch):
    monkeypatch.setenv("WINDROSE_SCENARIOS_DB", str(tmp_path / "s.sqlite"))
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    return app.switch_page("pages/scenarios.py").run()


def save(at, name):
    at.text_input(key="scenario_name").input(name)
    next(b for b in at.button if b.label == "Save the current scenario").click().run()


def test_save_load_rename_delete(at, tmp_path):
    assert not at.exception
    at.slider(key="w_jobs").set_value(90).run()
    save(at, "Jobs first ✓")
    assert any("Saved" in s.value for s in at.success)
    # change the weights, then load the scenario back
    at.slider(key="w_jobs").set_value(10).run()
    at.selectbox(key="scenario_chosen").set_value("Jobs first ✓").run()
    at.button(key="scenario_load").click().run()
    assert not at.exception
    assert at.slider(key="w_jobs").value == 90
    # a new store on the same file (a restart) still has it
    store = scenarios.ScenarioStore(tmp_path / "s.sqlite")
    assert [n for n, _ in store.list()] == ["Jobs first ✓"]
    at.text_input(key="scenario_new_name").input("Jobs first")
    at.button(key="scenario_rename").click().run()
    assert [n for n, _ in store.list()] == ["Jobs first"]
    at.button(key="scenario_delete").click().run()
    assert store.list() == []
    assert not at.exception


def test_duplicate_name_is_refused_without_losing_the_first(at, tmp_path):
    save(at, "A")
    at.slider(key="w_cost").set_value(0).run()
    save(at, "A")
    assert any("A" in e.value for e in at.error)
    store = scenarios.ScenarioStore(tmp_path / "s.sqlite")
    assert store.load("A").state.group_weights["cost"] == 50
