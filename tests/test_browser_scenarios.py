"""Browser tests of the Scenarios page: a trap scenario is refused and breaks nothing; rename
then delete acts on the right scenario; a second browser's rename and delete of a first
browser's scenario need confirmation, and the trash restores it.
"""

from __future__ import annotations

import json
import re

import pytest
from browser_helpers import no_exception, screenshot, wait_idle
from playwright.sync_api import expect

from windrose_sites import catalog, uploads
from windrose_sites import scenarios as sc

pytestmark = pytest.mark.browser


@pytest.fixture
def store(app_server, tmp_path_factory) -> sc.ScenarioStore:  # noqa: ARG001 (makes db*/)
    """The store the test server writes (conftest points WINDROSE_SCENARIOS_DB into db*/)."""
    folder = next(p for p in tmp_path_factory.getbasetemp().glob("db*") if p.is_dir())
    return sc.ScenarioStore(folder / "s.sqlite")


def open_scenarios(page, app_server: str, owner: str) -> None:
    page.goto(f"{app_server}/scenarios")
    wait_idle(page)
    page.get_by_label("Your name").fill(owner)
    page.get_by_role("button", name="Use this name").click()
    wait_idle(page)
    expect(page.get_by_text(f"You save as {owner}")).to_be_visible()


def save(page, name: str) -> None:
    page.get_by_label("Scenario name").fill(name)
    page.get_by_role("button", name="Save the current scenario").click()
    wait_idle(page)
    expect(page.get_by_text(f"Saved {name}; it is selected below.")).to_be_visible()


def pick(page, name: str) -> None:
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=re.compile("^Scenario"))
    box.click()
    page.get_by_role("option", name=re.compile(f"^{re.escape(name)} — ")).click()
    wait_idle(page)


def click(page, label: str) -> None:
    page.get_by_role("button", name=label, exact=True).click()
    wait_idle(page)


def rename(page, new: str) -> None:
    field = page.get_by_label("Rename to")
    field.fill(new)
    field.press("Enter")
    wait_idle(page)
    click(page, "Rename")


def live(store: sc.ScenarioStore) -> set[str]:
    return {e.name for e in store.entries()}


def trap_files() -> list[tuple[str, bytes, str]]:
    """Scenario JSON whose added site lacks gateway_port, and one that reuses a shipped id."""
    shipped = catalog.load_sites()
    result = uploads.parse_sites(b"name,lat,lon\nTrap site,51.05,3.72\n", "trap.csv")
    out = []
    for name, change, reason in (
        ("Trap no port", lambda p: p.pop("gateway_port"), "missing column 'gateway_port'"),
        ("Trap onnaing", lambda p: p.update(site_id="onnaing"), "id of a shipped site"),
    ):
        sites = json.loads(result.sites.to_json(drop_id=True))
        change(sites["features"][0]["properties"])
        crit = catalog.load_criteria()
        doc = {
            "format": sc.FORMAT,
            "version": 1,
            "name": name,
            "weights": {
                "groups": dict.fromkeys(crit["group"].unique(), 50.0),
                "criteria": crit["default_weight"].astype(float).to_dict(),
            },
            "method": "wsm",
            "selected": [],
            "edits": {},
            "uploads_geojson": json.dumps(sites),
        }
        assert "onnaing" in set(shipped["site_id"])
        out.append((name, json.dumps(doc).encode(), reason))
    return out


def test_a_trap_scenario_is_refused_and_no_page_breaks(page, app_server, store):
    open_scenarios(page, app_server, "Mallory")
    for name, data, reason in trap_files():
        page.locator('input[type="file"]').set_input_files(
            files=[{"name": f"{name}.json", "mimeType": "application/json", "buffer": data}]
        )
        wait_idle(page)
        error = page.locator('[data-testid="stAlertContentError"]').filter(has_text="Not imported")
        expect(error).to_contain_text(reason)
        assert name not in live(store)
        no_exception(page)
    screenshot(page, "scenarios-trap-refused")
    for path in ("", "compare", "data", "scenarios"):
        page.goto(f"{app_server}/{path}")
        wait_idle(page)
        no_exception(page)


def test_rename_then_delete_removes_the_right_one(page, app_server, store):
    open_scenarios(page, app_server, "Ana")
    save(page, "RD Alpha")
    save(page, "RD Beta")
    pick(page, "RD Alpha")
    rename(page, "RD Alpha 2")
    expect(page.get_by_text("Renamed RD Alpha to RD Alpha 2.")).to_be_visible()
    assert {"RD Alpha 2", "RD Beta"} <= live(store)
    click(page, "Delete")
    expect(page.get_by_text("Delete RD Alpha 2 (saved by Ana)?")).to_be_visible()
    assert "RD Alpha 2" in live(store)  # not before the confirmation
    click(page, "Confirm: delete")
    expect(page.get_by_text("Moved RD Alpha 2 to the trash")).to_be_visible()
    names = live(store)
    assert "RD Alpha 2" not in names
    assert "RD Beta" in names
    assert "RD Alpha 2" in {e.name for e in store.entries(trash=True)}
    no_exception(page)


def test_another_browser_needs_confirmation_and_the_trash_restores(
    page, browser, app_server, store
):
    open_scenarios(page, app_server, "Alice")
    save(page, "AB Shared")
    sid = next(e.id for e in store.entries() if e.name == "AB Shared")
    other = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        bob = other.new_page()
        bob.set_default_timeout(30_000)
        open_scenarios(bob, app_server, "Bob")
        pick(bob, "AB Shared")
        rename(bob, "AB Renamed")
        expect(bob.get_by_text("Rename AB Shared (saved by Alice) to AB Renamed?")).to_be_visible()
        assert store.entry(sid).name == "AB Shared"  # not before the confirmation
        click(bob, "Confirm: rename")
        expect(bob.get_by_text("Renamed AB Shared to AB Renamed.")).to_be_visible()
        assert store.entry(sid).name == "AB Renamed"
        # Alice's page still shows the old name: acting on it says what happened instead
        click(page, "Load")
        expect(
            page.get_by_text(
                "AB Shared was renamed to AB Renamed in another session; nothing was done"
            )
        ).to_be_visible()
        click(bob, "Delete")
        expect(bob.get_by_text("Delete AB Renamed (saved by Alice)?")).to_be_visible()
        assert store.entry(sid).deleted_at is None
        click(bob, "Confirm: delete")
        assert store.entry(sid).deleted_at is not None
        assert store.entry(sid).deleted_by == "Bob"
        # Alice's next action says it was deleted, and by whom
        click(page, "Delete")
        expect(
            page.get_by_text("AB Renamed was deleted by Bob in another session; nothing was done")
        ).to_be_visible(timeout=60_000)
        # the trash restores it
        page.get_by_text(re.compile(r"^Trash \(")).click()
        trash = page.locator('[data-testid="stSelectbox"]').filter(has_text="Deleted scenario")
        expect(trash).to_be_visible()
        # the page selected it in the trash when it said so
        expect(trash.get_by_role("combobox")).to_have_value(
            re.compile("^AB Renamed — deleted by Bob")
        )
        expect(page.get_by_role("button", name="Restore", exact=True)).to_be_visible()
        click(page, "Restore")
        # on a busy machine the click's rerun may start after wait_idle saw the page calm
        expect(page.get_by_text("Restored AB Renamed")).to_be_visible(timeout=60_000)
        assert store.entry(sid).deleted_at is None
        assert store.entry(sid).name == "AB Renamed"
        screenshot(page, "scenarios-restored")
        no_exception(page)
        no_exception(bob)
    finally:
        other.close()
