"""Shared UI plumbing: cached catalog, the sidebar weights (common to every page), URL state."""

from __future__ import annotations

import json
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import streamlit as st

from windrose_sites import assumptions, catalog, decision, export
from windrose_sites import state as wstate
from windrose_sites.text import md


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


DIRECTION_LABELS = {"benefit": "higher is better", "cost": "lower is better"}


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
    if "_saved_widgets" not in st.session_state:
        params = {k: st.query_params.get_all(k) for k in st.query_params}
        s, warnings = wstate.parse_query_params(
            params,
            default_state(cat),
            site_ids=cat.computed.table.index,
            countries=sorted(cat.computed.attributes["country"].unique()),
        )
        st.session_state["url_warnings"] = warnings
        st.session_state["selected"] = list(s.selected)
        st.session_state["_saved_widgets"] = _widget_values(s, cat)
    # Re-assigning through the Session State API (Streamlit's documented pattern) also keeps
    # the value when a widget is re-created with a new identity, e.g. on another page.
    for key, value in st.session_state["_saved_widgets"].items():
        st.session_state[key] = st.session_state.get(key, value)


def sidebar(cat: Catalog) -> wstate.AppState:
    """Weights, method and filters in the sidebar, shared by every page; returns the state."""
    _restore_widgets(cat)
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
            st.caption(
                "Each criterion says which way counts as better. The jobs criterion counts a "
                "higher unemployment rate as better (more available labour); flip any "
                "criterion whose value judgement you do not share."
            )
            for g in groups(cat):
                members = crit.index[crit["group"] == g]
                st.markdown(
                    f"**{md(g.capitalize())}**"
                    + (
                        " (one criterion: it takes the whole group's share)"
                        if len(members) == 1
                        else ""
                    )
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
        selected=tuple(st.session_state.get("selected", [])),
        directions={
            c: st.session_state[f"d_{c}"]
            for c, d in defaults.items()
            if st.session_state[f"d_{c}"] != d
        },
    )
    st.query_params.from_dict(wstate.to_query_params(state, default))
    st.session_state["_saved_widgets"] = _widget_values(state, cat)
    st.session_state["_app_state"] = state
    return state


def unsaved_work() -> tuple[int, int]:
    """(added sites, edited values) of this session: what a link does not carry."""
    extra = user_sites()
    n_sites = 0 if extra is None else len(extra)
    n_edits = sum(len(v) for v in st.session_state.get("edits", {}).values())
    return n_sites, n_edits


def share_notice() -> None:
    """Say what the page's link does not carry, and warn before a reload would lose it."""
    n_sites, n_edits = unsaved_work()
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
    # A constant script (no user text) that asks the browser to confirm leaving the page while
    # there is work that a reload would lose. The handler lives in the parent page's realm, so
    # it survives this frame being redrawn.
    st.iframe(
        "<script>const w = window.parent; w.__windroseUnsaved = "
        + json.dumps(n_sites + n_edits)
        + '; if (!w.__windroseGuard) { w.__windroseGuard = new w.Function("e", '
        + '"if (window.__windroseUnsaved > 0) { e.preventDefault(); e.returnValue = true; }");'
        + ' w.addEventListener("beforeunload", w.__windroseGuard); }</script>',
        height=1,
    )


METHOD_LABELS = {
    "wsm": "Weighted sum (WSM)",
    "wpm": "Weighted product (WPM)",
    "topsis": "TOPSIS",
    "promethee": "PROMETHEE II",
}


def show_url_warnings() -> None:
    for w in st.session_state.get("url_warnings", []):
        st.warning(f"Link parameter: {md(w, max_chars=300)}", icon="⚠️")


KEY_CRITERIA = ("sea_distance_nm", "road_to_port_km", "labour_catchment_pop", "unemployment_pct")


@dataclass(frozen=True)
class WorkingSet:
    """The candidate sites this session ranks: shipped ones plus the user's, with edits."""

    sites: gpd.GeoDataFrame
    table: pd.DataFrame
    provenance: pd.DataFrame
    attributes: pd.DataFrame


def _user_criteria(extra: gpd.GeoDataFrame) -> catalog.SiteCriteria:
    """Criteria of the user's sites, computed once per change of the session's site list."""
    key = tuple(extra["site_id"])
    memo = st.session_state.get("_user_criteria")
    if memo is None or memo[0] != key:
        with st.spinner("Computing criteria of your sites…"):
            memo = (key, catalog.compute_criteria(extra))
        st.session_state["_user_criteria"] = memo
    return memo[1]


def user_sites() -> gpd.GeoDataFrame | None:
    """The user's sites (typed in, clicked, uploaded, located) as one GeoDataFrame."""
    frames = st.session_state.get("user_sites", [])
    if not frames:
        return None
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs="EPSG:4326")


def working_set(cat: Catalog, *, with_edits: bool = True) -> WorkingSet:
    """Shipped candidates + the user's sites, with the user's edits applied (unless not)."""
    shipped = cat.sites[cat.sites["role"] == "candidate"]
    extra = user_sites()
    sites, computed = shipped, cat.computed
    if extra is not None:
        base_cols = [c for c in shipped.columns if c in extra.columns]
        extra_sc = _user_criteria(extra[base_cols])
        computed = assumptions.merge(computed, extra_sc)
        supplied = _supplied_values(extra, cat.criteria.index)
        computed = assumptions.apply_edits(computed, supplied, source="user upload")
        sites = gpd.GeoDataFrame(
            pd.concat([shipped, extra[base_cols]], ignore_index=True), crs="EPSG:4326"
        )
    if with_edits:
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


