"""Map page: Europe, United States and the supply chain, coloured by the current score."""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from windrose_sites import limits, maps, routes
from windrose_sites.text import md
from windrose_ui import frame, session, sidebar, widgets

ctx = frame.open_page("Map")
cat, state, work = ctx.cat, ctx.state, ctx.work
st.title("Map")
sidebar.show_url_warnings()
ranking = widgets.current_ranking(work, cat, state)

VIEWS = {
    "Europe": "Romeynsweel plots, Onnaing, the gateway ports and the Antwerp → Onnaing link.",
    "United States": (
        "Arizona and California candidates, Huntington Beach, LA, Long Beach, Oakland."
    ),
    "Supply chain": "Sea routes from Shanghai (Yangshan) to each gateway port, nm and days.",
}
LINE_COLUMNS = {
    "label": "Line",
    "km": st.column_config.NumberColumn("Road distance (km)", format="%d"),
    "gateway": "Gateway port",
    "route": "Route",
    "nm": st.column_config.NumberColumn("Sea distance (nm)", format="localized"),
    "days": st.column_config.NumberColumn("Days at sea", format="%.1f"),
}


view = st.radio("View", list(VIEWS), horizontal=True, key="map_view")
st.caption(md(VIEWS[view]))

spec = routes.view_spec(view, work.sites, cat.ports, work.attributes)
layers = []
legend = None
if ranking is not None and len(spec.sites):
    layer, cmap = maps.sites_layer(
        widgets.drawn_sites(spec.sites, ranking.result),
        ranking.result,
        work.table,
        cat.criteria,
        key_criteria=widgets.KEY_CRITERIA,
    )
    if len(ranking.result) > limits.MAX_ANALYSIS_SITES:
        st.caption(
            f"The map shows the {limits.MAX_ANALYSIS_SITES:d} best-ranked sites of the view plus "
            f"your selected ones ({len(ranking.result):,} ranked sites in all)."
        )
    layers.append(layer)
    legend = {"vmin": cmap.vmin, "vmax": cmap.vmax}
layers.append(maps.ports_layer(spec.ports))
if len(spec.lines):
    layers.append(maps.routes_layer(spec.lines, name=spec.lines_name))
m = maps.build_map(
    spec.bounds,
    cat.outlines,
    layers,
    legend=legend,
    legend_title=f"Score ({sidebar.METHOD_LABELS[state.method]})",
)
# Only clicks come back: pan and zoom never rerun the script.
event = st_folium(
    m,
    key=f"map_{view}",
    height=560,
    use_container_width=True,
    returned_objects=["last_active_drawing"],
)
clicked = ((event or {}).get("last_active_drawing") or {}).get("properties", {}).get("site_id")
if clicked:
    session.select_site(clicked)
if legend is not None:
    st.caption(
        f"Every view colours sites on one scale, the whole ranking's: red {legend['vmin']:.2f} "
        f"to green {legend['vmax']:.2f}. Labels name up to {maps.LABEL_LIMIT:d} best-ranked "
        "sites; where two would overlap, the better-ranked one is shown: zoom in for the other."
    )
if len(spec.lines):
    st.subheader(md(spec.lines_name))
    st.dataframe(
        spec.lines.drop(columns=["coords", "colour", "dash"]),
        hide_index=True,
        column_config=LINE_COLUMNS,
    )
sel = session.selected()
names = work.attributes["name"]
st.info(
    "Click a site to select it for the side-by-side comparison. Selected: "
    + (", ".join(md(names.get(s, s)) for s in sel) if sel else "none")
)
