"""From app state to a ranking: hard filters (the funnel), effective weights, scores.

This is the one place where the pages' inputs meet :mod:`windrose_sites.scoring`, so every page
(overview, map, compare, sensitivity, downloads) ranks the same way. (Formerly
``windrose_sites.decision``, which still re-exports these names.)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from windrose_sites import catalog, scoring, weights
from windrose_sites.errors import WindroseError
from windrose_sites.state import DIRECTIONS, AppState, Filters

__all__ = [
    "AREA_FACTS",
    "REMOTE_REASON",
    "NoSiteLeftError",
    "Ranking",
    "apply_filters",
    "criteria_with_directions",
    "effective_weights",
    "evaluate",
    "plot_areas",
]

#: Announced plot areas in ``site_facts.csv``, most specific first: used where a site's
#: geometry is a point (no area can be measured).
AREA_FACTS = ("site_area_ha", "concession_area_ha")
#: Why a site with no town of 15,000+ people within the labour-catchment radius is left out.
REMOTE_REASON = (
    "no town of 15,000+ people within {radius:g} km (in the sea, a desert or the poles?); "
    "tick 'Keep remote sites' in the filters to rank it"
)


class NoSiteLeftError(WindroseError):
    """Every site is filtered out; ``removed`` says why for each one."""

    def __init__(self, message: str, removed: pd.Series) -> None:
        super().__init__(message)
        self.removed = removed


@dataclass(frozen=True)
class Ranking:
    """The ranking on screen: scores of the kept sites, why others were removed, the weights."""

    result: pd.DataFrame
    removed: pd.Series  # site_id -> reason
    weights: pd.Series  # criterion id -> effective share (sums to 1)
    #: site_id -> what the user should know about a kept site ("area unknown"), "" if nothing
    notes: pd.Series | None = None


@lru_cache(maxsize=1)
def _announced_areas() -> pd.Series:
    facts = catalog.load_site_facts()
    rows = facts[facts["fact"].isin(AREA_FACTS)].copy()
    rows["order"] = rows["fact"].map({f: i for i, f in enumerate(AREA_FACTS)})
    rows["value"] = pd.to_numeric(rows["value"], errors="coerce")
    rows = rows.dropna(subset=["value"]).sort_values("order")
    return rows.drop_duplicates("site_id").set_index("site_id")["value"].astype(float)


def plot_areas(attributes: pd.DataFrame) -> pd.DataFrame:
    """Plot area per site and where it comes from, for the area filter.

    A polygon's geodesic area (``area_ha`` > 0) comes first; a point site takes its announced
    area from ``site_facts.csv`` (:data:`AREA_FACTS`); otherwise the area is unknown (NaN).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``attributes``, columns ``area_ha`` and ``basis`` (``"geometry"``,
        ``"announced"`` or ``"unknown"``).
    """
    measured = pd.to_numeric(attributes["area_ha"], errors="coerce")
    measured = measured.where(measured > 0)
    announced = _announced_areas().reindex(attributes.index)
    area = measured.fillna(announced)
    basis = pd.Series("unknown", index=attributes.index, dtype=object)
    basis[announced.notna()] = "announced"
    basis[measured.notna()] = "geometry"
    return pd.DataFrame({"area_ha": area, "basis": basis})


def apply_filters(attributes: pd.DataFrame, filters: Filters) -> pd.Series:
    """Reason each site is filtered out ('' if kept), indexed like ``attributes``.

    ``attributes`` needs ``area_ha``, ``gateway_geodesic_km`` and ``country``; with
    ``labour_catchment_pop`` a remote site (no town within the catchment radius) is left out
    unless ``filters.keep_remote``. The minimum area compares the measured polygon area, or
    the announced area of a point site (:func:`plot_areas`); a site with no known area is kept
    (and marked "area unknown" by :func:`evaluate`) unless ``filters.keep_unknown_area`` is
    false.
    """
    reasons = pd.Series("", index=attributes.index, dtype=object)
    if "labour_catchment_pop" in attributes and not filters.keep_remote:
        remote = pd.to_numeric(attributes["labour_catchment_pop"], errors="coerce") <= 0
        reasons[remote] = REMOTE_REASON.format(radius=catalog.CATCHMENT_RADIUS_KM)
    if filters.min_area_ha > 0:
        areas = plot_areas(attributes)
        known = areas["area_ha"].notna()
        small = known & (areas["area_ha"] < filters.min_area_ha) & (reasons == "")
        reasons[small] = [
            f"plot area {a:,.1f} ha ({b}) < minimum {filters.min_area_ha:g} ha"
            for a, b in zip(areas.loc[small, "area_ha"], areas.loc[small, "basis"], strict=True)
        ]
        if not filters.keep_unknown_area:
            unknown = ~known & (reasons == "")
            reasons[unknown] = (
                f"plot area unknown (point site, no announced area); minimum "
                f"{filters.min_area_ha:g} ha set to drop unknown areas"
            )
    if filters.max_port_km is not None:
        far = (attributes["gateway_geodesic_km"] > filters.max_port_km) & (reasons == "")
        reasons[far] = [
            f"{d:.0f} km to gateway port > maximum {filters.max_port_km:g} km"
            for d in attributes.loc[far, "gateway_geodesic_km"]
        ]
    if filters.countries:
        other = ~attributes["country"].isin(filters.countries) & (reasons == "")
        reasons[other] = [
            f"country {c} not in {', '.join(filters.countries)}"
            for c in attributes.loc[other, "country"]
        ]
    return reasons


def criteria_with_directions(criteria: pd.DataFrame, state: AppState) -> pd.DataFrame:
    """``criteria`` with the state's direction flips applied (a copy if anything changes).

    The one place the user's directions (``state.directions``) meet the criteria table:
    :func:`evaluate` and :func:`windrose_sites.pipeline.criteria_for` call it. Flips of
    criteria not in ``criteria`` are ignored; a direction not in :data:`state.DIRECTIONS`
    raises :class:`~windrose_sites.errors.WindroseError`.

    Examples
    --------
    >>> crit = pd.DataFrame({"direction": ["benefit", "cost"]}, index=["jobs", "rent"])
    >>> s = AppState({}, {}, directions={"rent": "benefit"})
    >>> criteria_with_directions(crit, s)["direction"].tolist()
    ['benefit', 'benefit']
    >>> criteria_with_directions(crit, AppState({}, {})) is crit
    True
    """
    flips = {c: d for c, d in state.directions.items() if c in criteria.index}
    bad = {c: d for c, d in flips.items() if d not in DIRECTIONS}
    if bad:
        msg = f"unknown direction(s) {bad}; allowed are {', '.join(DIRECTIONS)}"
        raise WindroseError(msg)
    changed = {c: d for c, d in flips.items() if criteria.at[c, "direction"] != d}
    if not changed:
        return criteria
    out = criteria.copy()
    out.loc[list(changed), "direction"] = list(changed.values())
    return out


def effective_weights(criteria: pd.DataFrame, state: AppState) -> pd.Series:
    """Criterion weights summing to 1 from the state's group and within-group weights."""
    return weights.criterion_weights(
        criteria["group"].to_dict(),
        {g: state.group_weights.get(g, 0.0) for g in criteria["group"].unique()},
        {c: state.criterion_weights.get(c, 1.0) for c in criteria.index},
    )


