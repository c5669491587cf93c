"""The page frame: a page URL works as a fresh server's first request (issue 13)."""

from __future__ import annotations

import pytest
from browser_helpers import feature_count, no_exception, screenshot, wait_idle

from windrose_ui import frame

pytestmark = pytest.mark.browser


def test_a_page_url_as_the_first_request_draws_the_map_wide_with_titled_menu(browser, fresh_server):
    """A shared link to /map on a freshly started server once listed file names (``common``
    among them) in the menu, drew a narrow layout and a blank map."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(f"{fresh_server}/map")
        wait_idle(page, timeout_s=120)
        no_exception(page)
        assert feature_count(page) > 0  # Leaflet is there and the sites are drawn
        links = page.locator('[data-testid="stPageLink-NavLink"]').all_inner_texts()
        titles = [t.split("\n")[-1].strip() for t in links]
        assert titles == [p.title for p in frame.PAGES if (frame.ROOT / p.file).exists()]
        assert "common" not in " ".join(links)
        width = page.evaluate(
            "document.querySelector('[data-testid=stMainBlockContainer]').offsetWidth"
        )
        assert width > 900, width  # layout="wide" (the centred layout is 736 px)
        screenshot(page, "first-request-map")
    finally:
        context.close()
