"""Suitability page: score every cell of a region with the app's weights and locate the best."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from windrose_sites import decision, export, limits, maps, pipeline, surface, tables
from windrose_sites.surface import mapping
from windrose_sites.text import md
from windrose_ui import frame, session, sidebar, widgets
from windrose_ui.cached import Catalog, static_map

DEFAULTS = {
    "sfc_region": "az_ca",
    "sfc_res_km": surface.DEFAULT_RESOLUTION_KM,
    "sfc_k": 5,
    "sfc_spacing_km": 50,
    "sfc_supplier_pct": 10.0,
    "sfc_catchment_km": 60,
}
SHOWN = ("road_to_port_km", "labour_catchment_pop", "unemployment_pct", "supplier_distance_km")


@st.cache_resource(max_entries=8, show_spinner=False)
def load_surface(region: str, resolution_km: int, catchment_km: int) -> surface.Surface:
    """Grid and criteria of a region, built once per server process (read-only)."""
    bar = st.progress(
        0.0, text=f"Building the {resolution_km} km grid of {surface.REGIONS[region]}"
    )
    try:
        return surface.build_surface(
            region,
            resolution_km,
            catchment_km=catchment_km,
            progress=lambda f, text: bar.progress(min(f, 1.0), text=text),
        )
    finally:
        bar.empty()


def shown_sites(
    work: pipeline.WorkingSet, cat: Catalog, state, keep: list[str]
) -> tuple[pd.DataFrame, str]:
    """Candidate sites to draw as dots, and a sentence when not all of them are drawn.

    All sites of a normal list; for a large upload, one dot per site would cost seconds per
    run, so the ranking's leaders plus the selection and the located areas.
    """
    try:
        result = decision.evaluate(work.table, work.attributes, cat.criteria, state).result
    except ValueError:  # no ranking (every site filtered out): the first (shipped) sites
        head = work.sites.head(limits.MAX_ANALYSIS_SITES)
        return head, f"Dots: {len(head)} of {len(work.sites):,} candidate sites."
    focus = limits.focus_sites(result, [*state.selected, *keep])
    if len(focus) == len(work.sites):
        return work.sites, ""
    sentence = limits.focus_sentence(len(result), focus, what="The layer of candidate sites")
    return work.sites[work.sites["site_id"].isin(focus)], sentence


def add_candidate(site: pd.DataFrame) -> None:
    """Append a located area to this session's own sites, once, and rerun the whole page
    (the frame's notice and the working set count it; a fragment rerun would not).
    """
    if site["site_id"].iloc[0] not in session.user_site_ids():
        session.add_user_sites(site)
    st.rerun(scope="app")


def located_labels() -> list[str]:
    """Names of the located areas among the user's sites (their ids stay in downloads)."""
    sites = session.user_sites()
    if sites is None:
        return []
    located = sites[sites["site_id"].astype(str).str.startswith("located_")]
    return [str(n) for n in located["name"]]


def located_columns(surf: surface.Surface) -> dict[str, object]:
    """Labels and one number format per unit for the located-areas table (ids stay in the
    CSV): the area's name, not its id; criteria by label, with their unit.
    """
    number, text = st.column_config.NumberColumn, st.column_config.TextColumn
    crit = surf.criteria
    return {
        "rank": number("#", format="%d"),
        "area": text("Area"),
        "region": text("State / region"),
        "score": number("Score", format="%.3f"),
        "distance_to_town_km": number("To the town (km)", format="localized"),
        **{
            f"{c} [{crit.at[c, 'unit']}]": number(
                f"{crit.at[c, 'label']} ({crit.at[c, 'unit']})",
                format=widgets.number_format(str(crit.at[c, "unit"])),
            )
            for c in SHOWN
        },
        "strengths": text("Why here"),
    }


ctx = frame.open_page("Suitability")
cat, state, work = ctx.cat, ctx.state, ctx.work
for key, value in DEFAULTS.items():  # this page's own widgets
    st.session_state.setdefault(key, value)
method_label = sidebar.METHOD_LABELS[state.method]

st.title("Suitability surface")
sidebar.show_url_warnings()


@st.fragment
def surface_section() -> None:
    """Region, cell size, areas and all they drive: the only part of the page they change,
    so moving them reruns this part alone (the sidebar and the frame stay as they are).
    """
    left, mid, right, far = st.columns([3, 2, 1, 1])
    left.radio("Region", list(surface.REGIONS), format_func=surface.REGIONS.get, key="sfc_region")
    mid.select_slider("Cell size (km)", options=list(surface.RESOLUTIONS_KM), key="sfc_res_km")
    right.number_input("Areas", 1, 20, step=1, key="sfc_k")
    far.number_input("Spacing (km)", 5, 500, step=5, key="sfc_spacing_km")
    with st.expander("Surface settings"):
        st.slider(
            "Share of 'distance to existing vehicle plant' (surface only), %",
            0.0,
            50.0,
            step=5.0,
            key="sfc_supplier_pct",
            help="The app's weights share the rest. 0 % scores exactly with the app's criteria.",
        )
        st.selectbox("Labour catchment radius (km)", [30, 45, 60, 90], key="sfc_catchment_km")

    region, res_km = st.session_state["sfc_region"], st.session_state["sfc_res_km"]
    surf = load_surface(region, res_km, st.session_state["sfc_catchment_km"])
    try:
        weights, dropped = surface.surface_weights(
            decision.effective_weights(cat.criteria, state),
            surf.columns,
            supplier_share=st.session_state["sfc_supplier_pct"] / 100,
        )
        keep, filter_notes = surface.cell_filter(surf, state.filters)
        scores = surface.score_surface(surf, weights, state.method, keep=keep)
        areas = surface.locate(
            surf,
            scores,
            k=int(st.session_state["sfc_k"]),
            spacing_km=float(st.session_state["sfc_spacing_km"]),
            weights=weights,
        )
    except ValueError as exc:
        st.error(f"No surface: {md(exc)}")
        return

    st.markdown(surface.describe(surf, areas, method_label))  # md-safe: GeoNames towns, labels
    scored = int(np.isfinite(scores).sum())
    unweighted = [str(cat.criteria["label"].get(c, c)) for c in dropped]
    st.caption(  # md-safe: numbers, the method label, criterion labels and the filters' notes
        f"{scored:,} of {len(scores):,} cells of {res_km} km scored ({method_label}); scores "
        "are relative to this region's cells, not to the candidate ranking. Filters: "
        + ("; ".join(filter_notes) or "none")
        + ". Criteria without a weight on the surface: "
        + (", ".join(unweighted) or "none")
        + "."
    )
    if areas.attrs["tied_best_cells"] > 1:
        st.warning(
            f"{areas.attrs['tied_best_cells']:,} cells share the best score: the weights only "
            "use criteria that are equal across large areas, so the areas shown are a few of "
            "many."
        )

    located_ids = [s for s in session.user_site_ids() if s.startswith("located_")]
    dots, dots_note = shown_sites(work, cat, state, located_ids)
    vmin, vmax = float(np.nanmin(scores)), float(np.nanmax(scores))
    cmap = maps.colour_scale(vmin, vmax)
    # The basemap, outlines and layer control are the region's: rendered once (issue 16).
    static = static_map(
        "surface_map", f"region:{region}", lambda: mapping.render_static(surf.parts, cat.outlines)
    )
    m = mapping.surface_map(
        static,
        [
            surface.overlay_layer(surf.grid, scores, vmin, vmax),
            surface.located_layer(areas, dots, surf, scores, cmap),
        ],
        vmin=cmap.vmin,
        vmax=cmap.vmax,
        legend_title=f"Suitability ({method_label})",
    )
    # Nothing comes back from the map: pan and zoom never rerun the script.
    st_folium(m, key="surface_map", height=560, use_container_width=True, returned_objects=[])
    if dots_note:
        st.caption(md(dots_note, max_chars=400))

    st.subheader("Located areas")
    records = areas.to_dict("records")
    units = surf.criteria["unit"]
    table = tables.round_for_display(
        areas[["rank", "nearest_town", "region", "score", "distance_to_town_km", *SHOWN]],
        surf.criteria,
    ).assign(distance_to_town_km=areas["distance_to_town_km"].astype(float).round(0))
    st.dataframe(
        table.rename(columns={c: f"{c} [{units[c]}]" for c in SHOWN}).assign(
            area=[surface.area_label(a) for a in records],
            strengths=areas["strengths"],
        ),
        hide_index=True,
        column_order=["rank", "area", "region", "score", "distance_to_town_km"]
        + [f"{c} [{units[c]}]" for c in SHOWN]
        + ["strengths"],
        column_config=located_columns(surf),
        key="sfc_located",
    )
    for i, (col, area) in enumerate(zip(st.columns(len(areas)), records, strict=True)):
        if col.button(
            f"Add #{area['rank']}: {md(area['nearest_town'], max_chars=40)}",
            key=f"sfc_add_{area['rank']}",
            help=f"Adds the {surface.area_label(area).lower()} to your sites on every page.",
        ):
            add_candidate(surface.located_site(areas.iloc[i], surf, method=state.method))
    labels = located_labels()
    if labels:
        st.info("Located areas among your candidates: " + "; ".join(md(n) for n in labels))

    stem = f"windrose-surface-{region}-{res_km}km"
    a, b, c = st.columns(3)
    a.download_button(
        "Cells CSV (lon, lat, score, criteria)",
        lambda: export.to_csv(surface.cells_frame(surf, scores)),
        f"{stem}-cells.csv",
        "text/csv",
        on_click="ignore",
        key="sfc_dl_cells",
    )
    b.download_button(
        "Located areas CSV",
        export.to_csv(areas.drop(columns=["cell"])),
        f"{stem}-located.csv",
        "text/csv",
        on_click="ignore",
        key="sfc_dl_located_csv",
    )
    c.download_button(
        "Located areas GeoJSON",
        lambda: surface.located_geojson(areas),  # built when downloaded
        f"{stem}-located.geojson",
        "application/geo+json",
        on_click="ignore",
        key="sfc_dl_located_geojson",
    )

    # built only while open: two tables the browser would otherwise lay out on every run
    with st.expander(
        "Weights, missing values and sources on the surface",
        key="sfc_sources_panel",
        on_change="rerun",
    ) as panel:
        if panel.open:
            better = {"benefit": "higher is better", "cost": "lower is better"}
            st.dataframe(
                surf.criteria[["label", "unit", "direction"]].assign(
                    direction=surf.criteria["direction"].map(better),
                    weight_pct=(weights * 100).round(1),
                    imputed_cells=surf.imputed,
                ),
                hide_index=True,
                column_config={
                    "label": "Criterion",
                    "unit": "Unit",
                    "direction": "Direction",
                    "weight_pct": st.column_config.NumberColumn("Weight (%)", format="%.1f"),
                    "imputed_cells": st.column_config.NumberColumn(
                        "Cells scored as the worst", format="localized"
                    ),
                },
                key="sfc_weights",
            )
            st.caption(
                "Missing values (an indicator NOT FOUND for a state or country) count as the worst "
                "observed value of the criterion, as on the candidate table."
            )
            st.dataframe(
                surf.provenance.assign(
                    criterion=surf.provenance["criterion"].map(surf.criteria["label"])
                ),
                hide_index=True,
                column_config={"part_id": "Part", "criterion": "Criterion"},
                key="sfc_sources",
            )


surface_section()
