"""The sidebar: group and criterion weights, directions, method and filters; the URL.

It is drawn on every page by :func:`windrose_ui.frame.open_page` and is the only code that
writes the sidebar's widget keys (:func:`apply_state` from callbacks, :func:`draw` on every
run), so the weights on screen, in the URL and in the ranking are always the same.
"""

from __future__ import annotations

import json

import streamlit as st

from windrose_sites import pipeline
from windrose_sites import state as wstate
from windrose_sites.text import md
from windrose_ui import session
from windrose_ui.cached import Catalog, load_catalog

__all__ = [
    "CRITERIA_PANEL",
    "DIRECTION_LABELS",
    "FILTERS_PANEL",
    "METHOD_LABELS",
    "apply_state",
    "current_state",
    "draw",
    "groups",
    "share_notice",
    "show_url_warnings",
]

METHOD_LABELS = {
    "wsm": "Weighted sum (WSM)",
    "wpm": "Weighted product (WPM)",
    "topsis": "TOPSIS",
    "promethee": "PROMETHEE II",
}
STATE = "_app_state"  # the state the sidebar read in this run
SAVED = "_saved_widgets"  # the sidebar's widget values, put back if Streamlit dropped them
URL_WARNINGS = "url_warnings"
#: The sidebar's two panels (expanders). Their widgets are drawn only while a panel is open;
#: the values live in Session State either way (restored on every run), so a closed panel's
#: weights and filters still count. The browser then builds about 600 fewer elements on every
#: page switch (benchmarks/README.md, "The browser's cost per page switch").
CRITERIA_PANEL = "x_criteria"
FILTERS_PANEL = "x_filters"


DIRECTION_LABELS = {"benefit": "higher is better", "cost": "lower is better"}


def groups(cat: Catalog) -> list[str]:
    """Criterion groups of the catalog, in display order."""
    return pipeline.groups(cat)


def _directions(cat: Catalog) -> dict[str, str]:
    return cat.criteria["direction"].to_dict()


def _widget_values(s: wstate.AppState, cat: Catalog) -> dict[str, object]:
    """The sidebar widgets' values (by key) that represent a state."""
    values: dict[str, object] = {wstate.group_key(g): w for g, w in s.group_weights.items()}
    values.update({f"c_{c}": w for c, w in s.criterion_weights.items()})
    values.update({f"d_{c}": s.directions.get(c, d) for c, d in _directions(cat).items()})
    values.update(
        {
            "method": s.method,
            "f_min_area": s.filters.min_area_ha,
            "f_max_port": s.filters.max_port_km or 0.0,
            "f_countries": list(s.filters.countries),
            "f_keep_unknown_area": s.filters.keep_unknown_area,
            "f_keep_remote": s.filters.keep_remote,
        }
    )
    return values


def _restore_widgets(cat: Catalog) -> None:
    """Seed the sidebar widgets: from the URL once per session, then from a saved copy.

    Streamlit drops a widget's value after a run that did not draw it (a page run without the
    router, say); the saved copy puts it back, so weights are never silently reset.
    """
    if SAVED not in st.session_state:
        params = {k: st.query_params.get_all(k) for k in st.query_params}
        s, warnings = pipeline.parse_params(params, cat)
        st.session_state[URL_WARNINGS] = warnings
        session.set_selected(s.selected)
        st.session_state[SAVED] = _widget_values(s, cat)
    # Re-assigning through the Session State API (Streamlit's documented pattern) also keeps
    # the value when a widget is re-created with a new identity, e.g. on another page.
    for key, value in st.session_state[SAVED].items():
        st.session_state[key] = st.session_state.get(key, value)


def draw(cat: Catalog) -> wstate.AppState:
    """Weights, method and filters in the sidebar, shared by every page; returns the state."""
    _restore_widgets(cat)
    with st.sidebar:
        st.header("Weights")
        st.caption("Relative importance, 0–100 per group; effective shares are shown in %.")
        for g in groups(cat):
            st.slider(
                g.capitalize(),
                0.0,
                wstate.MAX_WEIGHT,
                step=1.0,  # whole numbers: AHP weights land on the grid, label = URL = position
                format="%.0f",
                key=wstate.group_key(g),
            )
        st.selectbox(
            "Method",
            wstate.METHODS,
            key="method",
            format_func=lambda m: METHOD_LABELS[m],
            help="Weighted sum (min–max), weighted product, TOPSIS (vector), PROMETHEE II.",
        )
        with st.expander(
            "Criterion weights within each group", key=CRITERIA_PANEL, on_change="rerun"
        ) as panel:
            if panel.open:
                _criterion_widgets(cat)
        with st.expander("Filters (site funnel)", key=FILTERS_PANEL, on_change="rerun") as panel:
            if panel.open:
                _filter_widgets(cat)
    return _read_state(cat)


