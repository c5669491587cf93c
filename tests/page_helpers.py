"""AppTest helpers shared by the tests of what a page rerun reuses (issue 16)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from windrose_ui import sidebar

ROOT = Path(__file__).resolve().parent.parent
SLIDER = "w_logistics"


class Counter:
    """Wraps a function and counts its calls."""

    def __init__(self, func):
        self.func, self.calls = func, 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self.func(*args, **kwargs)


def open_page(page: str) -> AppTest:
    """The app after a first run, switched to ``page`` (a path such as ``pages/cost.py``)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def move(at: AppTest, value: float) -> None:
    """Move the logistics group weight and rerun."""
    at.slider(key=SLIDER).set_value(value).run()
    assert not at.exception, at.exception


def open_panels(at: AppTest) -> AppTest:
    """Open the sidebar's criteria and filters panels (their widgets are drawn only when open)."""
    at.session_state[sidebar.CRITERIA_PANEL] = True
    at.session_state[sidebar.FILTERS_PANEL] = True
    at.run()
    assert not at.exception, at.exception
    return at
