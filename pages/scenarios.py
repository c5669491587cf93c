"""Scenarios page: save, load, rename, delete (to a trash), export and import named scenarios."""

from __future__ import annotations

import copy
import re
import time

import pandas as pd
import streamlit as st

from windrose_sites import pipeline, scenarios
from windrose_sites.text import md
from windrose_ui import frame, session, sidebar

ctx = frame.open_page("Scenarios")
cat, state = ctx.cat, ctx.state
st.title("Scenarios")
try:
    store = scenarios.ScenarioStore(rules=scenarios.Rules.of(cat.sites, cat.criteria))
    if not st.session_state.get("_scenario_purged"):
        store.purge_trash()
        st.session_state["_scenario_purged"] = True
except scenarios.ScenarioError as exc:
    st.error(
        f"The saved scenarios cannot be opened: {md(exc)}. Saving and loading are unavailable; "
        "your weights, sites and edits on the other pages are unaffected. Please tell the "
        "operator: the server log has the details."
    )
    st.stop()
st.info(
    "**This list is shared by everyone who uses this server.** Anyone can load, rename or "
    f"delete a scenario; each shows who saved it. Deleted scenarios stay in the trash for "
    f"{scenarios.TRASH_DAYS:d} days and can be restored there.",
    icon="👥",
)
st.caption(
    "A scenario keeps the weights, method, filters, criterion directions, selected sites, your "
    "edited values and your added sites. Saved scenarios survive restarts."
)
owner: str | None = st.session_state.get("scenario_owner")


def _say(level: str, text: str) -> None:
    """Queue a message (Markdown, user text already escaped) for the top of the page."""
    st.session_state.setdefault("scenario_messages", []).append((level, text))


def _rate_limited() -> bool:
    """Whether this session saved too often; says so."""
    times = st.session_state.setdefault("_scenario_save_times", [])
    wait = scenarios.save_wait_s(times, time.time())
    if wait:
        _say(
            "error",
            f"Not saved: at most {scenarios.MAX_SAVES} saves or imports per minute in one "
            f"session. Try again in {wait:.0f} s; nothing was stored.",
        )
    return wait > 0


def _saved() -> None:
    times = st.session_state.setdefault("_scenario_save_times", [])
    now = time.time()
    times[:] = [t for t in times if now - t < scenarios.SAVE_WINDOW_S] + [now]


def _current(name: str) -> scenarios.Scenario:
    extra = session.user_sites()
    return scenarios.Scenario(
        name=name,
        state=state,
        edits=copy.deepcopy(session.edits()),
        uploads_geojson=None if extra is None else extra.to_json(drop_id=True),
        owner=owner,
        cost_overrides=session.cost_choices(),
    )


def _still(sid: int, name: str) -> scenarios.Entry | None:
    """The live scenario ``sid`` if it still has the name this page showed; else say why not."""
    entry = store.entry(sid)
    if entry is None or entry.deleted_at is not None:
        by = f" by {md(entry.deleted_by)}" if entry and entry.deleted_by else ""
        if entry is None:
            _say("warning", f"{md(name)} was deleted{by} in another session; nothing was done.")
        else:
            st.session_state["scenario_trash_chosen"] = sid  # callbacks run before widgets
            _say(
                "warning",
                f"{md(name)} was deleted{by} in another session; nothing was done. "
                "It is selected in the trash below, where you can restore it.",
            )
        return None
    if entry.name != name:
        _say(
            "warning",
            f"{md(name)} was renamed to {md(entry.name)} in another session; nothing was "
            "done. Check that it is the one you mean and try again.",
        )
        return None
    return entry


