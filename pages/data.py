"""Sites & data page: every value with its source, edits as assumptions, adding and uploading."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from pages import common
from windrose_sites import comparison, maps, uploads

cat = common.load_catalog()
state = common.app_state()
work = common.working_set(cat)
crit = cat.criteria
st.title("Sites & data")
st.caption(
    "Every criterion value with its unit, source, year and kind. Edit a value to make it your "
    "assumption: it flows into every page at once and is marked 'user assumption'."
)

# --- provenance ---------------------------------------------------------------------------
with st.expander("Provenance of every number (source, year, kind)", expanded=False):
    prov = work.provenance.assign(
        site=lambda d: d["site_id"].map(work.attributes["name"]),
        criterion_label=lambda d: d["criterion"].map(crit["label"]),
    )
    st.dataframe(
        prov[["site", "criterion_label", "value", "unit", "source", "year", "kind", "note"]],
        hide_index=True,
        column_config={"source": st.column_config.TextColumn(width="large")},
        key="provenance_table",
    )
    st.dataframe(cat.facts, hide_index=True, key="facts_table")

# --- editable values ----------------------------------------------------------------------
st.subheader("Criterion values")
labels = {c: f"{crit.at[c, 'label']} [{crit.at[c, 'unit']}]" for c in crit.index}
shown = work.table.rename(columns=labels)
shown.insert(0, "site", work.attributes["name"])
edited = st.data_editor(
    shown,
    disabled=["site"],
    key="values_editor",
    column_config={"site": st.column_config.TextColumn(pinned=True)},
)
previous = work.table
new_values = edited.drop(columns=["site"]).rename(columns={v: k for k, v in labels.items()})
clean, problems = uploads.parse_edits(new_values, crit, previous=previous)
for p in problems:
    st.warning(f"Edit ignored: {p.message}", icon="⚠️")
changed = comparison.true_cells((clean != previous) & ~(clean.isna() & previous.isna()))
if changed:
    edits = st.session_state.setdefault("edits", {})
    for site_id, cid in changed:
        value = clean.at[site_id, cid]
        edits.setdefault(site_id, {})[cid] = None if pd.isna(value) else float(value)
    st.rerun()
n_edits = sum(len(v) for v in st.session_state.get("edits", {}).values())
if n_edits:
    st.info(f"{n_edits} value(s) are your assumptions (kind 'user assumption' in the provenance).")

# --- add sites ----------------------------------------------------------------------------
st.subheader("Add candidate sites")
tab_form, tab_map, tab_upload = st.tabs(["By coordinates", "By clicking the map", "Upload"])


def _add(result: uploads.UploadResult, what: str) -> None:
    """Keep the good rows, report every problem; the sites already loaded stay as they were."""
    for p in result.problems[:50]:
        show = st.error if p.level == "error" else st.warning
        show(f"{what}: {p}", icon="⚠️")
    if len(result.problems) > 50:
        st.warning(f"{what}: {len(result.problems) - 50:,} more problems not shown.")
    if result.ok:
        st.session_state.setdefault("user_sites", []).append(result.sites)
        st.success(f"Added {len(result.sites):,} site(s) from {what}.")
    else:
        st.error(f"Nothing added from {what}; your existing sites are unchanged.")


def _existing() -> dict[str, list[str]]:
    """Names and ids already in use, so an added site cannot clash with them."""
    return {
        "existing_names": list(work.attributes["name"]),
        "existing_ids": list(work.table.index),
    }


def _add_point(name: str, lat: float | None, lon: float | None, what: str) -> None:
    """One typed or clicked site, through the same validating parser as uploads."""
    row = pd.DataFrame({"name": [name], "lat": [lat], "lon": [lon]}).to_csv(index=False).encode()
    _add(uploads.parse_sites(row, what, **_existing()), what)


with tab_form, st.form("add_site_form", clear_on_submit=True):
    name = st.text_input("Name", key="add_name")
    c1, c2 = st.columns(2)
    lat = c1.number_input("Latitude (°N)", -90.0, 90.0, value=None, format="%.5f", key="add_lat")
    lon = c2.number_input("Longitude (°E)", -180.0, 180.0, value=None, format="%.5f", key="add_lon")
    if st.form_submit_button("Add site"):
        _add_point(name, lat, lon, "form")

with tab_map:
    st.caption("Click on the map to put a pin; then name it and add it.")
    m = maps.build_map((-125.0, 25.0, 15.0, 60.0), cat.outlines, [], view=(42.0, -55.0, 2))
    event = st_folium(
        m, key="add_map", height=380, width="stretch", returned_objects=["last_clicked"]
    )
    clicked = (event or {}).get("last_clicked")
    if clicked:
        lng = (clicked["lng"] + 180) % 360 - 180  # Leaflet runs past ±180 after panning
        st.write(f"Clicked at {clicked['lat']:.5f} °N, {lng:.5f} °E")
        pin_name = st.text_input("Name of the clicked site", key="add_map_name")
        if st.button("Add the clicked site", key="add_map_button"):
            _add_point(pin_name, clicked["lat"], lng, "map")

with tab_upload:
    st.caption(
        f"CSV with columns name, lat, lon (optional: criterion ids such as "
        f"{', '.join(crit.index[:3])}, …) or a GeoJSON FeatureCollection of points/polygons with "
        f"a name property. Up to {uploads.MAX_UPLOAD_BYTES // 2**20} MB and "
        f"{uploads.MAX_ROWS:,} rows. Bad rows are reported and skipped; good rows are added."
    )
    file = st.file_uploader("Sites file", type=["csv", "geojson", "json"], key="sites_upload")
    if file is not None and st.session_state.get("_last_upload") != file.file_id:
        st.session_state["_last_upload"] = file.file_id
        _add(uploads.parse_sites(file.getvalue(), file.name, **_existing()), file.name)

extra = common.user_sites()
if extra is not None:
    st.markdown(f"**Your sites: {len(extra):,}**")
    st.dataframe(
        pd.DataFrame(extra.drop(columns="geometry")).head(1000),
        hide_index=True,
        key="user_sites_table",
    )
    points = extra.geometry.representative_point()
    st.caption(
        f"Extent: {np.min(points.x):.2f}…{np.max(points.x):.2f} °E, "
        f"{np.min(points.y):.2f}…{np.max(points.y):.2f} °N"
    )

if st.button("Reset to the shipped data", key="reset_data", type="secondary"):
    for key in ("user_sites", "edits", "_last_upload", "values_editor"):
        st.session_state.pop(key, None)
    st.rerun()
