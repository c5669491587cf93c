"""Shareable app state: weights, method, filters and selected sites, to and from URL params.

Parsing never raises on user input: every value that is not understood is dropped with a
warning that says what was ignored and what is allowed, and the default stays in place.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from windrose_sites.vocab import (
    DIRECTIONS,
    MAX_AREA_HA,
    MAX_PORT_KM,
    MAX_WEIGHT,
    METHODS,
    Method,
    criterion_key,
    direction_key,
    group_key,
)

__all__ = [
    "DIRECTIONS",
    "MAX_PARAM_CHARS",
    "MAX_WEIGHT",
    "METHODS",
    "AppState",
    "Filters",
    "default_state",
    "group_key",
    "parse_query_params",
    "to_query_params",
    "whole_percentages",
]

#: Longer URL values are ignored, not parsed.
MAX_PARAM_CHARS = 200


@dataclass(frozen=True)
class Filters:
    """Hard filters applied before scoring (the site-selection funnel)."""

    min_area_ha: float = 0.0
    max_port_km: float | None = None
    countries: tuple[str, ...] = ()  # empty: all countries
    #: with a minimum area, keep sites whose area is unknown (marked "area unknown")
    keep_unknown_area: bool = True
    #: rank sites with no town of 15,000+ people within the catchment radius (sea, desert)
    keep_remote: bool = False


@dataclass(frozen=True)
class AppState:
    """Everything that defines the ranking on screen, and nothing else."""

    group_weights: dict[str, float]
    criterion_weights: dict[str, float]
    method: Method = "wsm"
    filters: Filters = field(default_factory=Filters)
    selected: tuple[str, ...] = ()
    #: The user's flips of a criterion's direction: criterion id -> "benefit" or "cost".
    #: Only criteria whose direction differs from ``criteria.csv`` are listed.
    directions: dict[str, str] = field(default_factory=dict)


def whole_percentages(shares: Mapping[str, float]) -> dict[str, float]:
    """Shares (summing to 1) as whole percentages that sum to exactly 100.

    Largest-remainder rounding, so AHP weights land on the sliders' whole-number grid and the
    slider, its label and the URL show the same number.

    Examples
    --------
    >>> whole_percentages({"a": 0.333, "b": 0.333, "c": 0.334})
    {'a': 33.0, 'b': 33.0, 'c': 34.0}
    """
    raw = {k: 100.0 * v for k, v in shares.items()}
    floors = {k: math.floor(v) for k, v in raw.items()}
    left = 100 - sum(floors.values())
    for k in sorted(raw, key=lambda k: raw[k] - floors[k], reverse=True)[: max(left, 0)]:
        floors[k] += 1
    return {k: float(v) for k, v in floors.items()}


def default_state(groups: Iterable[str], default_weights: Mapping[str, float]) -> AppState:
    """Equal group weights, and each criterion's ``default_weight`` inside its group."""
    return AppState(
        group_weights=dict.fromkeys(groups, 50.0),
        criterion_weights={c: float(w) for c, w in default_weights.items()},
    )


def _number(raw: str, name: str, lo: float, hi: float, warnings: list[str]) -> float | None:
    try:
        value = float(raw)
    except ValueError:
        warnings.append(f"Ignored {name}={raw[:40]!r}: not a number.")
        return None
    if not math.isfinite(value) or not lo <= value <= hi:
        warnings.append(f"Ignored {name}={raw[:40]!r}: allowed is a number from {lo:g} to {hi:g}.")
        return None
    return value


def _single(params: Mapping[str, object], name: str, warnings: list[str]) -> str | None:
    raw = params.get(name)
    if raw is None:
        return None
    if isinstance(raw, (list, tuple)):
        if len(raw) != 1:
            warnings.append(f"Ignored {name}: the key appears {len(raw)} times; give it once.")
            return None
        raw = raw[0]
    raw = str(raw)
    if len(raw) > MAX_PARAM_CHARS:
        warnings.append(
            f"Ignored {name}: value of {len(raw):,} characters (max {MAX_PARAM_CHARS})."
        )
        return None
    return raw


