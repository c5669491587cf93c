"""The one owner of ``st.session_state``: every key a page or callback reads or writes.

Pages never touch ``st.session_state`` for the user's data directly; they call these
accessors. Widget keys belong to the widgets (``st.session_state[key]`` is Streamlit's
documented way to set a widget before it is drawn) and are written only by
:mod:`windrose_ui.sidebar` and the page that draws the widget.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import geopandas as gpd
import streamlit as st

from windrose_sites import catalog, pipeline

__all__ = [
    "add_user_sites",
    "bump_editor",
    "cost_choices",
    "editor_generation",
    "edits",
    "last_upload",
    "replace_user_data",
    "reset_user_data",
    "select_site",
    "selected",
    "set_cost_choices",
    "set_edits",
    "set_last_upload",
    "set_selected",
    "take_flash",
    "undo_edit",
    "unsaved_work",
    "user_site_ids",
    "user_sites",
    "working_set",
]

USER_SITES = "user_sites"  # list of GeoDataFrames, one per batch (typed, clicked, uploaded)
EDITS = "edits"  # {site_id: {criterion: value or None}}
SELECTED = "selected"  # up to two site ids for the side-by-side comparison
LAST_UPLOAD = "_last_upload"  # file_id of the last sites file read, so a rerun reads it once
USER_CRITERIA = "_user_criteria"  # (site ids, SiteCriteria): computed once per site list
COST_OVERRIDES = "cost_overrides"  # the Cost page's edited parameters {"param@applies_to": v}
COST_TARIFF = "cost_tariff"  # the Cost page's tariff scenario (its selectbox's key)
EDITOR_GENERATION = "_editor_generation"  # a new number drops the table editor's pending edits
#: Keys that hold the user's own data; a reset or a loaded scenario replaces all of them.
USER_DATA_KEYS = (USER_SITES, EDITS, LAST_UPLOAD, USER_CRITERIA, COST_OVERRIDES)


def user_sites() -> gpd.GeoDataFrame | None:
    """The user's sites (typed in, clicked, uploaded, located) as one GeoDataFrame."""
    return pipeline.combine_user_sites(st.session_state.get(USER_SITES, []))


def user_site_ids() -> list[str]:
    """Ids of the user's sites, in the order they were added."""
    return [str(i) for f in st.session_state.get(USER_SITES, []) for i in f["site_id"]]


def add_user_sites(frame: gpd.GeoDataFrame) -> None:
    """Add a validated batch of sites (from :func:`windrose_sites.uploads.parse_sites`)."""
    st.session_state.setdefault(USER_SITES, []).append(frame)


def edits() -> dict[str, dict[str, float | None]]:
    """The user's edited values: ``{site_id: {criterion: value or None}}`` (a copy)."""
    return {s: dict(v) for s, v in st.session_state.get(EDITS, {}).items()}


def set_edits(changes: Mapping[str, Mapping[str, float | None]]) -> None:
    """Record edited values (``None`` = unknown); the table editor starts afresh."""
    current = st.session_state.setdefault(EDITS, {})
    for site_id, values in changes.items():
        current.setdefault(site_id, {}).update(values)
    bump_editor()


def undo_edit(site_id: str, criterion: str) -> None:
    """Drop one edit: the value is back to the shipped or uploaded one."""
    current = st.session_state.get(EDITS, {})
    current.get(site_id, {}).pop(criterion, None)
    if site_id in current and not current[site_id]:
        current.pop(site_id)
    bump_editor()


def editor_generation() -> int:
    """The current number of the values editor (its key includes it)."""
    return int(st.session_state.get(EDITOR_GENERATION, 0))


def bump_editor() -> None:
    """Start the values editor afresh (its pending cell edits are dropped with its old key)."""
    st.session_state[EDITOR_GENERATION] = editor_generation() + 1


def selected() -> list[str]:
    """The site ids selected for the side-by-side comparison (at most two)."""
    return list(st.session_state.get(SELECTED, []))


def set_selected(site_ids: Iterable[str]) -> None:
    """Select up to two sites (the last two given)."""
    st.session_state[SELECTED] = list(site_ids)[-2:]


def select_site(site_id: str) -> None:
    """Keep the two most recently clicked sites; the link's ``sel`` follows on the same click.

    (The sidebar wrote the URL earlier in this run, before the click was read.)
    """
    set_selected([*(s for s in selected() if s != site_id), site_id])
    st.query_params["sel"] = ",".join(selected())


def last_upload() -> str | None:
    """The file id of the last sites file read."""
    return st.session_state.get(LAST_UPLOAD)


