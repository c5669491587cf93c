"""Overview: the question, the current leader, a map of all candidates, ranking and facts."""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from windrose_sites import comparison, maps
from windrose_sites.text import md
from windrose_ui import frame, sidebar, widgets

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
left, right = st.columns([3, 2])
with left:
    layer, cmap = maps.sites_layer(
        work.sites, result, work.table, cat.criteria, key_criteria=widgets.KEY_CRITERIA
    )
    m = maps.build_map(
        tuple(work.sites.total_bounds),
        cat.outlines,
        [layer],
        legend={"vmin": cmap.vmin, "vmax": cmap.vmax},
    )
    st_folium(m, key="overview_map", height=430, use_container_width=True, returned_objects=[])
with right:
    table = comparison.ranking_table(result, attrs, cat.criteria)
    st.dataframe(
        table[["rank", "name", "score", "country", "status"]],
        hide_index=True,
        column_config={"score": widgets.score_column(result)},
        key="overview_ranking",
    )
    st.download_button(
        "Download comparison CSV",
        widgets.comparison_csv(ranking, work, cat),
        "windrose-comparison.csv",
        "text/csv",
        on_click="ignore",
        key="dl_overview_csv",
    )
st.subheader("Key facts per site")
st.dataframe(
    widgets.key_facts(cat, work),
    hide_index=True,
    column_config={"source": st.column_config.LinkColumn("source", width="medium")},
    key="key_facts",
)
