"""The largest upload the app accepts, then every page, in one server process: none breaks.

One real ``streamlit run`` server and one browser session: upload ``uploads.MAX_ROWS`` sites on
the Sites & data page, then open every page from the menu. Each page must finish with no
exception, no error box and no uncaught JavaScript error, and the server's peak resident memory
(``VmHWM``) must stay under :data:`PEAK_RSS_LIMIT_BYTES`. The peak and the time of each page
are printed (run with ``-s``) for the closing note. Slow: about two minutes.
"""

from __future__ import annotations

import re
import resource
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from browser_helpers import SHOTS, no_exception, wait_idle
from conftest import ROOT, streamlit_server
from playwright.sync_api import expect

from windrose_sites import uploads
from windrose_ui import frame

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: Inland boxes (lon_min, lon_max, lat_min, lat_max), well inside the land outlines and away
#: from borders, so every generated site is accepted as it is.
LAND_BOXES = {
    "AZ": (-113.5, -110.5, 32.5, 35.5),
    "CA": (-121.0, -117.5, 34.8, 38.0),
    "BE": (3.6, 5.6, 50.4, 50.9),
    "FR": (1.5, 4.0, 47.5, 49.5),
}
#: The server (catalog, 10,000 user sites, surface caches, one session) must fit in this.
PEAK_RSS_LIMIT_BYTES = 3 * 2**30
#: Every page of the menu, in its order (Sites & data is last): (link text, URL path).
PAGES = [(p.title, p.url_path) for p in frame.PAGES if (ROOT / p.file).exists()]
NAV = '[data-testid="stPageLink-NavLink"]'
#: Address space the server may reserve: a page that runs away gets a MemoryError (and this
#: test fails) instead of the kernel's OOM killer taking down other processes on the machine.
ADDRESS_SPACE_LIMIT_BYTES = 6 * 2**30
PAGE_TIMEOUT_S = 240
WAIT_MS = PAGE_TIMEOUT_S * 1000


def max_upload_csv(rows: int = uploads.MAX_ROWS, seed: int = 0) -> bytes:
    """A CSV of ``rows`` named sites (name, lat, lon), seeded, inside :data:`LAND_BOXES`."""
    rng = np.random.default_rng(seed)
    box = rng.integers(0, len(LAND_BOXES), rows)
    bounds = np.array(list(LAND_BOXES.values()))[box]
    codes = np.array(list(LAND_BOXES))[box]
    frame = pd.DataFrame(
        {
            "name": [f"Upload {c} {i:05d}" for i, c in enumerate(codes)],
            "lat": rng.uniform(bounds[:, 2], bounds[:, 3]).round(5),
            "lon": rng.uniform(bounds[:, 0], bounds[:, 1]).round(5),
        }
    )
    return frame.to_csv(index=False).encode()


def peak_rss_bytes(pid: int) -> int | None:
    """Peak resident set size of a process (``VmHWM`` in ``/proc/<pid>/status``); None when
    the process has ended."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return None
    found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return int(found.group(1)) * 1024 if found else None


def _limit_address_space() -> None:
    limit = ADDRESS_SPACE_LIMIT_BYTES
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """A server of its own (its memory is this test's alone): yields (base URL, pid)."""
    with streamlit_server(
        tmp_path_factory.mktemp("server"), preexec_fn=_limit_address_space
    ) as started:
        yield started.url, started.pid
        log = started.log.read_text()
        assert "Traceback" not in log, log[-3000:]


def no_error_box(page) -> None:
    """No red box: neither an st.error nor a frontend error (e.g. a chart that cannot render)."""
    errors = page.locator('[data-testid="stAlertContentError"]')
    assert errors.count() == 0, errors.first.inner_text()


def test_the_largest_upload_keeps_every_page_usable_in_bounded_memory(browser, server, tmp_path):
    url, pid = server
    csv = tmp_path / "max-upload.csv"
    csv.write_bytes(max_upload_csv())
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    js_errors: list[str] = []
    page.on("pageerror", lambda e: js_errors.append(str(e)))
    seconds: dict[str, float] = {}
    step = "upload"
    try:
        page.goto(url)
        wait_idle(page, PAGE_TIMEOUT_S)
        page.locator(NAV, has_text="Sites & data").click()
        expect(page).to_have_url(re.compile(r"/data\b"), timeout=WAIT_MS)
        wait_idle(page, PAGE_TIMEOUT_S)
        page.get_by_role("tab", name="Upload").click()
        start = time.monotonic()
        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(csv))
        added = page.get_by_text(f"Added {uploads.MAX_ROWS:,} site(s)")
        expect(added).to_be_visible(timeout=WAIT_MS)
        wait_idle(page, PAGE_TIMEOUT_S)
        seconds["upload"] = time.monotonic() - start
        no_exception(page)
        no_error_box(page)
        for title, path in PAGES:
            step, start = title, time.monotonic()
            page.locator(NAV, has_text=title).click()
            expect(page).to_have_url(re.compile(rf"{re.escape(url)}/{path}(\?|$)"), timeout=WAIT_MS)
            wait_idle(page, PAGE_TIMEOUT_S)
            seconds[title] = time.monotonic() - start
            SHOTS.mkdir(parents=True, exist_ok=True)  # the viewport: a full page can be huge
            page.screenshot(path=str(SHOTS / f"max-upload-{path or 'overview'}.png"))
            no_exception(page)
            no_error_box(page)
            assert js_errors == [], (title, js_errors)
        # the uploaded sites are still there after every page
        mine = page.get_by_text(f"Your sites: {uploads.MAX_ROWS:,}")
        expect(mine).to_be_visible(timeout=WAIT_MS)
    finally:
        context.close()
        peak = peak_rss_bytes(pid)
        shown = "server ended" if peak is None else f"{peak / 2**20:,.0f} MiB"
        print(f"\npeak server RSS (VmHWM), {uploads.MAX_ROWS:,} sites: {shown} (last: {step})")
        print("seconds per step: " + ", ".join(f"{k} {v:.1f}" for k, v in seconds.items()))
    assert peak is not None, f"the server ended during {step}"
    assert peak < PEAK_RSS_LIMIT_BYTES, f"peak RSS {peak / 2**30:.2f} GiB"
