"""The board pack's buttons give the CLI's documents for the page's link (issue 15)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from browser_helpers import no_exception, wait_idle
from pypdf import PdfReader

from windrose_sites import pipeline, report, workbook

pytestmark = [pytest.mark.browser, pytest.mark.slow]
QUERY = "w_logistics=80&method=topsis"


def _text(pdf: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.parametrize("path", ["", "compare"])
def test_memo_and_workbook_buttons_equal_the_cli(page, app_server, path):
    inputs = pipeline.load_inputs()
    page.goto(f"{app_server}/{path}?{QUERY}")
    wait_idle(page, timeout_s=120)
    no_exception(page)
    with page.expect_download(timeout=180_000) as info:
        page.get_by_role("button", name="Download decision memo (PDF)").click()
    memo = Path(info.value.path()).read_bytes()
    assert _text(memo) == _text(report.memo_pdf(QUERY, inputs))
    with page.expect_download(timeout=180_000) as info:
        page.get_by_role("button", name="Download Excel model").click()
    model = Path(info.value.path()).read_bytes()
    assert model == workbook.workbook_xlsx(QUERY, inputs)