def _ask(action: str, sid: int, name: str) -> None:
    """Callback of Load, Rename and Delete: act at once, or ask for a confirmation first."""
    st.session_state.pop("scenario_pending", None)
    entry = _still(sid, name)
    if entry is None:
        return
    saved_by = f" (saved by {md(entry.owner)})" if entry.owner else ""
    if action == "load":
        n_sites, n_edits = session.unsaved_work()
        if not (n_sites or n_edits):
            _load(sid, name)
            return
        question = (
            f"Load {md(name)}{saved_by}? It replaces your {n_sites:,} added site(s) and "
            f"{n_edits:,} edited value(s) in this session. Save them as a scenario first to "
            "keep them."
        )
        pending = {"action": "load", "confirm": "Confirm: load and replace"}
    elif action == "rename":
        try:
            new = scenarios.check_name(st.session_state.get("scenario_new_name", ""))
        except scenarios.ScenarioError as exc:
            _say("error", f"Not renamed: {md(exc)}.")
            return
        if not entry.owner or entry.owner == owner:
            _rename(sid, name, new)
            return
        question = f"Rename {md(name)}{saved_by} to {md(new)}? Everyone on this server sees it."
        pending = {"action": "rename", "new": new, "confirm": "Confirm: rename"}
    else:
        question = (
            f"Delete {md(name)}{saved_by}? It is removed for everyone on this server and kept "
            f"in the trash for {scenarios.TRASH_DAYS} days."
        )
        pending = {"action": "delete", "confirm": "Confirm: delete"}
    st.session_state["scenario_pending"] = {**pending, "id": sid, "name": name, "q": question}


def _confirm() -> None:
    """Callback of the confirmation button: do the pending action, if the scenario is unchanged."""
    p = st.session_state.pop("scenario_pending", None)
    if p is None:
        return
    if p["action"] == "overwrite":
        if _still(p["id"], p["name"]) is not None and not _rate_limited():
            _save(p["scenario"], overwrite=True)
    elif _still(p["id"], p["name"]) is None:
        return
    elif p["action"] == "load":
        _load(p["id"], p["name"])
    elif p["action"] == "rename":
        _rename(p["id"], p["name"], p["new"])
    else:
        try:
            store.delete_id(p["id"], by=owner)
        except scenarios.ScenarioError as exc:
            _say("error", f"Not deleted: {md(exc)}.")
            return
        st.session_state.pop("scenario_chosen", None)
        _say(
            "success",
            f"Moved {md(p['name'])} to the trash; restore it below within "
            f"{scenarios.TRASH_DAYS} days.",
        )


def _cancel() -> None:
    p = st.session_state.pop("scenario_pending", None)
    if p:
        _say("info", f"Cancelled: nothing was changed ({md(p['name'])}).")


def _save(scenario: scenarios.Scenario, *, overwrite: bool) -> None:
    try:
        saved = store.save(scenario, overwrite=overwrite)
    except scenarios.ScenarioError as exc:
        _say("error", f"Not saved: {md(exc, max_chars=600)}. Nothing was stored.")
        return
    _saved()
    st.session_state["scenario_chosen"] = saved.id
    st.session_state["_scenario_seen"] = (saved.id, saved.name)
    verb = "Overwrote" if overwrite else "Saved"
    _say("success", f"{verb} {md(saved.name)}; it is selected below.")


def _load(sid: int, name: str) -> None:
    """Check the stored scenario, then put it into the session; on any problem change nothing."""
    try:
        checked = store.checked(sid)
    except scenarios.ScenarioError as exc:
        _say(
            "error",
            f"Not loaded: {md(exc, max_chars=600)}. Your weights, sites and edits are unchanged.",
        )
        return
    sites = checked.sites
    own_ids = [] if sites is None else list(sites["site_id"])
    fitted, warnings = scenarios.fit_state(
        checked.scenario.state,
        pipeline.default_state(cat),
        site_ids=[*cat.computed.table.index, *own_ids],
    )
    sidebar.apply_state(fitted)
    session.replace_user_data(sites, copy.deepcopy(checked.scenario.edits))
    session.set_cost_choices(checked.scenario.cost_overrides or {})
    _say("success", f"Loaded {md(name)}.")
    for w in [*warnings, *checked.warnings]:
        _say("warning", md(w, max_chars=300))


