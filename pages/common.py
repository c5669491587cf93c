"""Shared UI plumbing: cached catalog, the sidebar weights (common to every page), URL state."""

from __future__ import annotations

import io
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import streamlit as st

from windrose_sites import assumptions, catalog, decision
from windrose_sites import state as wstate


@dataclass(frozen=True)
class Catalog:
    """Shipped data, loaded once per server process."""

    sites: gpd.GeoDataFrame  # all sites, candidates and reference places
    criteria: pd.DataFrame
    ports: pd.DataFrame
    outlines: gpd.GeoDataFrame
    facts: pd.DataFrame
    computed: catalog.SiteCriteria  # of the shipped candidates


@st.cache_resource(show_spinner="Loading the site catalog and computing sea routes…")
def load_catalog() -> Catalog:
    """The shipped catalog (read-only: callers copy before changing anything)."""
    sites = catalog.load_sites()
    return Catalog(
        sites=sites,
        criteria=catalog.load_criteria(),
        ports=catalog.load_ports(),
        outlines=catalog.load_outlines(),
        facts=catalog.load_site_facts(),
        computed=catalog.compute_criteria(
            sites[sites["role"] == "candidate"].reset_index(drop=True)
        ),
    )


def groups(cat: Catalog) -> list[str]:
    return [g for g in catalog.GROUPS if g in set(cat.criteria["group"])]


def default_state(cat: Catalog) -> wstate.AppState:
    return wstate.default_state(groups(cat), cat.criteria["default_weight"].to_dict())


def _init_from_url(cat: Catalog) -> None:
    """Once per session: seed the widgets from the URL, and keep the warnings to show."""
    if "url_loaded" in st.session_state:
        return
    st.session_state["url_loaded"] = True
    default = default_state(cat)
    params = {k: st.query_params.get_all(k) for k in st.query_params}
    s, warnings = wstate.parse_query_params(
        params,
        default,
        site_ids=cat.computed.table.index,
        countries=sorted(cat.computed.attributes["country"].unique()),
    )
    st.session_state["url_warnings"] = warnings
    for g, w in s.group_weights.items():
        st.session_state[wstate.group_key(g)] = w
    for c, w in s.criterion_weights.items():
        st.session_state[f"c_{c}"] = w
    st.session_state["method"] = s.method
    st.session_state["f_min_area"] = s.filters.min_area_ha
    st.session_state["f_max_port"] = s.filters.max_port_km or 0.0
    st.session_state["f_countries"] = list(s.filters.countries)
    st.session_state["selected"] = list(s.selected)


def sidebar(cat: Catalog) -> wstate.AppState:
    """Weights, method and filters in the sidebar, shared by every page; returns the state."""
    _init_from_url(cat)
    default = default_state(cat)
    crit = cat.criteria
    with st.sidebar:
        st.header("Weights")
        st.caption("Relative importance, 0–100 per group; effective shares are shown in %.")
        for g in groups(cat):
            st.slider(
                g.capitalize(),
                0.0,
                wstate.MAX_WEIGHT,
                step=5.0,
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
        with st.expander("Criterion weights within each group"):
            for g in groups(cat):
                st.markdown(f"**{g.capitalize()}**")
                for cid in crit.index[crit["group"] == g]:
                    st.slider(
                        f"{crit.at[cid, 'label']} ({crit.at[cid, 'direction']})",
                        0.0,
                        wstate.MAX_WEIGHT,
                        step=5.0,
                        format="%.0f",
                        key=f"c_{cid}",
                    )
        with st.expander("Filters (site funnel)"):
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
    state = wstate.AppState(
        group_weights={g: float(st.session_state[wstate.group_key(g)]) for g in groups(cat)},
        criterion_weights={c: float(st.session_state[f"c_{c}"]) for c in crit.index},
        method=st.session_state["method"],
        filters=wstate.Filters(
            min_area_ha=float(st.session_state["f_min_area"]),
            max_port_km=float(st.session_state["f_max_port"]) or None,
            countries=tuple(st.session_state["f_countries"]),
        ),
        selected=tuple(st.session_state.get("selected", [])),
    )
    st.query_params.from_dict(wstate.to_query_params(state, default))
    st.session_state["_app_state"] = state
    return state


METHOD_LABELS = {
    "wsm": "Weighted sum (WSM)",
    "wpm": "Weighted product (WPM)",
    "topsis": "TOPSIS",
    "promethee": "PROMETHEE II",
}


def show_url_warnings() -> None:
    for w in st.session_state.get("url_warnings", []):
        st.warning(f"Link parameter: {w}", icon="⚠️")


KEY_CRITERIA = ("sea_distance_nm", "road_to_port_km", "labour_catchment_pop", "unemployment_pct")


@dataclass(frozen=True)
class WorkingSet:
    """The candidate sites this session ranks: shipped ones plus the user's, with edits."""

    sites: gpd.GeoDataFrame
    table: pd.DataFrame
    provenance: pd.DataFrame
    attributes: pd.DataFrame


@st.cache_data(show_spinner="Computing criteria of your sites…", max_entries=20)
def _user_criteria(sites_geojson: str) -> catalog.SiteCriteria:
    """Criteria of the user's sites, cached by their content (uploads of 10,000 sites)."""
    return catalog.compute_criteria(gpd.read_file(io.StringIO(sites_geojson)))


def user_sites() -> gpd.GeoDataFrame | None:
    """The user's sites (typed in, clicked, uploaded, located) as one GeoDataFrame."""
    frames = st.session_state.get("user_sites", [])
    if not frames:
        return None
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs="EPSG:4326")


