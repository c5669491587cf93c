"""Browser: the Cost page at /cost — edit a parameter, the total moves, the CSV equals the CLI."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from browser_helpers import no_exception, wait_idle
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from windrose_sites import cost

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
EDITOR = '.st-key-cost_param_editor [data-testid="stDataFrame"]'
FREIGHT_EU = "freight_shanghai_antwerp_bruges_usd_per_feu@all"


def cli(*argv: str) -> bytes:
    done = subprocess.run(
        [sys.executable, "-m", "windrose_sites", "cost", *argv, "--format", "csv"],
        cwd=ROOT,
        capture_output=True,
        check=True,
        timeout=300,
    )
    return done.stdout


def open_cost(page, app_server: str, query: str = "") -> None:
    page.goto(f"{app_server}/cost{'?' + query if query else ''}")
    wait_idle(page, 120)
    if page.get_by_text("Page not found").count():
        pytest.skip("/cost is not in the app's navigation yet (see /work/notes/cost_nav.txt)")
    expect(
        page.get_by_role("heading", name=re.compile("^Cost: what a truck costs"))
    ).to_be_visible()
    no_exception(page)


def download(page) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the cost table (CSV)").click()
    return Path(info.value.path()).read_bytes()


def cheapest_sentence(page) -> str:
    return page.locator('[data-testid="stMarkdownContainer"]', has_text="Cheapest at").inner_text()


def test_cost_page_download_equals_the_cli(page, app_server):
    open_cost(page, app_server, "country=BE%2CFR")
    data = download(page)
    assert data == cli("--state", "country=BE%2CFR", "--samples", "10000", "--seed", "0")
    assert data.count(b"\n") == 3  # header + Antwerp + Onnaing


def test_editing_a_parameter_moves_the_total(page, app_server):
    open_cost(page, app_server)
    before = cheapest_sentence(page)
    model = cost.build_model()
    onnaing = cost.cost_table(model).set_index("site_id").at["onnaing", "total_eur_per_truck"]
    assert f"EUR {onnaing:,.0f}" in before
    note = page.get_by_text(re.compile("Your cost assumptions"))
    for _attempt in range(3):
        # under load a click can land before the grid has its final layout (it misses the
        # cell), or while the grid re-renders (it is detached): then try again
        try:
            grid = page.locator(EDITOR).first
            grid.scroll_into_view_if_needed()
            box = grid.bounding_box()
            page.mouse.click(box["x"] + 60, box["y"] + 35 + 17)  # row 0: Shanghai → Antwerp
            page.keyboard.press("ArrowRight")  # columns: parameter, value (the ids are hidden)
            page.keyboard.press("Enter")  # open the cell's editor, as a user does
            page.wait_for_timeout(300)
            page.keyboard.press("ControlOrMeta+a")
            page.keyboard.type("9000", delay=60)
            page.keyboard.press("Enter")
            wait_idle(page, 120)
            note.first.wait_for(timeout=15_000)
        except PlaywrightError:
            wait_idle(page, 120)
        no_exception(page)
        if note.count():
            break
    expect(note).to_contain_text(re.compile(r"Shanghai → Antwerp freight rate = 9,000 USD/FEU"))
    after = cheapest_sentence(page)
    edited = cost.build_model({FREIGHT_EU: 9000.0})
    new = cost.cost_table(edited).set_index("site_id").at["onnaing", "total_eur_per_truck"]
    assert new > onnaing + 1000
    assert f"EUR {new:,.0f}" in after
    assert after != before
    data = download(page)
    assert data == cli("--set", f"{FREIGHT_EU}=9000", "--samples", "10000", "--seed", "0")
