"""Small renderers shared by pages: the ranking (or why there is none), score bars, facts."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from windrose_sites import decision, export, pipeline
from windrose_sites import state as wstate
from windrose_sites.errors import NoRankingError
from windrose_sites.text import md
from windrose_ui.cached import Catalog

__all__ = [
    "EAGER_DOWNLOAD_MAX_SITES",
    "KEY_CRITERIA",
    "board_pack_buttons",
    "comparison_csv",
    "current_ranking",
    "deferred",
    "drawn_sites",
    "key_facts",
    "number_format",
    "removed_reasons",
    "score_column",
    "sites_geojson",
    "value_columns",
]

#: Criteria shown first in map tooltips.
KEY_CRITERIA = ("sea_distance_nm", "road_to_port_km", "labour_catchment_pop", "unemployment_pct")
#: Up to this many ranked sites the download files are built in every run. Above it (large
#: uploads) they are built on click, which saves seconds per rerun; Streamlit 1.67 may then
#: lose the file when other sessions rerun at the same moment (HTTP 404, seen in the load test).
EAGER_DOWNLOAD_MAX_SITES = 2_000


def removed_reasons(removed: pd.Series, names: pd.Series, limit: int = 50) -> None:
    """Why each site was filtered out, as a list of lines (then a table if there are many)."""
    lines = [
        f"- **{md(names.get(s, s))}**: {md(reason, max_chars=300)}"
        for s, reason in list(removed.items())[:limit]
    ]
    st.markdown(  # md-safe: every part is escaped with md()
        f"**Removed by the filters ({len(removed):,}):**\n" + "\n".join(lines)
    )
    if len(removed) > limit:
        st.dataframe(removed.rename("removed because").to_frame().join(names), key="removed_table")


def current_ranking(
    work: pipeline.WorkingSet, cat: Catalog, state: wstate.AppState
) -> decision.Ranking | None:
    """Rank the current sites with the current state; shows the reason if there is none."""
    names = work.attributes["name"]
    try:
        ranking = pipeline.rank(work, cat, state)
    except NoRankingError as exc:
        st.error(f"No ranking: {md(exc)}", icon="🚫")
        removed = getattr(exc, "removed", None)
        if isinstance(removed, pd.Series) and len(removed):
            removed_reasons(removed, names)
        return None
    if len(ranking.result) == 1 and len(ranking.removed):
        only = names.get(ranking.result.index[0])
        st.warning(
            f"Only one site remains after the filters ({md(only)}): its score compares it with "
            f"nothing. {len(ranking.removed):,} site(s) were removed; the reasons are below.",
            icon="⚠️",
        )
        removed_reasons(ranking.removed, names)
    return ranking


def deferred(build: Callable[[], bytes], n_sites: int) -> bytes | Callable[[], bytes]:
    """Bytes now for a normal ranking; a callable (built on click) for a very large one."""
    return build() if n_sites <= EAGER_DOWNLOAD_MAX_SITES else build


def comparison_csv(
    ranking: decision.Ranking, work: pipeline.WorkingSet, cat: Catalog
) -> bytes | Callable[[], bytes]:
    """The comparison CSV of exactly this ranking (the same bytes as the CLI's ``rank``)."""
    return deferred(lambda: pipeline.comparison_csv(ranking, work, cat), len(ranking.result))


def key_facts(cat: Catalog, work: pipeline.WorkingSet) -> pd.DataFrame:
    """Announced figures per candidate site: fact label, value with its unit, year, kind and
    source (the ids stay in ``data/site_facts.csv``; :func:`windrose_sites.tables.key_facts_table`).
    """
    from windrose_sites import tables

    facts = cat.facts[cat.facts["site_id"].isin(work.attributes.index)]
    return tables.key_facts_table(facts, work.attributes["name"])


def score_column(result: pd.DataFrame) -> st.column_config.ProgressColumn:
    """Score bars over the method's range (0-1, or -1-1 for PROMETHEE II net flows)."""
    return st.column_config.ProgressColumn(
        "score",
        format="%.3f",
        min_value=float(min(0.0, result["score"].min())),
        max_value=float(max(1.0, result["score"].max())),
    )


def sites_geojson(work: pipeline.WorkingSet, ranking: decision.Ranking):
    """The ranked sites as GeoJSON (deferred for very large rankings)."""
    return deferred(lambda: export.sites_geojson(work.sites, ranking.result), len(ranking.result))


#: Display format per unit: distances and counts as integers with thousands separators.
_INTEGER_UNITS = {"nm", "km", "people", "vehicles/yr", "gCO2eq/kWh", "EUR/truck", "EUR"}


def number_format(unit: str) -> str:
    """The on-screen number format for a unit (printf style or a Streamlit preset)."""
    if unit in _INTEGER_UNITS:
        return "localized"
    if unit in {"%", "EUR/h", "EUR/MWh"}:
        return "%.1f"
    if unit == "M TEU/yr":
        return "%.2f"
    return "%.4g"


def value_columns(criteria: pd.DataFrame, labels: dict[str, str]) -> dict[str, object]:
    """column_config for a table of criterion values: one number format per unit, "—" blank."""
    return {
        labels[c]: st.column_config.NumberColumn(
            labels[c],
            format=number_format(str(criteria.at[c, "unit"])),
            step=1.0 if str(criteria.at[c, "unit"]) in _INTEGER_UNITS else None,
        )
        for c in criteria.index
        if c in labels
    }


def board_pack_buttons(cat: Catalog, state: wstate.AppState, work: pipeline.WorkingSet) -> None:
    """'Download decision memo (PDF)' and 'Download Excel model': the same documents as
    ``python -m windrose_sites report`` / ``workbook`` for this page's link (plus the
    session's own sites and edits). Built on click: a memo takes a few seconds.
    """
    from windrose_sites import report, workbook
    from windrose_ui import session

    query = pipeline.query_string(state, cat)
    edits = session.edits()
    c1, c2 = st.columns(2)
    c1.download_button(
        "Download decision memo (PDF)",
        lambda: report.memo_pdf(query, cat, work=work, edits=edits),
        "windrose-decision-memo.pdf",
        "application/pdf",
        on_click="ignore",
        key="dl_memo",
    )
    c2.download_button(
        "Download Excel model",
        lambda: workbook.workbook_xlsx(query, cat, work=work, edits=edits),
        "windrose-model.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore",
        key="dl_workbook",
    )


def drawn_sites(sites: pd.DataFrame, result: pd.DataFrame) -> pd.DataFrame:
    """The sites a map view draws: its leaders plus the selection (all of a normal list).

    One map feature per site costs seconds per rerun at 10,000 sites, so a view draws
    :data:`windrose_sites.limits.MAX_ANALYSIS_SITES` of them at most, plus the selection.
    """
    from windrose_sites import limits
    from windrose_ui import session

    ranked = result[result.index.isin(sites["site_id"])]
    if not len(ranked):  # only unranked sites in the view: they are drawn grey
        return sites.head(limits.MAX_ANALYSIS_SITES)
    return sites[sites["site_id"].isin(limits.focus_sites(ranked, session.selected()))]
