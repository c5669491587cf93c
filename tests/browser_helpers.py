"""Helpers shared by every browser test file: idle waits, map frames, sliders, screenshots."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from windrose_sites import catalog, decision
from windrose_sites import state as ws

SHOTS = Path(__file__).resolve().parent.parent / "build" / "screenshots"


BUSY = '[data-testid="stStatusWidget"], [data-testid="stSkeleton"], [data-stale="true"]'


def wait_idle(page, timeout_s: float = 60) -> None:
    """Wait until the app has finished its run: no status widget, skeleton or stale element,
    twice in a row 250 ms apart (a rerun starts a moment after the event that caused it)."""
    page.wait_for_selector('[data-testid="stApp"]')
    page.wait_for_selector("h1", timeout=timeout_s * 1000)  # every page has a title
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


def choose(page, label: str, option: str, attempts: int = 3) -> None:
    """Pick ``option`` in the selectbox labelled ``label``, as a user does with the keyboard.

    A click on the open list's option can miss while the list re-renders under load (the
    element is detached and re-attached); typing the option and pressing Enter does not.
    """
    combo = page.get_by_role("combobox", name=label, exact=True)
    for _ in range(attempts):
        combo.click()
        page.keyboard.press("ControlOrMeta+a")
        page.keyboard.type(option, delay=30)
        page.get_by_role("option", name=option, exact=True).wait_for(timeout=10_000)
        page.keyboard.press("Enter")
        wait_idle(page)
        if combo.input_value() == option:
            return
    raise AssertionError(f"could not choose {option!r} in {label!r}: {combo.input_value()!r}")