def _rename(sid: int, name: str, new: str) -> None:
    try:
        store.rename_id(sid, new)
    except scenarios.ScenarioError as exc:
        _say("error", f"Not renamed: {md(exc)}.")
        return
    st.session_state["_scenario_seen"] = (sid, new)
    _say("success", f"Renamed {md(name)} to {md(new)}.")


def _restore() -> None:
    sid = st.session_state.get("scenario_trash_chosen")
    if sid is None:
        return
    try:
        entry = store.restore(sid)
    except scenarios.ScenarioError as exc:
        _say("error", f"Not restored: {md(exc)}.")
        return
    st.session_state["scenario_chosen"] = entry.id
    st.session_state["_scenario_seen"] = (entry.id, entry.name)
    _say("success", f"Restored {md(entry.name)}; it is selected above.")


def _import() -> None:
    """Callback of the file uploader: check, store, and select the imported scenario."""
    file = st.session_state.get("scenario_import")
    if file is None or owner is None or _rate_limited():
        return
    try:
        imported = store.import_json(file.getvalue(), owner=owner)
    except scenarios.ScenarioExistsError as exc:
        _say("error", f"Not imported: {md(exc)}. Rename the saved one, or the name in the file.")
        return
    except scenarios.ScenarioError as exc:
        _say("error", f"Not imported: {md(exc, max_chars=600)}. Nothing was stored.")
        return
    _saved()
    st.session_state["scenario_chosen"] = imported.id
    st.session_state["_scenario_seen"] = (imported.id, imported.name)
    _say("success", f"Imported {md(imported.name)}; it is selected above. Press Load to use it.")


def _label(entry: scenarios.Entry) -> str:
    return f"{entry.name} — {entry.owner or 'unknown'}, {entry.saved_at:%Y-%m-%d %H:%M} UTC"


# --- who saves ----------------------------------------------------------------------------
if owner is None:
    with st.form("owner_form"):
        st.markdown(
            "**Your name** is shown next to what you save, so others know whose scenario it is. "
            "It is asked once per session; it is not a sign-in."
        )
        given = st.text_input("Your name", key="scenario_owner_input", max_chars=60)
        if st.form_submit_button("Use this name"):
            try:
                st.session_state["scenario_owner"] = scenarios.check_owner(given)
                st.rerun()
            except scenarios.ScenarioError as exc:
                st.error(md(exc))
else:
    st.caption(f"You save as **{md(owner)}** (asked once per session).")

# --- save ---------------------------------------------------------------------------------
with st.form("save_form"):
    name = st.text_input("Scenario name", key="scenario_name", max_chars=100)
    overwrite = st.checkbox("Overwrite a scenario with the same name", key="scenario_overwrite")
    submitted = st.form_submit_button("Save the current scenario", disabled=owner is None)
if owner is None:
    st.caption("Give your name above to save or import.")
if submitted and owner is not None:
    st.session_state.pop("scenario_pending", None)
    try:
        clean = scenarios.check_name(name)
        taken = next((e for e in store.entries() if e.name == clean), None)
    except scenarios.ScenarioError as exc:
        _say("error", f"Not saved: {md(exc)}.")
    else:
        if taken is not None and not overwrite:
            _say(
                "error",
                f"Not saved: {md(clean)} already exists (saved by {md(taken.owner or 'unknown')}"
                "). Choose another name, or tick *Overwrite*.",
            )
        elif taken is not None:
            st.session_state["scenario_pending"] = {
                "action": "overwrite",
                "id": taken.id,
                "name": clean,
                "scenario": _current(clean),
                "confirm": "Confirm: overwrite",
                "q": f"Overwrite {md(clean)} (saved by {md(taken.owner or 'unknown')}) with "
                "the current scenario? Everyone on this server sees the change.",
            }
        elif not _rate_limited():
            _save(_current(clean), overwrite=False)

for level, text in st.session_state.pop("scenario_messages", []):
    getattr(st, level)(text)

