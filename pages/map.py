"""Map page: Europe, United States and the supply chain, coloured by the current score."""

from __future__ import annotations

import streamlit as st

from windrose_sites import maps
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


result = ranking.result if ranking is not None else None
legend_title = f"Score ({sidebar.METHOD_LABELS[state.method]})"


@st.fragment
def _view() -> None:
    """The picked view: picking another one, or clicking a site, reruns only this part."""
    view = st.radio("View", list(VIEWS), horizontal=True, key="map_view")
    st.caption(md(VIEWS[view]))
    spec = widgets.view_spec(view, work, cat)

    def static_layers() -> list:
        # ports and lines: drawn once per data with the sites (see widgets.site_map)
        lines = [maps.routes_layer(spec.lines, name=spec.lines_name)] if len(spec.lines) else []
        return [maps.ports_layer(spec.ports), *lines]

    # Only clicks come back: pan and zoom never rerun the script.
    event = widgets.site_map(
        f"map_{view}",
        spec,
        work,
        cat,
        result,
        layers=static_layers,
        legend_title=legend_title,
        returned_objects=["last_active_drawing"],
    )
    clicked = ((event or {}).get("last_active_drawing") or {}).get("properties", {})
    if clicked.get("site_id"):
        session.select_site(clicked["site_id"])
    if result is not None and len(spec.sites):
        cmap = maps.ranking_scale(result)
        st.caption(
            f"Every view colours sites on one scale, the whole ranking's: red {cmap.vmin:.2f} "
            f"to green {cmap.vmax:.2f}. Labels name up to {maps.LABEL_LIMIT:d} best-ranked "
            "sites; where two would overlap, the better-ranked one is shown: zoom in for the other."
        )
    if len(spec.lines):
        st.subheader(md(spec.lines_name))
        st.dataframe(
            spec.lines.drop(columns=["coords", "colour", "dash"]),
            hide_index=True,
            column_config=LINE_COLUMNS,
            placeholder="—",  # the waterway distance is not known
        )
    sel = session.selected()
    names = work.attributes["name"]
    st.info(
        "Click a site to select it for the side-by-side comparison. Selected: "
        + (", ".join(md(names.get(s, s)) for s in sel) if sel else "none")
    )


_view()
