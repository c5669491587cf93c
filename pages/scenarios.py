"""Scenarios page: save, load, rename, delete, export and import named scenarios."""

from __future__ import annotations

import io

import geopandas as gpd
import pandas as pd
import streamlit as st

from pages import common
from windrose_sites import scenarios

cat = common.load_catalog()
state = common.app_state()
st.title("Scenarios")
try:
    store = scenarios.ScenarioStore()
except (scenarios.ScenarioError, OSError) as exc:
    st.error(f"The scenario database cannot be opened: {exc}")
    st.stop()
st.caption(
    "A scenario keeps the weights, method, filters, selected sites, your edited values and "
    f"your added sites. Saved in SQLite at `{store.path}`; they survive restarts."
)


def _current(name: str) -> scenarios.Scenario:
    extra = common.user_sites()
    return scenarios.Scenario(
        name=name,
        state=state,
        edits=st.session_state.get("edits", {}),
        uploads_geojson=None if extra is None else extra.to_json(drop_id=True),
    )


def _load(scenario: scenarios.Scenario) -> None:
    """Callback: runs before the sidebar is drawn, so the widgets take the loaded values."""
    default = common.default_state(cat)
    fitted, warnings = scenarios.fit_state(
        scenario.state, default, site_ids=list(cat.computed.table.index)
    )
    common.apply_state(fitted)
    st.session_state["edits"] = scenario.edits
    st.session_state.pop("values_editor", None)
    if scenario.uploads_geojson:
        st.session_state["user_sites"] = [gpd.read_file(io.StringIO(scenario.uploads_geojson))]
    else:
        st.session_state.pop("user_sites", None)
    st.session_state["scenario_message"] = (f"Loaded scenario {scenario.name!r}.", warnings)


message = st.session_state.pop("scenario_message", None)
if message:
    st.success(message[0])
    for w in message[1]:
        st.warning(w, icon="⚠️")

with st.form("save_form"):
    name = st.text_input("Scenario name", key="scenario_name", max_chars=100)
    overwrite = st.checkbox("Overwrite a scenario with the same name", key="scenario_overwrite")
    if st.form_submit_button("Save the current scenario"):
        try:
            saved = store.save(_current(name), overwrite=overwrite)
            st.success(f"Saved {saved.name!r}.")
        except scenarios.ScenarioError as exc:
            st.error(str(exc))

try:
    listing = store.list()
except scenarios.ScenarioError as exc:
    st.error(f"The scenario database cannot be read: {exc}")
    listing = []
if listing:
    st.dataframe(
        pd.DataFrame(listing, columns=["name", "saved at (UTC)"]), hide_index=True, key="list"
    )
    chosen = st.selectbox("Scenario", [n for n, _ in listing], key="scenario_chosen")
    c1, c2, c3 = st.columns(3)
    try:
        picked = store.load(chosen)
        c1.button("Load", on_click=_load, args=(picked,), key="scenario_load")
        c2.download_button(
            "Export as JSON",
            scenarios.scenario_to_json(picked),
            f"{chosen}.json",
            "application/json",
            on_click="ignore",
            key="scenario_export",
        )
        if c3.button("Delete", key="scenario_delete"):
            store.delete(chosen)
            st.rerun()
        new_name = st.text_input("Rename to", key="scenario_new_name", max_chars=100)
        if st.button("Rename", key="scenario_rename") and new_name:
            store.rename(chosen, new_name)
            st.rerun()
    except scenarios.ScenarioError as exc:
        st.error(str(exc))
else:
    st.info("No saved scenarios yet.")

st.subheader("Import")
file = st.file_uploader("Scenario JSON", type=["json"], key="scenario_import")
if file is not None and st.session_state.get("_last_scenario_import") != file.file_id:
    st.session_state["_last_scenario_import"] = file.file_id
    try:
        imported = store.import_json(file.getvalue())
        st.success(f"Imported {imported.name!r}; load it above.")
    except scenarios.ScenarioError as exc:
        st.error(f"Not imported: {exc}")