def working_set(cat: Catalog) -> WorkingSet:
    """Shipped candidates + the user's sites, with the user's edits applied."""
    shipped = cat.sites[cat.sites["role"] == "candidate"]
    extra = user_sites()
    sites, computed = shipped, cat.computed
    if extra is not None:
        base_cols = [c for c in shipped.columns if c in extra.columns]
        extra_sc = _user_criteria(extra[base_cols].to_json(drop_id=True))
        computed = assumptions.merge(computed, extra_sc)
        supplied = _supplied_values(extra, cat.criteria.index)
        computed = assumptions.apply_edits(computed, supplied, source="user upload")
        sites = gpd.GeoDataFrame(
            pd.concat([shipped, extra[base_cols]], ignore_index=True), crs="EPSG:4326"
        )
    computed = assumptions.apply_edits(computed, st.session_state.get("edits", {}))
    return WorkingSet(
        sites=sites,
        table=computed.table,
        provenance=computed.provenance,
        attributes=computed.attributes,
    )


def _supplied_values(extra: gpd.GeoDataFrame, criteria: pd.Index) -> dict[str, dict[str, float]]:
    """Criterion values given in an upload's own columns override the computed ones."""
    cols = [c for c in criteria if c in extra.columns]
    if not cols:
        return {}
    values = extra.set_index("site_id")[cols]
    return {
        sid: {c: float(v) for c, v in row.items() if pd.notna(v)}
        for sid, row in values.iterrows()
        if row.notna().any()
    }


def app_state() -> wstate.AppState:
    """The state the sidebar (rendered by app.py on every page) read in this run.

    When a fresh server's first request is a page URL, Streamlit runs that ``pages/`` file
    directly (its legacy pages-directory mode: a ``pages/`` folder exists and ``app.py`` has
    not called ``st.navigation`` yet in this process). Switching that mode off, as
    ``st.navigation`` itself does, and rerunning sends the run through the router.
    """
    if "_app_state" not in st.session_state:
        if st.session_state.get("_router_retry"):
            msg = "app.py did not run before this page; open the app from its main URL"
            raise RuntimeError(msg)
        from streamlit.runtime.pages_manager import PagesManager

        PagesManager.uses_pages_directory = False
        st.session_state["_router_retry"] = True
        st.rerun()
    return st.session_state["_app_state"]


def select_site(site_id: str) -> None:
    """Keep the two most recently clicked sites for the side-by-side comparison."""
    sel = [s for s in st.session_state.get("selected", []) if s != site_id]
    st.session_state["selected"] = [*sel, site_id][-2:]


def current_ranking(
    work: WorkingSet, cat: Catalog, state: wstate.AppState
) -> decision.Ranking | None:
    """Rank the current sites with the current state; shows the reason if there is none."""
    try:
        return decision.evaluate(work.table, work.attributes, cat.criteria, state)
    except ValueError as exc:
        st.error(f"No ranking: {exc}")
        return None
