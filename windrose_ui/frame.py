"""The frame of every page: config, offline Leaflet, the menu, the sidebar, error handling.

Every page starts with ``ctx = frame.open_page("Map")``. It renders the same whether
``app.py``'s router ran the page or Streamlit ran the file directly (its pages-folder mode,
e.g. when a fresh server's first request is ``/map``): the page sets its own wide layout,
installs Leaflet, draws the menu (``st.page_link``) and the sidebar, and returns what it
needs. ``app.py`` only routes (:func:`navigation`).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from windrose_sites import catalog, glossary, maps, pipeline, scenarios
from windrose_sites import state as wstate
from windrose_sites.errors import WindroseError
from windrose_sites.text import md
from windrose_ui import session, sidebar
from windrose_ui.cached import Catalog, load_catalog

__all__ = ["PAGES", "PageContext", "PageSpec", "navigation", "open_page", "run_guarded"]

ROOT = Path(__file__).resolve().parent.parent
APP_TITLE = "Windrose site selection"
LOG = logging.getLogger("windrose")
GLOSSARY_PANEL = "x_glossary"
#: The project's own errors: their message says what is wrong and what to do.
PROJECT_ERRORS = (WindroseError, catalog.CatalogError, scenarios.ScenarioError)


@dataclass(frozen=True)
class PageSpec:
    """One page of the app: its file, menu title and URL path."""

    file: str
    title: str
    url_path: str


PAGES = (
    PageSpec("pages/overview.py", "Overview", ""),
    PageSpec("pages/map.py", "Map", "map"),
    PageSpec("pages/compare.py", "Compare", "compare"),
    PageSpec("pages/cost.py", "Cost", "cost"),
    PageSpec("pages/sensitivity.py", "Sensitivity", "sensitivity"),
    PageSpec("pages/suitability.py", "Suitability", "suitability"),
    PageSpec("pages/scenarios.py", "Scenarios", "scenarios"),
    PageSpec("pages/data.py", "Sites & data", "data"),
)


def _available() -> list[PageSpec]:
    return [p for p in PAGES if (ROOT / p.file).exists()]


@dataclass(frozen=True)
class PageContext:
    """What a page needs: the catalog, the sidebar's state and the session's working set."""

    cat: Catalog
    state: wstate.AppState
    work: pipeline.WorkingSet


@st.cache_resource
def _leaflet() -> Path:
    return maps.install_leaflet(ROOT / "static")  # served at /app/static/leaflet: offline map


@st.cache_resource
def _glossary() -> str:
    """The glossary as one Markdown text: one element, escaped once per server."""
    return "\n\n".join(
        f"**{md(term)}**: {md(text, max_chars=600)}" for term, text in glossary.GLOSSARY.items()
    )


def _menu() -> None:
    with st.sidebar:
        st.markdown(f"### {md(APP_TITLE)}")
        for p in _available():
            # no icons on pages or links: Streamlit 1.67 fetches a page link's material icon
            # from fonts.gstatic.com, and the app must work offline
            st.page_link(p.file, label=p.title)
        # drawn only while open: one long Markdown element less on every page switch
        with st.popover("Glossary", key=GLOSSARY_PANEL, on_change="rerun") as glossary_panel:
            if glossary_panel.open:
                st.markdown(_glossary())  # md-safe: every term and text is escaped with md()
        st.divider()


def open_page(title: str) -> PageContext:
    """Set up a page: config, Leaflet, menu, sidebar; return the catalog, state and sites."""
    st.set_page_config(page_title=f"{title} · {APP_TITLE}", page_icon="🧭", layout="wide")
    _leaflet()
    cat = load_catalog()
    _menu()
    state = sidebar.draw(cat)
    with st.sidebar:  # what the link does not carry, and the leave-page guard
        sidebar.share_notice()
    return PageContext(cat=cat, state=state, work=session.working_set(cat))


def navigation() -> None:
    """The router (``app.py``): every page, a hidden built-in menu, errors handled."""
    pages = [
        st.Page(
            ROOT / p.file,
            title=p.title,
            url_path=p.url_path or None,
            default=not p.url_path,
        )
        for p in _available()
    ]
    page = st.navigation(pages, position="hidden")
    run_guarded(page.run, page.url_path or "/")


def run_guarded(body: Callable[[], None], where: str) -> None:
    """Run a page; the project's errors show their message, others a reference, never a trace.

    An unexpected error's trace goes to the server log with a reference the operator can grep
    for; the user sees the reference and keeps the session's data.
    """
    try:
        body()
    except PROJECT_ERRORS as exc:
        st.error(f"{md(exc, max_chars=500)}", icon="🚫")
        st.info(
            "Nothing you entered is lost. Correct the input named above, or reset your data "
            "on the Sites & data page."
        )
    except Exception:
        reference = uuid.uuid4().hex[:10]
        LOG.exception("unexpected error on page %s, reference %s", where, reference)
        st.error(  # md-safe: the reference is hexadecimal
            f"Something went wrong on this page (reference {reference}). Your weights, sites "
            "and edits in this session are kept: try another page or undo your last change, "
            "and give the reference to the operator of this server.",
            icon="🚫",
        )
