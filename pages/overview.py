"""Overview: the question, the current leader, a map of all candidates, ranking and facts."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from windrose_sites import comparison, pipeline, summary
from windrose_sites.text import md
from windrose_ui import frame, session, sidebar, widgets

ctx = frame.open_page("Overview")
cat, state, work = ctx.cat, ctx.state, ctx.work
st.title("Where should Windrose assemble its electric trucks?")
fact = cat.facts.set_index(["site_id", "fact"])["value"]
st.markdown(  # md-safe: announced areas are numbers from the shipped site facts
    "Windrose Technology's battery-electric trucks are built under contract in Suzhou, near "
    "Shanghai, and the parts travel by container. Windrose now assembles close to its "
    f"customers: a **concession of {fact['antwerp_romeynsweel', 'concession_area_ha']} ha "
    "at Romeynsweel (Port of Antwerp-Bruges)**, a **plant in Onnaing (northern France)** "
    f"on {fact['onnaing', 'site_area_ha']} ha next to Toyota, and a **US plant in Arizona "
    "or California** whose site is still open. This tool compares the candidate sites on "
    "logistics, jobs, port access, cost, sustainability and market, with every figure "
    "sourced (see *Key facts* below and the *Sites & data* page). Move the weights in the "
    "sidebar; every page follows them."
)
sidebar.show_url_warnings()
ranking = widgets.current_ranking(work, cat, state)
if ranking is None:
    st.stop()
result, attrs = ranking.result, work.attributes
leader = result["rank"].idxmin()
st.success(
    f"Leader under the current weights ({md(sidebar.METHOD_LABELS[state.method])}): "
    f"**{md(attrs.at[leader, 'name'])}** with score {result.at[leader, 'score']:.3f}."
)


@st.cache_data(show_spinner="Checking how robust the answer is…", max_entries=64)
def _summary(query: str, data_key: str, _ranking, _work, _crit):  # noqa: ARG001 (cache keys)
    """The decision summary, once per state and data (the inputs after _ are not hashed)."""
    return summary.decide(
        _ranking,
        _work.table,
        _crit,
        _work.provenance,
        _work.attributes["name"],
        method=state.method,
        selected=tuple(session.selected()),
    )


# the brief is written after the maps: their repaint reaches the browser without waiting for
# the robustness analysis (a few hundred milliseconds with 10,000 sites)
brief = st.container(border=True)
views = st.columns(2)
for col, view in zip(views, ("Europe", "United States"), strict=True):
    spec = widgets.view_spec(view, work, cat)
    with col:
        st.markdown(f"**{md(view)}**")
        if not len(spec.sites):
            st.info("No ranked site in this view.")
            continue
        # drawn once per data; a slider move only repaints the sites
        widgets.site_map(f"overview_map_{view}", spec, work, cat, result, height=360)
dec = _summary(
    pipeline.query_string(state, cat),
    widgets.data_key(work),  # the values in use
    ranking,
    work,
    pipeline.criteria_for(state, cat.criteria),
)
with brief:
    st.markdown("**The decision in brief**")
    st.markdown(md(dec.answer, max_chars=600))
    st.markdown(md(dec.robustness, max_chars=600) + " " + md(dec.methods, max_chars=600))
    if dec.caveats:
        st.markdown(
            "**What the answer rests on:** " + " ".join(md(c, max_chars=400) for c in dec.caveats)
        )


#: Rows of the ranking table sent at a time: a 10,000-site ranking goes a page at a time.
PAGE_ROWS = 100


@st.fragment
def _ranking_table(table: pd.DataFrame) -> None:
    """The ranking, best first, a page at a time: turning a page reruns only this part."""
    pages = -(-len(table) // PAGE_ROWS)
    page = 1
    if pages > 1:
        page = int(
            st.number_input(
                f"Page of the ranking ({PAGE_ROWS} sites a page, {len(table):,} in all)",
                min_value=1,
                max_value=pages,
                value=1,
                key="overview_ranking_page",
            )
        )
    shown = table.iloc[(page - 1) * PAGE_ROWS : page * PAGE_ROWS]
    st.dataframe(
        shown[["rank", "name", "score", "country", "status"]],
        hide_index=True,
        column_config={
            "score": widgets.score_column(result),
            "name": st.column_config.TextColumn("site", width="large"),
            "rank": st.column_config.NumberColumn("rank", width="small"),
            "status": st.column_config.TextColumn("status", width="large"),
        },
        height=38 + 35 * min(len(shown), 30),
        key="overview_ranking",
    )


_ranking_table(comparison.ranking_table(result, attrs))
st.download_button(
    "Download comparison CSV",
    widgets.comparison_csv(ranking, work, cat),
    "windrose-comparison.csv",
    "text/csv",
    on_click="ignore",
    key="dl_overview_csv",
)
widgets.board_pack_buttons(cat, state, work)
st.subheader("Key facts per site")
st.dataframe(
    widgets.key_facts(cat, work),
    hide_index=True,
    column_config={"source": st.column_config.LinkColumn("source", width="medium")},
    key="key_facts",
)
