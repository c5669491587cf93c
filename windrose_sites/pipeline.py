"""The path every page takes, as plain functions: link → state → working set → ranking → files.

A shared link's query string (``w_logistics=80&method=topsis``) is a complete, portable
description of a decision: :func:`parse_state` reads it exactly as the app's sidebar does on
the first run of a session, :func:`working_set` adds the user's sites and edits, :func:`rank`
scores, and :func:`comparison_csv` gives the bytes of the "Download comparison CSV" button.
The pages call these functions, the CLI (``python -m windrose_sites rank``) calls them, and a
script or notebook can too:

>>> from windrose_sites import pipeline
>>> d = pipeline.run("w_logistics=80&method=topsis")
>>> d.state.method, d.state.group_weights["logistics"], list(d.ranking.result.columns)
('topsis', 80.0, ['score', 'rank'])
>>> top = d.ranking.result.sort_values("rank").head()  # best five: site_id, score, rank

No Streamlit here: the UI layer caches :func:`load_inputs` and memoizes :func:`user_criteria`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from urllib import parse

import geopandas as gpd
import pandas as pd

from windrose_sites import assumptions, catalog, export
from windrose_sites import state as wstate
from windrose_sites.errors import NoRankingError
from windrose_sites.ranking import Ranking, apply_filters, criteria_with_directions, evaluate

__all__ = [
    "EMBED_KEYS",
    "QUERY_MAX_CHARS",
    "QUERY_MAX_FIELDS",
    "Decision",
    "Inputs",
    "WorkingSet",
    "combine_user_sites",
    "comparison_csv",
    "comparison_frame",
    "comparison_json",
    "countries",
    "criteria_for",
    "default_state",
    "groups",
    "load_inputs",
    "parse_params",
    "parse_query",
    "parse_state",
    "query_string",
    "rank",
    "run",
    "sidebar_state",
    "supplied_values",
    "user_criteria",
    "working_set",
]

#: Streamlit 1.67 ignores a whole query string longer than this (``sanitize_query_string``).
QUERY_MAX_CHARS = 512 * 1024
#: ... or with more ``&``-separated fields than this.
QUERY_MAX_FIELDS = 1000
#: Query keys Streamlit keeps for itself (compared in lower case); a page never sees them.
EMBED_KEYS = ("embed", "embed_options")

_URL = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*://|/)")


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class Inputs:
    """The shipped data one ranking needs (read-only: copy before changing anything)."""

    sites: gpd.GeoDataFrame  # all sites, candidates and reference places
    criteria: pd.DataFrame  # criteria.csv, indexed by criterion id
    ports: pd.DataFrame
    outlines: gpd.GeoDataFrame
    facts: pd.DataFrame
    computed: catalog.SiteCriteria  # criteria of the shipped candidates


def load_inputs() -> Inputs:
    """Load the shipped catalog and compute the candidates' criteria (a few seconds).

    The UI wraps this in ``st.cache_resource``; the core stays decorator-free.
    """
    sites = catalog.load_sites()
    return Inputs(
        sites=sites,
        criteria=catalog.load_criteria(),
        ports=catalog.load_ports(),
        outlines=catalog.load_outlines(),
        facts=catalog.load_site_facts(),
        computed=catalog.compute_criteria(
            sites[sites["role"] == "candidate"].reset_index(drop=True)
        ),
    )


def groups(inputs: Inputs) -> list[str]:
    """Criterion groups present in the catalog, in :data:`catalog.GROUPS` order."""
    present = set(inputs.criteria["group"])
    return [g for g in catalog.GROUPS if g in present]


def default_state(inputs: Inputs) -> wstate.AppState:
    """The state of a link without parameters: equal group weights, catalog criterion weights."""
    return wstate.default_state(groups(inputs), inputs.criteria["default_weight"].to_dict())


def countries(inputs: Inputs) -> list[str]:
    """Country codes of the shipped candidates, sorted: the choices of the country filter."""
    return sorted(inputs.computed.attributes["country"].unique())


# --------------------------------------------------------------------------- state


def parse_query(query: str) -> dict[str, list[str]]:
    """Query parameters as Streamlit gives them to a page: ``{key: [value, ...]}``.

    ``query`` is a query string (a leading ``?`` is allowed; a ``#fragment`` is cut off, as a
    browser does) or a whole link such as ``http://host/compare?w_jobs=80``. Like Streamlit
    1.67: ``+`` and ``%xx`` are decoded (invalid UTF-8 becomes U+FFFD), blank values are kept,
    ``embed``/``embed_options`` are dropped, and a string over :data:`QUERY_MAX_CHARS`
    characters or :data:`QUERY_MAX_FIELDS` fields is ignored as a whole.

    Examples
    --------
    >>> parse_query("?w_jobs=80&country=BE,FR&embed=true")
    {'w_jobs': ['80'], 'country': ['BE,FR']}
    >>> parse_query("https://example.org/compare?method=topsis#top")
    {'method': ['topsis']}
    """
    text = str(query)
    if _URL.match(text):
        text = parse.urlsplit(text).query
    else:
        text = text.removeprefix("?").split("#", 1)[0]
    if not text or len(text) > QUERY_MAX_CHARS or text.count("&") + 1 > QUERY_MAX_FIELDS:
        return {}
    params = parse.parse_qs(text, keep_blank_values=True)
    return {k: v for k, v in params.items() if k.lower() not in EMBED_KEYS}


def sidebar_state(state: wstate.AppState) -> wstate.AppState:
    """``state`` as the sidebar returns it after its widgets were set to it.

    The only change: a maximum port distance of 0 km is the widget's "no limit" (None).
    """
    if state.filters.max_port_km is not None and not state.filters.max_port_km:
        return replace(state, filters=replace(state.filters, max_port_km=None))
    return state


def parse_params(params: Mapping[str, object], inputs: Inputs) -> tuple[wstate.AppState, list[str]]:
    """The sidebar's state for these query parameters, and the warnings the app shows.

    ``params`` maps keys to a string or a list of strings (``st.query_params.get_all``).
    Unknown site ids (``sel``) and country codes are checked against the shipped candidates,
    as on the first run of a session. Never raises on user input.
    """
    state, warnings = wstate.parse_query_params(
        params,
        default_state(inputs),
        site_ids=inputs.computed.table.index,
        countries=countries(inputs),
    )
    return sidebar_state(state), warnings


def parse_state(query: str, inputs: Inputs) -> tuple[wstate.AppState, list[str]]:
    """The state a shared link describes and the app's warnings about it (see :func:`parse_query`).

    The app shows each warning as ``"Link parameter: " + warning``. Never raises on user input.
    """
    return parse_params(parse_query(query), inputs)


def query_string(state: wstate.AppState, inputs: Inputs) -> str:
    """The query string the app writes for ``state``: only what differs from the default.

    Round-trips: ``parse_state(query_string(s, inputs), inputs)[0] == s`` for a sidebar state.
    """
    params = wstate.to_query_params(state, default_state(inputs))
    return parse.urlencode(params, doseq=True)


# --------------------------------------------------------------------------- working set


@dataclass(frozen=True)
class WorkingSet:
    """The candidate sites a session ranks: shipped ones plus the user's, with edits."""

    sites: gpd.GeoDataFrame
    table: pd.DataFrame
    provenance: pd.DataFrame
    attributes: pd.DataFrame
    #: Values derived from this working set alone (digests, map views), filled on first use
    #: by whoever needs them: a working set is never changed after it is built.
    memo: dict[str, object] = field(default_factory=dict, compare=False, repr=False)


