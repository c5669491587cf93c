"""From app state to a ranking: hard filters (the funnel), effective weights, scores.

This is the one place where the pages' inputs meet :mod:`windrose_sites.scoring`, so every page
(overview, map, compare, sensitivity, downloads) ranks the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from windrose_sites import scoring
from windrose_sites.state import AppState, Filters

__all__ = ["Ranking", "apply_filters", "effective_weights", "evaluate"]


@dataclass(frozen=True)
class Ranking:
    """The ranking on screen: scores of the kept sites, why others were removed, the weights."""

    result: pd.DataFrame
    removed: pd.Series  # site_id -> reason
    weights: pd.Series  # criterion id -> effective share (sums to 1)


def apply_filters(attributes: pd.DataFrame, filters: Filters) -> pd.Series:
    """Reason each site is filtered out ('' if kept), indexed like ``attributes``.

    ``attributes`` needs ``area_ha``, ``gateway_geodesic_km`` and ``country``. A point site has
    no area (0 ha), so a minimum area removes it; the reason says so.
    """
    reasons = pd.Series("", index=attributes.index, dtype=object)
    if filters.min_area_ha > 0:
        small = attributes["area_ha"].fillna(0) < filters.min_area_ha
        reasons[small] = [
            f"area {a:.1f} ha < minimum {filters.min_area_ha:g} ha"
            if a > 0
            else f"no plot area known (point site) < minimum {filters.min_area_ha:g} ha"
            for a in attributes.loc[small, "area_ha"].fillna(0)
        ]
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


def effective_weights(criteria: pd.DataFrame, state: AppState) -> pd.Series:
    """Criterion weights summing to 1 from the state's group and within-group weights."""
    return scoring.criterion_weights(
        criteria["group"].to_dict(),
        {g: state.group_weights.get(g, 0.0) for g in criteria["group"].unique()},
        {c: state.criterion_weights.get(c, 1.0) for c in criteria.index},
    )


def evaluate(
    table: pd.DataFrame, attributes: pd.DataFrame, criteria: pd.DataFrame, state: AppState
) -> Ranking:
    """Filter, weight and score. Missing values count as the worst observed (and are flagged).

    Raises ``ValueError`` (from :mod:`scoring`) when no weight is positive or no site is left;
    pages show that message instead of a ranking.
    """
    weights = effective_weights(criteria, state)
    reasons = apply_filters(attributes, state.filters)
    kept = reasons.index[reasons == ""]
    if len(kept) == 0:
        msg = "Every site is filtered out; relax the filters to see a ranking."
        raise ValueError(msg)
    used = weights[weights > 0]
    result = scoring.score(
        table.loc[kept, used.index],
        used.to_dict(),
        criteria.loc[used.index, "direction"].to_dict(),
        method=state.method,
        missing="worst",
    )
    return Ranking(result=result, removed=reasons[reasons != ""], weights=weights)
