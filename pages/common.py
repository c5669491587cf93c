"""Shared UI plumbing: cached catalog, the sidebar weights (common to every page), URL state."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import streamlit as st

from windrose_sites import catalog, decision
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


def working_set(cat: Catalog) -> WorkingSet:
    shipped = cat.sites[cat.sites["role"] == "candidate"]
    return WorkingSet(
        sites=shipped,
        table=cat.computed.table,
        provenance=cat.computed.provenance,
        attributes=cat.computed.attributes,
    )


def app_state() -> wstate.AppState:
    """The state the sidebar (rendered by app.py on every page) read in this run."""
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
