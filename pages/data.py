"""Sites & data page: every value with its source, edits as assumptions, adding and uploading."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import numpy as np
import pandas as pd
import shapely
import streamlit as st
from streamlit_folium import st_folium

from windrose_sites import comparison, decision, health, map_paint, scoring, tables, uploads
from windrose_sites.text import md
from windrose_ui import frame, session, widgets

#: The add-a-site map: North America and Europe, a fixed view (drawn in a hidden tab).
CLICK_BOUNDS = (-125.0, 25.0, 15.0, 60.0)
CLICK_VIEW = (42.0, -55.0, 2)


@st.cache_resource(max_entries=4, show_spinner=False)
def click_map(outlines_key: str, _outlines) -> map_paint.StaticMap:  # noqa: ARG001 (cache key)
    """The add-a-site map (outlines only), rendered once per outlines (``outlines_key``)."""
    return map_paint.render_static(
        "add_map",
        CLICK_BOUNDS,
        _outlines,
        sites=None,
        details=pd.DataFrame(),
        criteria=pd.DataFrame(),
        view=CLICK_VIEW,
    )


def _digest(frame: pd.DataFrame | None) -> str:
    """The content of a frame (index, columns, values), as text."""
    if frame is None:
        return ""
    digest = hashlib.sha256("\x1f".join(map(str, [*frame.columns, *frame.index])).encode())
    digest.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    return digest.hexdigest()


ctx = frame.open_page("Sites & data")
cat, state, work = ctx.cat, ctx.state, ctx.work
crit = cat.criteria
st.title("Sites & data")
st.caption(
    "Every criterion value with its unit, source, year and kind. Edit a value to make it your "
    "assumption: it flows into every page at once and is marked 'user assumption'."
)


def _fmt(value: float, unit: str) -> str:
    if value is None or pd.isna(value):
        return "missing"
    return tables.format_value(value, unit)


def _edit_log() -> list[tuple[str, str, str]]:
    """(site, criterion, sentence) per edit: 'Antwerp · electricity price: missing → 150 …'."""
    base = session.working_set(cat, with_edits=False).table
    out = []
    for site_id, values in session.edits().items():
        if site_id not in base.index:
            continue
        for cid, value in values.items():
            if cid not in base.columns:
                continue
            unit = str(crit.at[cid, "unit"])
            out.append(
                (
                    site_id,
                    cid,
                    (
                        f"{work.attributes.at[site_id, 'name']} · {crit.at[cid, 'label']}: "
                        f"{_fmt(base.at[site_id, cid], unit)} → {_fmt(value, unit)} "
                        "(your assumption)"
                    ),
                )
            )
    return out


def _undo(site_id: str, cid: str) -> None:
    session.undo_edit(site_id, cid)
    session.flash("data", "Undone: the value is back to the shipped or uploaded one.")


# --- data health --------------------------------------------------------------------------
st.subheader("Data health")
try:
    ranked = decision.evaluate(work.table, work.attributes, crit, state)
except ValueError:
    ranked = None
imputed = None if ranked is None else ranked.result.attrs["imputed"]
st.caption(
    "How many site values of each criterion are official, derived, estimates, missing or your "
    "assumptions; how many come from a wider area standing in for the site's own (fallback); "
    "and how many the current ranking had to impute. " + md(scoring.MISSING_RULE, max_chars=1000)
)
st.dataframe(
    widgets.memo(  # a weight move keeps the imputed cells: the same table
        work,
        ("criterion_health", _digest(imputed)),
        lambda: health.criterion_health(work.provenance, crit, imputed),
    ),
    hide_index=True,  # the criterion ids; the label says it
    key="health_table",
    column_config={"label": st.column_config.TextColumn("criterion", pinned=True)},
)


def ranked_caveats(ranked, imputed: pd.DataFrame | None) -> tuple[pd.DataFrame, pd.Index]:
    """The ranked sites' caveats (:func:`health.site_caveats`), and the ids of the sites that
    have any, kept for the last inputs they depend on: which criteria weigh (in order), the
    ranked sites and the imputed cells. A weight move changes none of them as a rule; at
    10,000 sites building them was about a third of this page's rerun.
    """
    used = tuple(c for c, w in ranked.weights.items() if w > 0)
    index = ranked.result.index
    inputs = (used, _digest(pd.DataFrame(index=index)), _digest(imputed))
    kept = work.memo.get("ranked_caveats")
    if kept is None or kept[0] != inputs:
        caveats = health.site_caveats(
            work.provenance, crit, dict.fromkeys(used, 1.0), index, imputed
        )
        kept = work.memo["ranked_caveats"] = (
            inputs,
            caveats,
            pd.Index(caveats["site_id"].unique()),
        )
    return kept[1], kept[2]


if ranked is not None:
    caveats, with_caveats = ranked_caveats(ranked, imputed)
    order = ranked.result.sort_values("rank").index
    at_risk = order[order.isin(with_caveats)]
    names = work.attributes["name"]
    # one sentence per site shown (the first 20), each from that site's own caveats
    by_site = caveats[caveats["site_id"].isin(at_risk[:20])].groupby("site_id", sort=False)
    shown_names = names.reindex(at_risk[:20]).to_dict()
    lines = [
        x
        for x in (
            health.summary_sentence(by_site.get_group(s), shown_names, s) for s in at_risk[:20]
        )
        if x
    ]
    if lines:
        st.markdown("**In the current ranking:**")
        for x in lines:
            st.markdown("- " + md(x, max_chars=500))
        if len(at_risk) > 20:
            st.caption(f"{len(at_risk) - 20:,} more sites with caveats.")
    else:
        st.success("Every weighted value of every ranked site is the site's own.")

PROVENANCE_ROWS = 5_000


# --- provenance ---------------------------------------------------------------------------
def provenance_panel() -> None:

    def provenance_rows() -> pd.DataFrame:
        prov = work.provenance.head(PROVENANCE_ROWS)
        prov = prov.assign(
            site=prov["site_id"].map(work.attributes["name"]),
            criterion_label=prov["criterion"].map(crit["label"]),
            value=[
                tables.format_value(v, u) for v, u in zip(prov["value"], prov["unit"], strict=True)
            ],
        )
        return prov[["site", "criterion_label", "value", "source", "year", "kind", "note"]]

    # 10,000 sites have 110,000 rows: about 49 MB to the browser on every run of this page
    if len(work.provenance) > PROVENANCE_ROWS:
        st.caption(
            f"The first {PROVENANCE_ROWS:,} of {len(work.provenance):,} rows (shipped sites first)."
        )
    prov = widgets.memo(work, "provenance_rows", provenance_rows)  # once per working set
    st.dataframe(
        prov,
        hide_index=True,
        column_config={
            "criterion_label": st.column_config.TextColumn("criterion"),
            "value": st.column_config.TextColumn(alignment="right"),
            "source": st.column_config.TextColumn(width="large"),
            "year": st.column_config.NumberColumn(format="%d"),
        },
        placeholder=tables.MISSING,
        key="provenance_table",
    )
    st.markdown("**Announced facts per site**")
    st.dataframe(
        tables.key_facts_table(cat.facts, work.attributes["name"]),
        hide_index=True,
        column_config={"source": st.column_config.LinkColumn(width="medium")},
        placeholder=tables.MISSING,
        key="facts_table",
    )


# Built only while open: up to 5,000 rows would otherwise go to the browser on every run.
with st.expander(
    "Provenance of every number (source, year, kind)", key="provenance_panel", on_change="rerun"
) as panel:
    if panel.open:
        provenance_panel()

# --- editable values ----------------------------------------------------------------------
st.subheader("Criterion values")
st.caption(
    "Type your values into the table, then press **Apply edits**: nothing changes before that, "
    "so a value is never taken half-typed. Leave a cell empty for 'unknown'. Site names and ids "
    "are read-only."
)
labels = {c: f"{crit.at[c, 'label']} [{crit.at[c, 'unit']}]" for c in crit.index}
shown_values = tables.round_for_display(work.table, crit)  # as the number columns show them
shown = shown_values.rename(columns=labels)
shown.insert(0, "site", work.attributes["name"])
with st.form("values_form", border=False):
    edited = st.data_editor(
        shown,
        disabled=["site", "_index"],
        hide_index=True,
        num_rows="fixed",
        # a new key whenever the data under the table changes (an undo, a loaded scenario, an
        # upload), so no pending cell edit is replayed onto other data
        key="values_editor_"
        + str(session.editor_generation())
        + "_"
        + str(hash((repr(session.edits()), len(work.table)))),
        column_config={
            "site": st.column_config.TextColumn(pinned=True),
            **widgets.value_columns(crit, labels),
        },
        placeholder=tables.MISSING,
    )
    submitted = st.form_submit_button("Apply edits", type="primary")
if submitted:
    new_values = edited.drop(columns=["site"]).rename(columns={v: k for k, v in labels.items()})
    previous = work.table
    # a cell left as shown keeps its full precision: only typed values become assumptions
    untouched = new_values.eq(shown_values) | (new_values.isna() & shown_values.isna())
    new_values = new_values.where(~untouched, previous)
    clean, problems = uploads.parse_edits(new_values, crit, previous=previous)
    for p in problems:
        st.warning(f"Edit not applied: {md(p.message)}", icon="⚠️")
    changed = comparison.true_cells((clean != previous) & ~(clean.isna() & previous.isna()))
    if changed:
        new_edits: dict[str, dict[str, float | None]] = {}
        for site_id, cid in changed:
            value = clean.at[site_id, cid]
            new_edits.setdefault(site_id, {})[cid] = None if pd.isna(value) else float(value)
        session.set_edits(new_edits)
        session.flash("data", f"Applied {len(changed):,} edit(s).")
        st.rerun()
    elif not problems:
        st.info("No value changed.")

for level, message in session.take_flash("data"):
    getattr(st, level)(message)  # md-safe: flashed messages are escaped when made

log = _edit_log()
if log:
    st.markdown(f"**Your assumptions ({len(log):,})** — each flows into every page; undo any:")
    for i, (site_id, cid, text) in enumerate(log[:200]):
        c1, c2 = st.columns([6, 1])
        c1.markdown(md(text, max_chars=300))
        c2.button("Undo", key=f"undo_{i}", on_click=_undo, args=(site_id, cid))
    if len(log) > 200:
        st.caption(f"{len(log) - 200:,} more assumptions not listed.")

# --- add sites ----------------------------------------------------------------------------
st.subheader("Add candidate sites")
# the map tab is built only while selected (a map frame the browser would otherwise load on
# every visit, hidden); the selected tab is kept in the session
tab_form, tab_map, tab_upload = st.tabs(
    ["By coordinates", "By clicking the map", "Upload"], key="add_site_tab", on_change="rerun"
)


def _add(result: uploads.UploadResult, what: str, added: Callable[[], None] | None = None) -> None:
    """Keep the good rows, report every problem; the sites already loaded stay as they were.
    ``added`` runs when something was added (before the rerun).

    After an addition the page reruns, so the sidebar (drawn first) counts the new sites; the
    messages are shown once after that rerun.
    """
    for p in result.problems[:50]:
        level = "error" if p.level == "error" else "warning"
        session.flash("data", f"{md(what)}: {md(p, max_chars=400)}", level)
    if len(result.problems) > 50:
        session.flash(
            "data", f"{md(what)}: {len(result.problems) - 50:,} more problems not shown.", "warning"
        )
    if result.ok:
        session.add_user_sites(result.sites)
        if added is not None:
            added()
        session.flash("data", f"Added {len(result.sites):,} site(s) from {md(what)}.")
        st.rerun()
    session.flash(
        "data", f"Nothing added from {md(what)}; your existing sites are unchanged.", "error"
    )
    st.rerun()


def _existing() -> dict[str, list[str]]:
    """Names and ids already in use, so an added site cannot clash with them."""
    return {
        "existing_names": list(work.attributes["name"]),
        "existing_ids": list(work.table.index),
    }


def _add_point(
    name: str,
    lat: float | None,
    lon: float | None,
    what: str,
    added: Callable[[], None] | None = None,
) -> None:
    """One typed or clicked site, through the same validating parser as uploads."""
    row = pd.DataFrame({"name": [name], "lat": [lat], "lon": [lon]}).to_csv(index=False).encode()
    _add(uploads.parse_sites(row, what, **_existing()), what, added)


#: The map tab's pin, kept apart from the map's own state: the tab is built only while open,
#: and Streamlit drops the state of a component a run does not draw. ``PIN_SEEN`` is the map's
#: last click as it reported it, so an old click it still reports does not come back as a new
#: pin after the pin was used.
PIN, PIN_SEEN = "add_map_pin", "add_map_seen"


def _new_pin(clicked: dict | None) -> None:
    """A click the map reports for the first time becomes the pin (at -180..180 °E: Leaflet
    runs past ±180 after panning, and a new map frame opens on the first world copy)."""
    if clicked and clicked != st.session_state.get(PIN_SEEN):
        st.session_state[PIN_SEEN] = clicked
        st.session_state[PIN] = {"lat": clicked["lat"], "lng": (clicked["lng"] + 180) % 360 - 180}


def _pin_used() -> None:
    for key in (PIN, "add_map_name"):
        st.session_state.pop(key, None)


with tab_form, st.form("add_site_form", clear_on_submit=True):
    name = st.text_input("Name", key="add_name")
    c1, c2 = st.columns(2)
    lat = c1.number_input("Latitude (°N)", -90.0, 90.0, value=None, format="%.5f", key="add_lat")
    lon = c2.number_input("Longitude (°E)", -180.0, 180.0, value=None, format="%.5f", key="add_lon")
    if st.form_submit_button("Add site"):
        _add_point(name, lat, lon, "form")

with tab_map:
    if tab_map.open:
        st.caption("Click on the map to put a pin; then name it and add it.")
        outlines_key = widgets.memo(
            work,
            ("outlines_key", id(cat)),
            lambda: hashlib.sha256(
                shapely.get_coordinates(np.asarray(cat.outlines.geometry)).tobytes()
            ).hexdigest(),
        )
        # the map's last click: streamlit-folium's change callback puts the value it returns
        # under the map's key before this run, so the pin is known before the map is drawn
        _new_pin((st.session_state.get("add_map") or {}).get("last_clicked"))
        pin = st.session_state.get(PIN)
        st_folium(  # the same small map every rerun: the frame is kept, clicks still come
            map_paint.folium_map(click_map(outlines_key, cat.outlines)),
            key="add_map",
            height=380,
            width="stretch",
            returned_objects=["last_clicked"],
            feature_group_to_add=map_paint.pin_layer(pin["lat"], pin["lng"]) if pin else None,
        )
        if pin:
            st.write(f"Clicked at {pin['lat']:.5f} °N, {pin['lng']:.5f} °E")
            pin_name = st.text_input(
                "Name of the clicked site",
                key="add_map_name",
                persist_state="session",  # kept while its tab is closed
            )
            if st.button("Add the clicked site", key="add_map_button"):
                _add_point(pin_name, pin["lat"], pin["lng"], "map", added=_pin_used)

with tab_upload:
    st.caption(
        f"CSV with columns name, lat, lon (optional: criterion ids such as "
        f"{md(', '.join(crit.index[:3]))}, …) or a GeoJSON FeatureCollection of points/polygons "
        f"with a name property. Up to {uploads.MAX_UPLOAD_BYTES // 2**20:d} MB and "
        f"{uploads.MAX_ROWS:,} rows. Bad rows are reported and skipped; good rows are added."
    )
    file = st.file_uploader("Sites file", type=["csv", "geojson", "json"], key="sites_upload")
    if file is not None and session.last_upload() != file.file_id:
        session.set_last_upload(file.file_id)
        _add(uploads.parse_sites(file.getvalue(), file.name, **_existing()), file.name)

extra = session.user_sites()
if extra is not None:
    st.markdown(f"**Your sites: {len(extra):,}**")
    st.dataframe(
        tables.user_sites_table(pd.DataFrame(extra.drop(columns="geometry")).head(1000), crit),
        hide_index=True,
        column_config={"site": st.column_config.TextColumn(pinned=True)},
        key="user_sites_table",
    )
    points = extra.geometry.representative_point()
    st.caption(
        f"Extent: {np.min(points.x):.2f}…{np.max(points.x):.2f} °E, "
        f"{np.min(points.y):.2f}…{np.max(points.y):.2f} °N"
    )

n_sites, n_edits = session.unsaved_work()
if n_sites or n_edits:
    confirm = st.checkbox(
        f"Yes, discard my {n_sites:,} added site(s) and {n_edits:,} edited value(s)",
        key="reset_confirm",
    )
    if st.button("Reset to the shipped data", key="reset_data", type="secondary"):
        if confirm:
            session.reset_user_data()
            st.session_state.pop("reset_confirm", None)  # this page's own checkbox
            session.flash("data", "Reset: the shipped data is back.")
            st.rerun()
        else:
            st.warning("Tick the box above to confirm: a reset cannot be undone.", icon="⚠️")