def evaluate(
    table: pd.DataFrame, attributes: pd.DataFrame, criteria: pd.DataFrame, state: AppState
) -> Ranking:
    """Filter, weight and score. Missing values count as worse than any known value (flagged).

    The criteria's directions are those of ``criteria`` with the state's flips applied.
    Raises :class:`NoSiteLeftError` (a ``ValueError`` carrying the reason per site) when every
    site is filtered out, and ``ValueError`` (from :mod:`scoring`) when no weight is positive;
    pages show that message instead of a ranking.
    """
    criteria = criteria_with_directions(criteria, state)
    weights = effective_weights(criteria, state)
    if "labour_catchment_pop" in table:  # the value in use (the user may have edited it)
        attributes = attributes.assign(
            labour_catchment_pop=table["labour_catchment_pop"].reindex(attributes.index)
        )
    reasons = apply_filters(attributes, state.filters)
    kept = reasons.index[reasons == ""]
    if len(kept) == 0:
        msg = "Every site is filtered out; relax the filters to see a ranking."
        raise NoSiteLeftError(msg, reasons)
    used = weights[weights > 0]
    result = scoring.score(
        table.loc[kept, used.index],
        used.to_dict(),
        criteria.loc[used.index, "direction"].to_dict(),
        method=state.method,
        missing="worst",
    )
    notes = pd.Series("", index=kept, dtype=object)
    if state.filters.min_area_ha > 0:
        unknown = plot_areas(attributes.loc[kept])["basis"] == "unknown"
        notes[unknown] = "area unknown"
    return Ranking(result=result, removed=reasons[reasons != ""], weights=weights, notes=notes)
