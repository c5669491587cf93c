"""Small renderers shared by pages: the ranking (or why there is none), score bars, facts,
the site maps and the downloads.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable, Iterable
from typing import TypeVar

import altair as alt
import folium
import numpy as np
import pandas as pd
import shapely
import streamlit as st

from windrose_sites import decision, export, map_paint, map_views, pipeline
from windrose_sites import state as wstate
from windrose_sites.errors import NoRankingError
from windrose_sites.text import md
from windrose_ui import cached, folium_frame
from windrose_ui.cached import Catalog

__all__ = [
    "EAGER_DOWNLOAD_MAX_SITES",
    "KEY_CRITERIA",
    "board_pack_buttons",
    "comparison_csv",
    "current_ranking",
    "data_key",
    "deferred",
    "key_facts",
    "memo",
    "number_format",
    "removed_reasons",
    "score_column",
    "site_map",
    "sites_geojson",
    "value_columns",
    "vega_chart",
    "view_spec",
]

#: Criteria shown first in map tooltips.
KEY_CRITERIA = ("sea_distance_nm", "road_to_port_km", "labour_catchment_pop", "unemployment_pct")
#: Up to this many ranked sites the download files are built in every run. Above it (large
#: uploads) they are built on click, which saves seconds per rerun; Streamlit 1.67 may then
#: lose the file when other sessions rerun at the same moment (HTTP 404, seen in the load test).
EAGER_DOWNLOAD_MAX_SITES = 2_000
_T = TypeVar("_T")


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


def _frame_digest(frame: pd.DataFrame) -> bytes:
    """The content of a frame (index, column names, values) as a digest."""
    plain = frame.copy(deep=False)
    plain.attrs = {}  # a ranking's attrs hold frames: not part of its rows
    digest = hashlib.sha256("\x1f".join(map(str, frame.columns)).encode())
    try:
        digest.update(pd.util.hash_pandas_object(plain, index=True).to_numpy().tobytes())
    except TypeError:  # unhashable cells (lists, dicts): their text
        for part in (frame.index, frame.to_numpy(dtype=object).ravel()):
            digest.update("\x1f".join(map(str, part)).encode() + b"\x1e")
    return digest.digest()


def _geometry_digest(geometry: object) -> bytes:
    """The coordinates and shape of every geometry, as a digest (vectorised: 10,000 in ms)."""
    geoms = np.asarray(geometry)
    digest = hashlib.sha256(shapely.get_coordinates(geoms).tobytes())
    digest.update(shapely.get_type_id(geoms).tobytes())
    digest.update(shapely.get_num_coordinates(geoms).tobytes())
    return digest.digest()


def memo(work: pipeline.WorkingSet, key: object, compute: Callable[[], _T]) -> _T:
    """``compute()`` once per working set (its :attr:`~pipeline.WorkingSet.memo`): a new
    working set comes with every change of the data, so nothing kept here goes stale.
    """
    if key not in work.memo:
        work.memo[key] = compute()
    return work.memo[key]  # type: ignore[return-value]


def data_key(work: pipeline.WorkingSet) -> str:
    """The content of a working set (values, attributes, provenance, geometry), as text.

    With the state's query string it names a ranking's inputs: the key of its downloads.
    Computed once per working set.
    """

    def digest() -> str:
        parts = [
            _frame_digest(work.table),
            _frame_digest(work.attributes),
            _frame_digest(work.provenance),
            _geometry_digest(work.sites.geometry),
            _frame_digest(pd.DataFrame(work.sites.drop(columns="geometry"))),
        ]
        return hashlib.sha256(b"".join(parts)).hexdigest()

    return memo(work, "data_key", digest)


def view_spec(view: str, work: pipeline.WorkingSet, cat: Catalog) -> map_views.ViewSpec:
    """:func:`windrose_sites.map_views.view_spec` of the working set, once per working set."""
    return memo(
        work,
        ("view_spec", view, id(cat)),
        lambda: map_views.view_spec(view, work.sites, cat.ports, work.attributes),
    )


def deferred(
    kind: str, build: Callable[[], bytes], ranking: decision.Ranking, work: pipeline.WorkingSet
) -> bytes | Callable[[], bytes]:
    """Bytes now for a normal ranking; a callable (built on click) for a very large one.

    Both come from :func:`windrose_ui.cached.download_bytes`, keyed on what the file is made
    of: the ranking (scores, ranks, notes) and the working set's content. A rerun that
    changes neither (a map view, a selection, a page change) costs a lookup; one that changes
    either builds the file anew, so the bytes are never stale.
    """

    def cached_build() -> bytes:
        ranked = _frame_digest(ranking.result).hex()
        return cached.download_bytes(kind, ranked, data_key(work), build)

    return cached_build() if len(ranking.result) <= EAGER_DOWNLOAD_MAX_SITES else cached_build


def comparison_csv(
    ranking: decision.Ranking, work: pipeline.WorkingSet, cat: Catalog
) -> bytes | Callable[[], bytes]:
    """The comparison CSV of exactly this ranking (the same bytes as the CLI's ``rank``)."""
    return deferred(
        "comparison.csv", lambda: pipeline.comparison_csv(ranking, work, cat), ranking, work
    )


def key_facts(cat: Catalog, work: pipeline.WorkingSet) -> pd.DataFrame:
    """Announced figures per candidate site: fact label, value with its unit, year, kind and
    source (the ids stay in ``data/site_facts.csv``; :func:`windrose_sites.tables.key_facts_table`).
    """
    from windrose_sites import tables

    def build() -> pd.DataFrame:
        facts = cat.facts[cat.facts["site_id"].isin(work.attributes.index)]
        return tables.key_facts_table(facts, work.attributes["name"])

    return memo(work, ("key_facts", id(cat)), build)


def score_column(result: pd.DataFrame) -> st.column_config.ProgressColumn:
    """Score bars over the method's range (0-1, or -1-1 for PROMETHEE II net flows)."""
    return st.column_config.ProgressColumn(
        "score",
        format="%.3f",
        min_value=float(min(0.0, result["score"].min())),
        max_value=float(max(1.0, result["score"].max())),
    )


def sites_geojson(
    work: pipeline.WorkingSet, ranking: decision.Ranking
) -> bytes | Callable[[], bytes]:
    """The ranked sites as GeoJSON (deferred for very large rankings)."""
    return deferred(
        "sites.geojson", lambda: export.sites_geojson(work.sites, ranking.result), ranking, work
    )


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


def vega_chart(
    where,
    key: str,
    build: Callable[..., alt.TopLevelMixin],
    args: tuple = (),
    **datasets: pd.DataFrame,
) -> None:
    """Draw the Altair chart ``build(*args)``, built on named data (``alt.NamedData(name)``,
    one frame per name in ``datasets``).

    ``build`` must depend on ``args`` only (hashable values: titles, a scale's length): its
    spec is made once per ``args`` and server process (:func:`cached.chart_spec`), without
    schema validation (the charts are the app's own). The frames go to Streamlit as they are
    (sent as Arrow), so a rerun neither builds the chart nor encodes its data as JSON:
    together most of a chart's cost in ``st.altair_chart``. Streamlit completes the spec in
    place, so each draw gets its own copy.
    """
    spec = copy.deepcopy(cached.chart_spec(key, args, build))
    spec["datasets"] = datasets
    where.vega_lite_chart(spec, width="stretch", key=key)


def board_pack_buttons(cat: Catalog, state: wstate.AppState, work: pipeline.WorkingSet) -> None:
    """'Download decision memo (PDF)' and 'Download Excel model': the same documents as
    ``python -m windrose_sites report`` / ``workbook`` for this page's link (plus the
    session's own sites and edits). Built on click: a memo takes a few seconds.
    """
    from windrose_sites import report, workbook
    from windrose_ui import session

    query = pipeline.query_string(state, cat)
    edits = session.edits()

    def once(kind: str, build: Callable[[], bytes]) -> Callable[[], bytes]:
        # built on the first click, then kept for these inputs (the edits are in the key too)
        return lambda: cached.download_bytes(kind, query, data_key(work) + repr(edits), build)

    c1, c2 = st.columns(2)
    c1.download_button(
        "Download decision memo (PDF)",
        once("memo.pdf", lambda: report.memo_pdf(query, cat, work=work, edits=edits)),
        "windrose-decision-memo.pdf",
        "application/pdf",
        on_click="ignore",
        key="dl_memo",
    )
    c2.download_button(
        "Download Excel model",
        once("model.xlsx", lambda: workbook.workbook_xlsx(query, cat, work=work, edits=edits)),
        "windrose-model.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore",
        key="dl_workbook",
    )


def _map_data_key(spec: map_views.ViewSpec, work: pipeline.WorkingSet) -> str:
    """The content a map view's static part is built from: its sites (ids, names, statuses,
    geometry, card values), ports, lines and bounds. Scores are not in it.
    """
    sites = spec.sites
    ids = sites["site_id"].astype(str)
    cards = work.table.reindex(ids)[[c for c in KEY_CRITERIA if c in work.table.columns]]
    parts = [
        _frame_digest(pd.DataFrame(sites[["site_id", "name", "status"]])),
        _geometry_digest(sites.geometry),
        _frame_digest(cards),
        _frame_digest(spec.ports),
        repr((spec.lines.to_dict("list"), spec.bounds, spec.lines_name)).encode(),
    ]
    return hashlib.sha256(b"".join(parts)).hexdigest()


def site_map(
    key: str,
    spec: map_views.ViewSpec,
    work: pipeline.WorkingSet,
    cat: Catalog,
    result: pd.DataFrame | None,
    *,
    layers: Callable[[], Iterable[folium.GeoJson]] = tuple,
    legend_title: str = "Score",
    height: int = 560,
    returned_objects: Iterable[str] = (),
) -> dict | None:
    """Draw a map view of the sites coloured by ``result`` (grey where it has no score).

    The static part (outlines, ``layers()``, the sites and their cards) is rendered once per
    data (:func:`windrose_ui.cached.static_map`); a rerun sends only the paint (colours,
    scores, ranks, labels: :mod:`windrose_sites.map_paint`). Returns ``st_folium``'s value
    (through :mod:`windrose_ui.folium_frame`).
    """
    # once per (working set, view): the memo keeps the spec, so its id is not reused
    known = memo(work, ("map_data_key", id(spec)), lambda: (spec, _map_data_key(spec, work)))
    data = known[1] if known[0] is spec else _map_data_key(spec, work)
    static = cached.static_map(
        key,
        data,
        lambda: map_paint.render_static(
            key,
            spec.bounds,
            cat.outlines,
            sites=spec.sites if len(spec.sites) else None,
            details=work.table,
            criteria=cat.criteria,
            key_criteria=KEY_CRITERIA,
            layers=layers(),
            data_key=data,
        ),
    )
    # st_folium's arguments for this text are prepared once, not on every rerun
    event = folium_frame.show(
        cached.map_frame(key, data, static),
        key=key,
        height=height,
        returned_objects=returned_objects,
    )
    if static.site_ids and result is not None:
        payload = map_paint.paint(static, result, legend_title=legend_title)
        st.html(map_paint.paint_script(key, payload), unsafe_allow_javascript=True)
    return event