def parse_query_params(
    params: Mapping[str, object],
    default: AppState,
    *,
    site_ids: Iterable[str] = (),
    countries: Iterable[str] = (),
) -> tuple[AppState, list[str]]:
    """Read an :class:`AppState` from URL query parameters on top of ``default``.

    Keys: ``w_<group>`` and ``c_<criterion>`` (weights 0-100), ``method`` (one of
    :data:`METHODS`), ``min_area_ha``, ``max_port_km``, ``country`` (comma list),
    ``unknown_area`` and ``remote`` (``keep`` or ``drop``) and
    ``sel`` (comma list of site ids) and ``d_<criterion>`` (``benefit`` or ``cost``: a flip of
    the criterion's direction). A value may be a string or a list of strings (repeated
    keys). Returns the state and a list of human-readable warnings; never raises.

    Examples
    --------
    >>> s, w = parse_query_params({"w_jobs": "80", "method": "magic"},
    ...                           default_state(["jobs"], {"unemployment_pct": 1}))
    >>> s.group_weights["jobs"], s.method, len(w)
    (80.0, 'wsm', 1)
    """
    warnings: list[str] = []
    known = {group_key(g): g for g in default.group_weights}
    known_c = {criterion_key(c): c for c in default.criterion_weights}
    known_d = {direction_key(c): c for c in default.criterion_weights}
    groups, crits = dict(default.group_weights), dict(default.criterion_weights)
    directions = dict(default.directions)
    fixed = {"method", "min_area_ha", "max_port_km", "country", "sel", "unknown_area", "remote"}
    for name in params:
        name = str(name)
        if name not in known and name not in known_c and name not in known_d and name not in fixed:
            warnings.append(f"Ignored unknown parameter {name[:40]!r}.")
            continue
        raw = _single(params, name, warnings)
        if raw is None or name in fixed:
            continue
        if name in known_d:
            if raw in DIRECTIONS:
                directions[known_d[name]] = raw
            else:
                warnings.append(
                    f"Ignored {name}={raw[:40]!r}: allowed are {', '.join(DIRECTIONS)}."
                )
            continue
        value = _number(raw, name, 0.0, MAX_WEIGHT, warnings)
        if value is not None and name in known:
            groups[known[name]] = value
        elif value is not None:
            crits[known_c[name]] = value
    state = replace(default, group_weights=groups, criterion_weights=crits, directions=directions)
    method = _single(params, "method", warnings)
    if method is not None:
        if method in METHODS:
            state = replace(state, method=method)
        else:
            warnings.append(f"Ignored method={method[:40]!r}: allowed are {', '.join(METHODS)}.")
    state = replace(state, filters=_filters(params, default.filters, set(countries), warnings))
    sel = _single(params, "sel", warnings)
    if sel is not None:
        valid = set(site_ids)
        chosen = [s for s in sel.split(",") if s]
        unknown = [s for s in chosen if s not in valid]
        if unknown:
            warnings.append(f"Ignored unknown site(s) in sel: {', '.join(unknown)[:80]}.")
        state = replace(state, selected=tuple(dict.fromkeys(s for s in chosen if s in valid)))
    return state, warnings


def _filters(
    params: Mapping[str, object], default: Filters, countries: set[str], warnings: list[str]
) -> Filters:
    out = default
    if (v := _bounded(params, "min_area_ha", MAX_AREA_HA, warnings)) is not None:
        out = replace(out, min_area_ha=v)
    if (v := _bounded(params, "max_port_km", MAX_PORT_KM, warnings)) is not None:
        out = replace(out, max_port_km=v)
    if (keep := _keep_or_drop(params, "unknown_area", warnings)) is not None:
        out = replace(out, keep_unknown_area=keep)
    if (keep := _keep_or_drop(params, "remote", warnings)) is not None:
        out = replace(out, keep_remote=keep)
    raw = _single(params, "country", warnings)
    if raw is not None:
        chosen = [c for c in raw.split(",") if c]
        bad = [c for c in chosen if c not in countries]
        if bad:
            warnings.append(f"Ignored unknown country code(s): {', '.join(bad)[:80]}.")
        out = replace(out, countries=tuple(c for c in chosen if c in countries))
    return out


def _bounded(
    params: Mapping[str, object], name: str, hi: float, warnings: list[str]
) -> float | None:
    raw = _single(params, name, warnings)
    return None if raw is None else _number(raw, name, 0.0, hi, warnings)


def _keep_or_drop(params: Mapping[str, object], name: str, warnings: list[str]) -> bool | None:
    raw = _single(params, name, warnings)
    if raw is None:
        return None
    allowed = {"keep": True, "drop": False}
    if raw in allowed:
        return allowed[raw]
    warnings.append(f"Ignored {name}={raw[:40]!r}: allowed are {', '.join(allowed)}.")
    return None


def to_query_params(state: AppState, default: AppState) -> dict[str, str]:
    """The URL parameters of ``state``: only what differs from ``default``, so URLs stay short.

    Round-trips: ``parse_query_params(to_query_params(s, d), d)[0] == s``.
    """
    out: dict[str, str] = {}
    for g, w in state.group_weights.items():
        if w != default.group_weights.get(g):
            out[group_key(g)] = f"{w:g}"
    for c, w in state.criterion_weights.items():
        if w != default.criterion_weights.get(c):
            out[criterion_key(c)] = f"{w:g}"
    if state.method != default.method:
        out["method"] = state.method
    f, d = state.filters, default.filters
    if f.min_area_ha != d.min_area_ha:
        out["min_area_ha"] = f"{f.min_area_ha:g}"
    if f.max_port_km != d.max_port_km and f.max_port_km is not None:
        out["max_port_km"] = f"{f.max_port_km:g}"
    if f.countries != d.countries:
        out["country"] = ",".join(f.countries)
    if f.keep_unknown_area != d.keep_unknown_area:
        out["unknown_area"] = "keep" if f.keep_unknown_area else "drop"
    if f.keep_remote != d.keep_remote:
        out["remote"] = "keep" if f.keep_remote else "drop"
    if state.selected:
        out["sel"] = ",".join(state.selected)
    for c, direction in state.directions.items():
        if direction != default.directions.get(c):
            out[direction_key(c)] = direction
    return out