def combine_user_sites(frames: Iterable[gpd.GeoDataFrame]) -> gpd.GeoDataFrame | None:
    """The user's site batches (typed in, clicked, uploaded, located) as one frame, or None."""
    frames = list(frames)
    if not frames:
        return None
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs="EPSG:4326")


def _site_columns(inputs: Inputs, user_sites: gpd.GeoDataFrame) -> list[str]:
    """Columns of the shipped site table that the user's sites have too."""
    return [c for c in inputs.sites.columns if c in user_sites.columns]


def user_criteria(inputs: Inputs, user_sites: gpd.GeoDataFrame) -> catalog.SiteCriteria:
    """Computed criteria of the user's sites (sea routes: seconds; the UI memoizes it)."""
    return catalog.compute_criteria(user_sites[_site_columns(inputs, user_sites)])


def supplied_values(
    user_sites: gpd.GeoDataFrame, criteria: Iterable[str]
) -> dict[str, dict[str, float]]:
    """Criterion values given in an upload's own columns: ``{site_id: {criterion: value}}``.

    They override the computed values (blank cells do not).
    """
    cols = [c for c in criteria if c in user_sites.columns]
    if not cols:
        return {}
    values = user_sites.set_index("site_id")[cols]
    return {
        sid: {c: float(v) for c, v in row.items() if pd.notna(v)}
        for sid, row in values.iterrows()
        if row.notna().any()
    }