pending = st.session_state.get("scenario_pending")
if pending:
    with st.container(border=True):
        st.warning(pending["q"], icon="❓")  # md-safe: built from md() parts in the callbacks
        c1, c2 = st.columns(2)
        c1.button(pending["confirm"], type="primary", on_click=_confirm, key="scenario_confirm")
        c2.button("Cancel", on_click=_cancel, key="scenario_cancel")

# --- the shared list ----------------------------------------------------------------------
st.subheader("Saved scenarios")
try:
    entries = store.entries()
    trash = store.entries(trash=True)
except scenarios.ScenarioError as exc:
    st.error(f"The saved scenarios cannot be read: {md(exc)}. Try again in a moment.")
    entries, trash = [], []
by_id = {e.id: e for e in entries}
chosen = st.session_state.get("scenario_chosen")
seen = st.session_state.get("_scenario_seen")
if chosen is not None and chosen not in by_id:
    gone = store.entry(chosen)
    shown = md(seen[1]) if seen and seen[0] == chosen else "The scenario you picked"
    by = f" by {md(gone.deleted_by)}" if gone and gone.deleted_by else ""
    st.warning(  # md-safe: shown and by are md() or literal text
        f"{shown} was deleted{by} in another session; it is no longer selected."
    )
    del st.session_state["scenario_chosen"]
elif chosen is not None and seen and seen[0] == chosen and by_id[chosen].name != seen[1]:
    st.info(
        f"{md(seen[1])} was renamed to {md(by_id[chosen].name)} in another session; "
        "it is still the one selected."
    )
if entries:
    st.dataframe(
        pd.DataFrame(
            [(e.name, e.owner, e.saved_at) for e in entries],
            columns=["name", "saved by", "saved at (UTC)"],
        ),
        hide_index=True,
        key="list",
    )
    picked_id = st.selectbox(
        "Scenario", list(by_id), format_func=lambda i: _label(by_id[i]), key="scenario_chosen"
    )
    picked = by_id[picked_id]
    st.session_state["_scenario_seen"] = (picked.id, picked.name)
    args = (picked.id, picked.name)
    c1, c2, c3 = st.columns(3)
    c1.button("Load", on_click=_ask, args=("load", *args), key="scenario_load")
    try:
        c2.download_button(
            "Export as JSON",
            scenarios.scenario_to_json(store.load_id(picked.id)),
            re.sub(r"[^\w\-]+", "_", picked.name)[:60] + ".json",
            "application/json",
            on_click="ignore",
            key="scenario_export",
        )
    except scenarios.ScenarioError as exc:
        c2.error(f"Cannot export: {md(exc)}")
    c3.button("Delete", on_click=_ask, args=("delete", *args), key="scenario_delete")
    st.text_input("Rename to", key="scenario_new_name", max_chars=100)
    st.button("Rename", on_click=_ask, args=("rename", *args), key="scenario_rename")
else:
    st.info("No saved scenarios yet.")

with st.expander(
    f"Trash ({len(trash)}): deleted scenarios, kept {scenarios.TRASH_DAYS} days",
    key="scenario_trash",  # a stable identity: the count in the label changes, the open state stays
):
    if trash:
        trash_by_id = {e.id: e for e in trash}
        st.selectbox(
            "Deleted scenario",
            list(trash_by_id),
            format_func=lambda i: (
                f"{trash_by_id[i].name} — deleted by {trash_by_id[i].deleted_by or 'unknown'}, "
                f"{trash_by_id[i].deleted_at:%Y-%m-%d %H:%M} UTC"
            ),
            key="scenario_trash_chosen",
        )
        st.button("Restore", on_click=_restore, key="scenario_restore")
    else:
        st.caption("The trash is empty.")

# --- import -------------------------------------------------------------------------------
st.subheader("Import")
st.file_uploader(
    "Scenario JSON",
    type=["json"],
    key="scenario_import",
    on_change=_import,
    disabled=owner is None,
    help="Checked before it is stored: added sites and edits that the pages cannot use are "
    "refused with the reason.",
)
