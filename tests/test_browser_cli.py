"""Browser vs CLI: `python -m windrose_sites rank` prints the Compare page's download."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from urllib import parse

import pytest
from browser_helpers import no_exception, wait_idle

from windrose_sites import pipeline

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
COMPARISON_BUTTON = '[data-testid="stDownloadButton"] button'


def cli_rank(state: str, fmt: str = "csv") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "windrose_sites", "rank", "--state", state, "--format", fmt],
        capture_output=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )


def download_comparison(page) -> bytes:
    button = page.locator(COMPARISON_BUTTON, has_text="Download comparison CSV")
    with page.expect_download() as info:
        button.click()
    return Path(info.value.path()).read_bytes()


@pytest.mark.parametrize(
    "state",
    [
        "w_logistics=80&method=topsis",
        "w_jobs=100&method=promethee&country=US",
        "w_logistics=0&method=wpm&c_gateway_teu_m=100&max_port_km=0",
    ],
)
def test_compare_download_equals_the_cli_output(page, app_server, state):
    page.goto(f"{app_server}/compare?{state}")
    wait_idle(page)
    no_exception(page)
    downloaded = download_comparison(page)
    done = cli_rank(state)
    assert done.returncode == 0, done.stderr.decode()
    assert b"warning:" not in done.stderr  # notes about filtered-out sites are fine
    assert len(downloaded) > 1000
    assert downloaded == done.stdout


def test_the_cli_warns_as_the_app_does_and_reads_the_link_it_writes(page, app_server):
    state = "w_jobs=abc&method=magic&country=US,XX"
    page.goto(f"{app_server}/compare?{state}")
    wait_idle(page)
    no_exception(page)
    shown = page.locator('[data-testid="stAlertContentWarning"]').all_inner_texts()
    shown = [t[t.index("Link parameter") :].strip() for t in shown if "Link parameter" in t]
    done = cli_rank(state)
    assert done.returncode == 0, done.stderr.decode()
    said = [
        line.removeprefix("warning: ")
        for line in done.stderr.decode().splitlines()
        if line.startswith("warning: ")
    ]
    assert len(said) == 3
    assert shown == said
    # the link the app writes back describes the same decision, and gives the same bytes
    written = parse.urlsplit(page.url).query
    inputs = pipeline.load_inputs()
    assert written == pipeline.query_string(pipeline.parse_state(state, inputs)[0], inputs)
    assert download_comparison(page) == done.stdout == cli_rank(written).stdout