def _criterion_widgets(cat: Catalog) -> None:
    """The criteria panel: each criterion's weight and direction, by group."""
    crit = cat.criteria
    st.caption(
        "Each criterion says which way counts as better. The jobs criterion counts a "
        "higher unemployment rate as better (more available labour); flip any "
        "criterion whose value judgement you do not share."
    )
    for g in groups(cat):
        members = crit.index[crit["group"] == g]
        st.markdown(
            f"**{md(g.capitalize())}**"
            + (" (one criterion: it takes the whole group's share)" if len(members) == 1 else "")
        )
        for cid in members:
            st.slider(
                md(crit.at[cid, "label"]),
                0.0,
                wstate.MAX_WEIGHT,
                step=5.0,
                format="%.0f",
                key=f"c_{cid}",
            )
            st.radio(
                f"Direction of {md(crit.at[cid, 'label'])}",
                wstate.DIRECTIONS,
                format_func=DIRECTION_LABELS.get,
                horizontal=True,
                key=f"d_{cid}",
                label_visibility="collapsed",
            )


def _filter_widgets(cat: Catalog) -> None:
    """The filters panel: the site funnel's minimum area, port distance, countries, keeps."""
    st.number_input("Minimum plot area (ha)", 0.0, 1e6, step=1.0, key="f_min_area")
    st.number_input(
        "Maximum distance to gateway port (km, 0 = no limit)",
        0.0,
        1e5,
        step=10.0,
        key="f_max_port",
    )
    st.multiselect(
        "Countries (empty = all)",
        sorted(cat.computed.attributes["country"].unique()),
        key="f_countries",
    )
    st.checkbox(
        "Keep sites whose plot area is unknown (marked 'area unknown')",
        key="f_keep_unknown_area",
        help="A point site takes its announced area from the site facts; the US "
        "candidate areas have none, so a minimum area cannot judge them.",
    )
    st.checkbox(
        "Keep remote sites (no town of 15,000+ people within 60 km)",
        key="f_keep_remote",
        help="Points in the sea, a desert or near the poles are left out by default.",
    )


def _read_state(cat: Catalog) -> wstate.AppState:
    """The state in the widget keys (drawn or restored), written to the URL and saved."""
    crit = cat.criteria
    defaults = _directions(cat)
    state = wstate.AppState(
        group_weights={g: float(st.session_state[wstate.group_key(g)]) for g in groups(cat)},
        criterion_weights={c: float(st.session_state[f"c_{c}"]) for c in crit.index},
        method=st.session_state["method"],
        filters=wstate.Filters(
            min_area_ha=float(st.session_state["f_min_area"]),
            max_port_km=float(st.session_state["f_max_port"]) or None,
            countries=tuple(st.session_state["f_countries"]),
            keep_unknown_area=bool(st.session_state["f_keep_unknown_area"]),
            keep_remote=bool(st.session_state["f_keep_remote"]),
        ),
        selected=tuple(session.selected()),
        directions={
            c: st.session_state[f"d_{c}"]
            for c, d in defaults.items()
            if st.session_state[f"d_{c}"] != d
        },
    )
    st.query_params.from_dict(wstate.to_query_params(state, pipeline.default_state(cat)))
    st.session_state[SAVED] = _widget_values(state, cat)
    st.session_state[STATE] = state
    return state


def current_state() -> wstate.AppState:
    """The state the sidebar read in this run (:func:`draw` runs first on every page)."""
    state = st.session_state[STATE]
    sel = tuple(session.selected())
    if state.selected != sel:  # a click on this run's map selected a site after the sidebar
        from dataclasses import replace

        state = replace(state, selected=sel)
    return state


def apply_state(s: wstate.AppState) -> None:
    """Put a state into the sidebar widgets (call from a callback, before they are drawn)."""
    values = _widget_values(s, load_catalog())
    st.session_state[SAVED] = values
    for key, value in values.items():
        st.session_state[key] = value
    session.set_selected(s.selected)


def share_notice() -> None:
    """Say what the page's link does not carry; ask the browser to confirm a reload.

    The ``beforeunload`` guard's dialog is not verified, so the page text never promises it:
    in headless Chromium (a click first, then Playwright's ``page.reload()``) the handler ran
    with one added site after an upload on Sites & data, yet no dialog appeared. The browser
    tests check the count the handler reads (``window.__windroseUnsaved``).
    """
    n_sites, n_edits = session.unsaved_work()
    what = (
        (f"{n_sites:,} added site(s)" if n_sites else "")
        + (" and " if n_sites and n_edits else "")
        + (f"{n_edits:,} edited value(s)" if n_edits else "")
    )
    if what:
        st.warning(
            "This page's link carries the weights, method, filters and selection, but not your "
            f"{md(what)}. Save a scenario to keep or share them; a reload or a new "
            "link starts without them.",
            icon="🔗",
        )
    else:
        st.caption("Share this page's link: it carries the weights, method, filters and selection.")
    # A constant script (no user text but a count) that asks the browser to confirm leaving
    # the page while there is work that a reload would lose. st.html runs it in the page
    # itself: an iframe (st.iframe) was a new document to build on every page switch.
    st.html(
        "<script>window.__windroseUnsaved = "
        + json.dumps(n_sites + n_edits)
        + "; if (!window.__windroseGuard) { window.__windroseGuard = (e) => {"
        + " if (window.__windroseUnsaved > 0) { e.preventDefault(); e.returnValue = true; } };"
        + ' window.addEventListener("beforeunload", window.__windroseGuard); }</script>',
        unsafe_allow_javascript=True,
    )


def show_url_warnings() -> None:
    """The warnings about the link this session started from (ignored values)."""
    for w in st.session_state.get(URL_WARNINGS, []):
        st.warning(f"Link parameter: {md(w, max_chars=300)}", icon="⚠️")