#: Up to this many ranked sites the download files are built in every run. Above it (large
#: uploads) they are built on click, which saves seconds per rerun; Streamlit 1.67 may then
#: lose the file when other sessions rerun at the same moment (HTTP 404, seen in the load test).
EAGER_DOWNLOAD_MAX_SITES = 2_000


def deferred(build, n_sites: int):
    """Bytes now for a normal ranking; a callable (built on click) for a very large one."""
    return build() if n_sites <= EAGER_DOWNLOAD_MAX_SITES else build


def comparison_csv(result: pd.DataFrame, work: WorkingSet, cat: Catalog):
    """The comparison CSV of exactly this ranking (the same run's result as the screen)."""
    return deferred(
        lambda: export.to_csv(
            export.comparison_frame(
                result, work.table, cat.criteria, work.provenance, work.attributes["name"]
            )
        ),
        len(result),
    )


def _router_ran_this_run() -> bool:
    """Whether app.py's sidebar ran in this script run (its 'method' widget was registered)."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    ctx = get_script_run_ctx()
    keys = getattr(getattr(ctx, "shared", None), "widget_user_keys_this_run", None)
    return keys is None or "method" in keys


def app_state() -> wstate.AppState:
    """The state the sidebar (rendered by app.py on every page) read in this run.

    When a fresh server's first request is a page URL, Streamlit runs that ``pages/`` file
    directly (its legacy pages-directory mode: a ``pages/`` folder exists and ``app.py`` has
    not called ``st.navigation`` yet in this process; ``streamlit.testing`` does the same on
    every run). Then the page draws the sidebar itself, and the mode is switched off, as
    ``st.navigation`` does, so the next run goes through the router.
    """
    if not _router_ran_this_run():
        from streamlit.runtime.pages_manager import PagesManager

        PagesManager.uses_pages_directory = False
        return sidebar(load_catalog())
    return st.session_state["_app_state"]


def select_site(site_id: str) -> None:
    """Keep the two most recently clicked sites for the side-by-side comparison.

    The link's ``sel`` follows on the same click (the sidebar wrote the URL earlier in this
    run, before the click was read).
    """
    sel = [s for s in st.session_state.get("selected", []) if s != site_id]
    st.session_state["selected"] = [*sel, site_id][-2:]
    st.query_params["sel"] = ",".join(st.session_state["selected"])
    state = st.session_state.get("_app_state")
    if state is not None:
        from dataclasses import replace

        st.session_state["_app_state"] = replace(
            state, selected=tuple(st.session_state["selected"])
        )


def current_ranking(
    work: WorkingSet, cat: Catalog, state: wstate.AppState
) -> decision.Ranking | None:
    """Rank the current sites with the current state; shows the reason if there is none."""
    try:
        ranking = decision.evaluate(work.table, work.attributes, cat.criteria, state)
    except decision.NoSiteLeftError as exc:
        st.error(f"No ranking: {md(exc)}", icon="🚫")
        removed_reasons(exc.removed, work.attributes["name"])
        return None
    except ValueError as exc:
        st.error(f"No ranking: {md(exc)}")
        return None
    if len(ranking.result) == 1 and len(ranking.removed):
        only = work.attributes.at[ranking.result.index[0], "name"]
        st.warning(
            f"Only one site remains after the filters ({md(only)}): its score compares it with "
            f"nothing. {len(ranking.removed):,} site(s) were removed; the reasons are below.",
            icon="⚠️",
        )
        removed_reasons(ranking.removed, work.attributes["name"])
    return ranking


def removed_reasons(removed: pd.Series, names: pd.Series, limit: int = 50) -> None:
    """Why each site was filtered out, as a list of lines (then a table if there are many)."""
    lines = [
        f"- **{md(names.get(s, s))}**: {md(reason, max_chars=300)}"
        for s, reason in list(removed.items())[:limit]
    ]
    st.markdown(  # md-safe: every part is escaped with md()
        f"**Removed by the filters ({len(removed):,}):**\n" + "\n".join(lines)
    )
    if len(removed) > limit:
        st.dataframe(
            removed.rename("removed because").to_frame().join(names),
            key="removed_table",
        )


def apply_state(s: wstate.AppState) -> None:
    """Put a state into the sidebar widgets (call from a callback, before they are drawn)."""
    values = _widget_values(s, load_catalog())
    st.session_state["_saved_widgets"] = values
    for key, value in values.items():
        st.session_state[key] = value
    st.session_state["selected"] = list(s.selected)


def key_facts(cat: Catalog, work: WorkingSet) -> pd.DataFrame:
    """Announced figures per candidate site with unit, year, kind and source."""
    facts = cat.facts[cat.facts["site_id"].isin(work.attributes.index)]
    return facts.assign(site=facts["site_id"].map(work.attributes["name"]))[
        ["site", "fact", "value", "unit", "year", "kind", "source", "note"]
    ]


def score_column(result: pd.DataFrame) -> st.column_config.ProgressColumn:
    """Score bars over the method's range (0-1, or -1-1 for PROMETHEE II net flows)."""
    return st.column_config.ProgressColumn(
        "score",
        format="%.3f",
        min_value=float(min(0.0, result["score"].min())),
        max_value=float(max(1.0, result["score"].max())),
    )