def working_set(
    inputs: Inputs,
    user_sites: gpd.GeoDataFrame | Iterable[gpd.GeoDataFrame] | None = None,
    edits: Mapping[str, Mapping[str, float | None]] | None = None,
    *,
    computed_user_criteria: catalog.SiteCriteria | None = None,
    cost_overrides: Mapping[str, object] | None = None,
) -> WorkingSet:
    """Shipped candidates + the user's sites (with their uploaded values), then the edits.

    Parameters
    ----------
    inputs : Inputs
        From :func:`load_inputs`.
    user_sites : GeoDataFrame or list of GeoDataFrame, optional
        The user's sites in EPSG:4326 with ``site_id`` (as :func:`uploads.parse_sites` gives
        them); criterion-id columns are values the user supplied.
    edits : mapping, optional
        ``{site_id: {criterion: value or None}}``; unknown sites or criteria are ignored.
    computed_user_criteria : SiteCriteria, optional
        :func:`user_criteria` of ``user_sites`` if the caller has it memoized; computed here
        otherwise.
    cost_overrides : mapping, optional
        The session's cost assumptions and tariff scenario
        (:func:`windrose_sites.cost.criterion.effective_overrides`): the landed cost per truck
        is recomputed with them, as it is for sites whose cost inputs were edited.
    """
    shipped = inputs.sites[inputs.sites["role"] == "candidate"]
    if user_sites is not None and not isinstance(user_sites, gpd.GeoDataFrame):
        user_sites = combine_user_sites(user_sites)
    sites, computed = shipped, inputs.computed
    if user_sites is not None:
        cols = _site_columns(inputs, user_sites)
        extra = computed_user_criteria
        if extra is None:
            extra = user_criteria(inputs, user_sites)
        computed = assumptions.merge(computed, extra)
        supplied = supplied_values(user_sites, inputs.criteria.index)
        computed = assumptions.apply_edits(computed, supplied, source="user upload")
        sites = gpd.GeoDataFrame(
            pd.concat([shipped, user_sites[cols]], ignore_index=True), crs="EPSG:4326"
        )
    computed = assumptions.apply_edits(computed, edits or {})
    from windrose_sites.cost import criterion as cost_criterion  # the cost model needs the catalog

    computed = cost_criterion.refresh(computed, sites, cost_overrides or None)
    return WorkingSet(
        sites=sites,
        table=computed.table,
        provenance=computed.provenance,
        attributes=computed.attributes,
    )


# --------------------------------------------------------------------------- ranking


