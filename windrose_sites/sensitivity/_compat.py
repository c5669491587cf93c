"""The analyses with their original signatures: each builds a :class:`Problem` and calls the
analysis on it. Code that runs several analyses on one problem builds the Problem once
instead (it validates the inputs once).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping

import numpy as np
import pandas as pd

from windrose_sites import scoring
from windrose_sites.sensitivity import agreement, smaa, sweep
from windrose_sites.sensitivity import values as _values
from windrose_sites.sensitivity.problem import Missing, Problem

__all__ = [
    "crossovers",
    "head_to_head",
    "method_agreement",
    "rank_acceptability",
    "sample_values",
    "stability_intervals",
    "weight_sweep",
]


def weight_sweep(
    table: pd.DataFrame,
    weights: Mapping[Hashable, float],
    directions: Mapping[Hashable, str],
    *,
    criterion_or_group: Hashable,
    method: scoring.Method = "wsm",
    steps: int = 101,
    groups: Mapping[Hashable, str] | None = None,
    missing: Missing = "raise",
) -> pd.DataFrame:
    """:func:`.sweep.weight_sweep` of ``Problem(table, weights, directions, ...)``.

    Examples
    --------
    >>> t = pd.DataFrame({"port_km": [10.0, 40.0], "jobs": [5.0, 9.0]}, index=["Ayr", "Bute"])
    >>> s = weight_sweep(t, {"port_km": 1, "jobs": 1}, {"port_km": "cost", "jobs": "benefit"},
    ...                  criterion_or_group="jobs", steps=3)
    >>> s[s["site"] == "Bute"][["share", "score", "rank"]].to_numpy().tolist()
    [[0.0, 0.0, 2.0], [0.5, 0.5, 1.0], [1.0, 1.0, 1.0]]
    """
    sweep._check_steps(steps)  # before the inputs, as it always was
    p = Problem(table, weights, directions, method=method, missing=missing, groups=groups)
    return sweep.weight_sweep(p, criterion_or_group, steps=steps)


def crossovers(
    table: pd.DataFrame,
    weights: Mapping[Hashable, float],
    directions: Mapping[Hashable, str],
    *,
    criterion_or_group: Hashable,
    method: scoring.Method = "wsm",
    steps: int = 101,
    groups: Mapping[Hashable, str] | None = None,
    missing: Missing = "raise",
    names: Mapping[Hashable, str] | None = None,
    label: str | None = None,
) -> pd.DataFrame:
    """:func:`.sweep.crossovers` of ``Problem(table, weights, directions, ...)``.

    `steps` is accepted for symmetry with :func:`weight_sweep` and not used; `label` defaults
    to the id of `criterion_or_group`.

    Examples
    --------
    >>> t = pd.DataFrame({"port_km": [10.0, 40.0], "jobs": [5.0, 9.0]}, index=["Ayr", "Bute"])
    >>> c = crossovers(t, {"port_km": 1, "jobs": 1}, {"port_km": "cost", "jobs": "benefit"},
    ...                criterion_or_group="jobs")
    >>> c[["share", "rising", "falling", "leader_changes"]].to_numpy().tolist()
    [[0.5, 'Bute', 'Ayr', True]]
    """
    del steps
    p = Problem(
        table, weights, directions, method=method, missing=missing, groups=groups, names=names
    )
    return sweep.crossovers(p, criterion_or_group, label=label)


def head_to_head(
    table: pd.DataFrame,
    weights: Mapping[Hashable, float],
    directions: Mapping[Hashable, str],
    *,
    site: Hashable,
    rival: Hashable,
    criterion_or_group: Hashable,
    method: scoring.Method = "wsm",
    groups: Mapping[Hashable, str] | None = None,
    missing: Missing = "raise",
    names: Mapping[Hashable, str] | None = None,
    label: str | None = None,
) -> str:
    """:func:`.sweep.head_to_head` of ``Problem(table, weights, directions, ...)``.

    Examples
    --------
    >>> t = pd.DataFrame({"port_km": [10.0, 40.0], "jobs": [5.0, 9.0]}, index=["Ayr", "Bute"])
    >>> w, d = {"port_km": 2, "jobs": 1}, {"port_km": "cost", "jobs": "benefit"}
    >>> print(head_to_head(t, w, d, site="Bute", rival="Ayr", criterion_or_group="jobs"))
    ... # doctest: +NORMALIZE_WHITESPACE
    Bute is behind Ayr with jobs at 33.3% of the weight; Bute overtakes Ayr when jobs
    reaches 50.0%, and is then first overall.
    """
    p = Problem(
        table, weights, directions, method=method, missing=missing, groups=groups, names=names
    )
    return sweep.head_to_head(p, site, rival, criterion_or_group, label=label)


def stability_intervals(
    table: pd.DataFrame,
    weights: Mapping[Hashable, float],
    directions: Mapping[Hashable, str],
    *,
    method: scoring.Method = "wsm",
    groups: Mapping[Hashable, str] | None = None,
    missing: Missing = "raise",
    names: Mapping[Hashable, str] | None = None,
    labels: Mapping[Hashable, str] | None = None,
) -> pd.DataFrame:
    """:func:`.sweep.stability_intervals` of ``Problem(table, weights, directions, ...)``:
    one row per group when `groups` is given, else one per criterion.

    Examples
    --------
    >>> t = pd.DataFrame({"port_km": [10.0, 40.0], "jobs": [5.0, 9.0]}, index=["Ayr", "Bute"])
    >>> w, d = {"port_km": 2, "jobs": 1}, {"port_km": "cost", "jobs": "benefit"}
    >>> for sentence in stability_intervals(t, w, d)["sentence"]:
    ...     print(sentence)
    Ayr stays first while port_km is at least 50.0%
    Ayr stays first while jobs is at most 50.0%
    """
    p = Problem(
        table,
        weights,
        directions,
        method=method,
        missing=missing,
        groups=groups,
        names=names,
        labels=labels,
    )
    return sweep.stability_intervals(p)


def rank_acceptability(
    table: pd.DataFrame,
    weights: Mapping[Hashable, float],
    directions: Mapping[Hashable, str],
    *,
    method: scoring.Method = "wsm",
    samples: int = 10_000,
    seed: int = 0,
    spread: float | None = None,
    missing: Missing = "raise",
    progress: Callable[[float], None] | None = None,
    values: _values.ValueUncertainty | None = None,
) -> pd.DataFrame:
    """:func:`.smaa.rank_acceptability` of ``Problem(table, weights, directions, ...)``.

    Examples
    --------
    >>> t = pd.DataFrame({"port_km": [10.0, 40.0], "jobs": [5.0, 9.0]}, index=["Ayr", "Bute"])
    >>> a = rank_acceptability(t, {"port_km": 1, "jobs": 1}, {"port_km": "cost", "jobs": "benefit"})
    >>> a.round(2).to_numpy().tolist()
    [[0.5, 0.5], [0.5, 0.5]]
    """
    smaa._check_sampling(samples, spread)  # before the inputs, as it always was
    p = Problem(table, weights, directions, method=method, missing=missing)
    return smaa.rank_acceptability(
        p, samples=samples, seed=seed, spread=spread, progress=progress, values=values
    )


def sample_values(
    table: pd.DataFrame,
    weights: Mapping[Hashable, float],
    directions: Mapping[Hashable, str],
    values: _values.ValueUncertainty,
    *,
    samples: int = 1_000,
    seed: int = 0,
    method: scoring.Method = "wsm",
    missing: Missing = "raise",
) -> np.ndarray:
    """:func:`.values.sample_values` of ``Problem(table, weights, directions, ...)``."""
    p = Problem(table, weights, directions, method=method, missing=missing)
    return _values.sample_values(p, values, samples=samples, seed=seed)


def method_agreement(
    table: pd.DataFrame,
    weights: Mapping[Hashable, float],
    directions: Mapping[Hashable, str],
    *,
    missing: Missing = "raise",
) -> pd.DataFrame:
    """:func:`.agreement.method_agreement` of ``Problem(table, weights, directions, ...)``.

    Raises
    ------
    ValueError
        Any error of :func:`scoring.score` with wsm (invalid inputs for every method).

    Examples
    --------
    >>> t = pd.DataFrame({"port_km": [10.0, 40.0, 20.0], "jobs": [5.0, 9.0, 8.0]})
    >>> m = method_agreement(t, {"port_km": 2, "jobs": 1}, {"port_km": "cost", "jobs": "benefit"})
    >>> m.to_numpy().tolist(), round(m.attrs["tau"]["wsm"]["topsis"], 2)
    ([[2, 1, 1, 1], [3, 3, 3, 3], [1, 2, 2, 2]], 0.33)
    """
    return agreement.method_agreement(Problem(table, weights, directions, missing=missing))
