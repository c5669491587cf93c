"""Transitional aliases for pages not yet moved to :mod:`windrose_ui` (removed at the end)."""

from __future__ import annotations

from windrose_sites import export, pipeline
from windrose_sites import state as wstate
from windrose_ui import frame, session, sidebar, widgets
from windrose_ui.cached import Catalog, load_catalog

__all__ = ["Catalog", "load_catalog"]

METHOD_LABELS = sidebar.METHOD_LABELS
KEY_CRITERIA = widgets.KEY_CRITERIA
WorkingSet = pipeline.WorkingSet
groups = sidebar.groups
show_url_warnings = sidebar.show_url_warnings
apply_state = sidebar.apply_state
current_ranking = widgets.current_ranking
removed_reasons = widgets.removed_reasons
score_column = widgets.score_column
deferred = widgets.deferred
select_site = session.select_site
user_sites = session.user_sites
unsaved_work = session.unsaved_work


def default_state(cat: Catalog) -> wstate.AppState:
    return pipeline.default_state(cat)


def app_state() -> wstate.AppState:
    return frame.open_page("Windrose").state


def working_set(cat: Catalog, *, with_edits: bool = True) -> pipeline.WorkingSet:
    return session.working_set(cat, with_edits=with_edits)


def comparison_csv(result, work, cat):
    names = work.attributes["name"]
    return widgets.deferred(
        lambda: export.to_csv(
            export.comparison_frame(result, work.table, cat.criteria, work.provenance, names)
        ),
        len(result),
    )