def set_last_upload(file_id: str) -> None:
    """Remember that this sites file was read (a rerun does not read it again)."""
    st.session_state[LAST_UPLOAD] = file_id


def unsaved_work() -> tuple[int, int]:
    """(added sites, edited values) of this session: what a link does not carry."""
    added = sum(len(batch) for batch in st.session_state.get(USER_SITES, []))
    return added, sum(len(v) for v in st.session_state.get(EDITS, {}).values())


def reset_user_data() -> None:
    """Back to the shipped data: no added sites, no edits."""
    for key in USER_DATA_KEYS:
        st.session_state.pop(key, None)
    bump_editor()


def replace_user_data(
    sites: gpd.GeoDataFrame | None, new_edits: Mapping[str, Mapping[str, float | None]]
) -> None:
    """Replace the user's sites and edits at once (a loaded scenario): nothing else is kept."""
    reset_user_data()
    if sites is not None and len(sites):
        st.session_state[USER_SITES] = [sites]
    st.session_state[EDITS] = {s: dict(v) for s, v in new_edits.items()}


def cost_choices() -> dict[str, float | str]:
    """The Cost page's choices as a scenario stores them: its parameters and the tariff."""
    out: dict[str, float | str] = dict(st.session_state.get(COST_OVERRIDES) or {})
    tariff = st.session_state.get(COST_TARIFF)
    if tariff and tariff != "today":
        out["tariff"] = str(tariff)
    return out


def set_cost_choices(choices: Mapping[str, float | str]) -> None:
    """Restore the Cost page's choices from a scenario (call from a callback)."""
    choices = dict(choices)
    st.session_state[COST_TARIFF] = str(choices.pop("tariff", "today"))
    st.session_state[COST_OVERRIDES] = choices


def _user_criteria(cat: pipeline.Inputs, extra: gpd.GeoDataFrame) -> catalog.SiteCriteria:
    """Criteria of the user's sites, computed once per change of the session's site list."""
    key = tuple(extra["site_id"])
    memo = st.session_state.get(USER_CRITERIA)
    if memo is None or memo[0] != key:
        with st.spinner("Computing criteria of your sites…"):
            memo = (key, pipeline.user_criteria(cat, extra))
        st.session_state[USER_CRITERIA] = memo
    return memo[1]


WORKING_SETS = "_working_sets"  # {with_edits: (inputs, WorkingSet)}: rebuilt when one changes


def working_set(cat: pipeline.Inputs, *, with_edits: bool = True) -> pipeline.WorkingSet:
    """Shipped candidates + the user's sites, with the user's edits (unless not).

    Built once per change of its inputs (the catalog, the site batches, the edits, the cost
    choices) and then reused: a slider move does not rebuild it, and what is derived from it
    (:attr:`~windrose_sites.pipeline.WorkingSet.memo`) is computed once too. The batches are
    compared by identity (a batch is never changed once added; the memo holds them, so an id
    is never reused), the edits and cost choices by value.
    """
    from windrose_sites.cost.criterion import effective_overrides

    batches = tuple(st.session_state.get(USER_SITES, []))
    tariff, user_costs = st.session_state.get(COST_TARIFF), st.session_state.get(COST_OVERRIDES)
    current = edits() if with_edits else None
    costs = (tariff, dict(user_costs or {})) if with_edits else None
    memo = st.session_state.setdefault(WORKING_SETS, {})
    known = memo.get(with_edits)
    if known is not None:
        (was_cat, was_batches, was_edits, was_costs), work = known
        if (
            was_cat is cat
            and len(was_batches) == len(batches)
            and all(a is b for a, b in zip(was_batches, batches, strict=True))
            and was_edits == current
            and was_costs == costs
        ):
            return work
    extra = pipeline.combine_user_sites(batches)
    computed = None if extra is None else _user_criteria(cat, extra)
    overrides = effective_overrides(tariff, user_costs) if (tariff or user_costs) else None
    work = pipeline.working_set(
        cat,
        extra,
        current,
        computed_user_criteria=computed,
        cost_overrides=overrides if with_edits else None,
    )
    memo[with_edits] = ((cat, batches, current, costs), work)
    return work


FLASH = "_flash"  # {page: [(level, markdown)]} shown once on the next run of that page


def flash(page: str, message: str, level: str = "success") -> None:
    """A message (already escaped Markdown) the page shows once, on its next run."""
    st.session_state.setdefault(FLASH, {}).setdefault(page, []).append((level, message))


def take_flash(page: str) -> list[tuple[str, str]]:
    """The page's pending messages, removed: ``[(level, markdown), ...]``."""
    return st.session_state.get(FLASH, {}).pop(page, [])
