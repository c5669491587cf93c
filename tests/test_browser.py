"""Browser tests: a real `streamlit run` driven by Playwright in headless Chromium, offline."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import expect

from windrose_sites import catalog, decision
from windrose_sites import state as ws

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parent.parent / "build" / "screenshots"


BUSY = '[data-testid="stStatusWidget"], [data-testid="stSkeleton"], [data-stale="true"]'


def wait_idle(page, timeout_s: float = 60) -> None:
    """Wait until the app has finished its run: no status widget, skeleton or stale element,
    twice in a row 250 ms apart (a rerun starts a moment after the event that caused it)."""
    page.wait_for_selector('[data-testid="stApp"]')
    calm = 0
    for _ in range(int(timeout_s / 0.25)):
        calm = calm + 1 if page.locator(BUSY).count() == 0 else 0
        if calm >= 2:
            return
        page.wait_for_timeout(250)
    raise AssertionError("the app did not become idle")


def map_frame(page, nth: int = 0):
    return page.frame_locator('iframe[title*="st_folium"]').nth(nth)


def feature_count(page, nth: int = 0) -> int:
    features = map_frame(page, nth).locator(".leaflet-interactive")
    features.first.wait_for(state="attached", timeout=30_000)
    return features.count()


def set_slider(page, slider, key: str, expected: str) -> None:
    """Press a key on a focused slider and wait until it shows the value and the app is idle."""
    slider.locator('input[type="range"]').focus()
    page.keyboard.press(key)
    expect(slider.locator('[data-testid="stSliderThumbValue"]')).to_have_text(expected)
    wait_idle(page)


def leader(page) -> str:
    return page.locator('[data-testid="stAlertContentSuccess"]').first.inner_text()


def expected_leader(group_weights: dict[str, float]) -> str:
    """Leader computed by the core for the given group weights (others 0), default method."""
    crit = catalog.load_criteria()
    default = ws.default_state(list(dict.fromkeys(crit["group"])), crit["default_weight"])
    groups = {g: group_weights.get(g, 0.0) for g in default.group_weights}
    state = ws.AppState(groups, default.criterion_weights)
    attrs = catalog.site_attributes()
    result = decision.evaluate(catalog.criteria_table(), attrs, crit, state).result
    return attrs.at[result["rank"].idxmin(), "name"]


def no_exception(page) -> None:
    errors = page.locator('[data-testid="stException"]')
    assert errors.count() == 0, errors.first.inner_text()


def screenshot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_overview_loads_offline_with_one_feature_per_site(page, app_server):
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(app_server)
    wait_idle(page)
    no_exception(page)
    assert feature_count(page) == len(catalog.criteria_table())
    # Leaflet came from the app itself: the map frame has a working `L`, and no script or
    # stylesheet was asked of another host (OSM tiles are an opt-in layer, off by default).
    frame = next(f for f in page.frames if "st_folium" in f.url)
    assert frame.evaluate("typeof L") == "object"
    external = [u for u in requested if not u.startswith((app_server, "data:", "blob:", "about:"))]
    assert external == []
    screenshot(page, "overview")


def test_moving_a_slider_changes_the_ranking(page, app_server):
    page.goto(app_server)
    wait_idle(page)
    before = leader(page)
    sliders = page.locator('[data-testid="stSidebar"] [data-testid="stSlider"]')
    labels = [s.inner_text().split("\n")[0] for s in sliders.all()]
    for i, label in enumerate(labels):
        if label.lower() in {"logistics", "jobs", "cost", "sustainability", "market"}:
            set_slider(page, sliders.nth(i), "Home", "0")
    after = leader(page)
    screenshot(page, "overview-port-access-only")
    no_exception(page)
    assert expected_leader({"port access": 50.0}) in after
    assert after != before


def test_downloaded_csv_has_one_row_per_site(page, app_server):
    page.goto(app_server)
    wait_idle(page)
    with page.expect_download() as info:
        page.locator('[data-testid="stDownloadButton"] button').first.click()
    frame = pd.read_csv(io.BytesIO(Path(info.value.path()).read_bytes()))
    assert len(frame) == len(catalog.criteria_table())
    assert set(frame["site_id"]) == set(catalog.criteria_table().index)
    assert {"rank", "score", "method"} <= set(frame.columns)
    no_exception(page)