def criteria_for(state: wstate.AppState, criteria: pd.DataFrame) -> pd.DataFrame:
    """``criteria`` with the state's direction flips applied (a copy if anything changes).

    The same as :func:`windrose_sites.ranking.criteria_with_directions`, with the arguments in
    the pipeline's order: flips of criteria not in ``criteria`` are ignored; a direction not in
    :data:`state.DIRECTIONS` raises :class:`~windrose_sites.errors.WindroseError`.

    Examples
    --------
    >>> crit = pd.DataFrame({"direction": ["benefit", "cost"]}, index=["jobs", "rent"])
    >>> s = wstate.AppState({}, {}, directions={"rent": "benefit"})
    >>> criteria_for(s, crit)["direction"].tolist()
    ['benefit', 'benefit']
    """
    return criteria_with_directions(criteria, state)


def rank(work: WorkingSet, inputs: Inputs, state: wstate.AppState) -> Ranking:
    """Filter, weight and score the working set as every page does.

    Raises
    ------
    NoRankingError
        When every site is filtered out or no weight is positive; the message says which
        (the app shows it as ``"No ranking: " + message``), ``exc.removed`` why each site
        was filtered out.
    """
    # flipped (and checked) before scoring, so a bad direction is the caller's WindroseError,
    # not "no ranking"; evaluate then finds nothing left to flip
    criteria = criteria_with_directions(inputs.criteria, state)
    try:
        return evaluate(work.table, work.attributes, criteria, state)
    except NoRankingError:
        raise
    except ValueError as exc:  # ranking/scoring describe a state without a ranking this way
        reasons = apply_filters(work.attributes, state.filters)
        raise NoRankingError(str(exc), removed=reasons[reasons != ""]) from exc


def comparison_frame(ranking: Ranking, work: WorkingSet, inputs: Inputs) -> pd.DataFrame:
    """The comparison table of exactly this ranking: one row per ranked site, best first."""
    return export.comparison_frame(
        ranking.result, work.table, inputs.criteria, work.provenance, work.attributes["name"]
    )


def comparison_csv(ranking: Ranking, work: WorkingSet, inputs: Inputs) -> bytes:
    """The bytes of the app's "Download comparison CSV" for this ranking."""
    return export.to_csv(comparison_frame(ranking, work, inputs))


def _plain(value: object) -> object:
    """A JSON-ready scalar: NaN/NaT/None -> None, numpy scalars -> Python numbers."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if pd.api.types.is_scalar(value) and pd.isna(value):
        return None
    item = getattr(value, "item", None)
    return item() if callable(item) else value


def comparison_json(ranking: Ranking, work: WorkingSet, inputs: Inputs) -> bytes:
    """The comparison table as UTF-8 JSON: a list of records (one per row), NaN as null.

    Same rows, columns and numbers as :func:`comparison_csv`. Text is not prefixed with
    ``'`` (the CSV's guard against spreadsheet formulas): JSON is not opened as a sheet.
    """
    frame = comparison_frame(ranking, work, inputs)
    records = [
        {str(col): _plain(v) for col, v in zip(frame.columns, row, strict=True)}
        for row in frame.itertuples(index=False, name=None)
    ]
    return (json.dumps(records, ensure_ascii=False, allow_nan=False, indent=1) + "\n").encode()


# --------------------------------------------------------------------------- one call


@dataclass(frozen=True)
class Decision:
    """One shared link, evaluated: its state, the app's warnings, the sites and the ranking."""

    query: str
    state: wstate.AppState
    warnings: list[str] = field(default_factory=list)
    work: WorkingSet | None = None
    ranking: Ranking | None = None


def run(
    query: str = "",
    inputs: Inputs | None = None,
    *,
    user_sites: gpd.GeoDataFrame | Iterable[gpd.GeoDataFrame] | None = None,
    edits: Mapping[str, Mapping[str, float | None]] | None = None,
) -> Decision:
    """Evaluate a shared link's query string from a script: state, sites, ranking.

    Raises :class:`NoRankingError` when the state leaves nothing to rank; call the steps
    (:func:`parse_state`, :func:`working_set`, :func:`rank`) to keep the warnings then.
    """
    inputs = inputs or load_inputs()
    state, warnings = parse_state(query, inputs)
    work = working_set(inputs, user_sites, edits)
    return Decision(query, state, warnings, work, rank(work, inputs, state))
