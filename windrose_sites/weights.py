"""Weights for the scoring: group and within-group weights, and AHP pairwise comparisons.

:func:`criterion_weights` turns the sidebar's group weights and within-group weights into one
weight per criterion, summing to 1, ready for :func:`windrose_sites.scoring.score`.
:func:`ahp_weights` derives weights from a Saaty pairwise comparison matrix (the Analytic
Hierarchy Process) and returns Saaty's consistency ratio with them. Both are re-exported by
:mod:`windrose_sites.scoring`, where they lived before.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import numpy as np
import pandas as pd

from windrose_sites._checks import _as_float, _first_bad, _listing

__all__ = ["ahp_weights", "criterion_weights"]

# Saaty's random consistency index RI for n = 1..15, as tabulated by Saaty (The Analytic
# Hierarchy Process, McGraw-Hill 1980, for n <= 10; extended to n = 15 in his later texts).
_SAATY_RI = (0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59)
_RECIPROCAL_RTOL = 0.05  # a_ij * a_ji may be off 1 by 5 %: published matrices round 1/7 to 0.14


def _principal_eigen(a: np.ndarray) -> tuple[float, np.ndarray]:
    """Perron eigenvalue and eigenvector (scaled to sum 1) of a positive matrix."""
    values, vectors = np.linalg.eig(a)
    k = int(np.argmax(values.real))
    vector = np.abs(vectors[:, k].real)
    return float(values[k].real), vector / vector.sum()


def _check_pairwise(a: np.ndarray) -> None:
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] == 0:
        msg = f"The pairwise matrix has shape {a.shape}; it must be square, n x n with n >= 1."
        raise ValueError(msg)
    if a.shape[0] > len(_SAATY_RI):
        msg = f"The pairwise matrix compares {a.shape[0]} criteria; at most 15 are supported."
        raise ValueError(msg)
    if not (np.isfinite(a).all() and (a > 0).all()):
        msg = "The pairwise matrix must hold finite numbers > 0 (Saaty scale 1/9 .. 9)."
        raise ValueError(msg)
    off = np.abs(a * a.T - 1.0) > _RECIPROCAL_RTOL
    if off.any():
        i, j = _first_bad(off)
        msg = (
            f"The pairwise matrix is not reciprocal at ({i}, {j}): a[i, j] = {float(a[i, j])} and "
            f"a[j, i] = {float(a[j, i])}; need a[j, i] = 1 / a[i, j] (within 5 %) and 1 on the "
            "diagonal."
        )
        raise ValueError(msg)


def ahp_weights(
    pairwise: np.ndarray | pd.DataFrame, labels: Sequence[Hashable] | None = None
) -> tuple[pd.Series, float]:
    """Criterion weights from a Saaty pairwise comparison matrix.

    Parameters
    ----------
    pairwise : numpy.ndarray or pandas.DataFrame
        Square n x n matrix (1 <= n <= 15), ``a[i, j]`` = how much more important
        criterion i is than criterion j on Saaty's 1/9 .. 9 scale (unitless). Must be
        positive and reciprocal: ``a[j, i] * a[i, j]`` within 5 % of 1, diagonal 1.
    labels : sequence, optional
        Criterion ids, one per row. Defaults to the DataFrame's index, else 0 .. n-1.

    Returns
    -------
    weights : pandas.Series
        Principal right eigenvector scaled to sum 1, indexed by `labels`, named "weight".
    consistency_ratio : float
        ``CR = CI / RI`` with ``CI = (lambda_max - n) / (n - 1)`` and Saaty's random index
        ``RI``; 0 for n <= 2. Saaty's rule of thumb calls CR > 0.1 inconsistent: it is
        returned, not raised, so the caller can show it.

    Raises
    ------
    ValueError
        If the matrix is not square, not positive and finite, not reciprocal, larger than
        15 x 15, or `labels` do not match it.

    Examples
    --------
    >>> weights, cr = ahp_weights([[1, 3], [1 / 3, 1]], labels=["jobs", "port"])
    >>> weights.round(2).to_dict(), cr
    ({'jobs': 0.75, 'port': 0.25}, 0.0)
    """
    a = np.asarray(pairwise, dtype=np.float64)
    _check_pairwise(a)
    n = a.shape[0]
    if labels is None:
        labels = list(pairwise.index) if isinstance(pairwise, pd.DataFrame) else list(range(n))
    if len(labels) != n or len(set(labels)) != n:
        msg = f"Got {len(labels)} labels for a {n} x {n} matrix; give {n} distinct labels."
        raise ValueError(msg)
    lambda_max, vector = _principal_eigen(a)
    ratio = 0.0 if n <= 2 else (lambda_max - n) / (n - 1) / _SAATY_RI[n - 1]
    return pd.Series(vector, index=pd.Index(labels), name="weight"), max(ratio, 0.0)


def _within_weights(
    groups: Mapping[Hashable, str], within: Mapping[Hashable, float] | None
) -> np.ndarray:
    within = {} if within is None else within
    unknown = [name for name in within if name not in groups]
    if unknown:
        msg = f"Unknown criteria {unknown!r} in within; valid criteria: {_listing(list(groups))}"
        raise ValueError(msg)
    raw = np.array(
        [_as_float(within.get(name, 1.0), f"within weight of {name!r}") for name in groups]
    )
    for name, value in zip(groups, raw, strict=True):
        if not np.isfinite(value) or value < 0:
            msg = f"Within weight of {name!r} is {float(value)}; it must be finite and >= 0."
            raise ValueError(msg)
    return raw


def criterion_weights(
    groups: Mapping[Hashable, str],
    group_weights: Mapping[str, float],
    within: Mapping[Hashable, float] | None = None,
) -> pd.Series:
    """Turn group weights and within-group weights into criterion weights summing to 1.

    A criterion's share is its group's weight times its within-group weight divided by
    the sum of within-group weights in that group, then all shares are scaled to sum 1.
    A missing within-group weight defaults to 1 (an equal split inside the group). A group
    with weight 0, or whose criteria all have within-group weight 0, gives its criteria 0
    and the remaining groups share the whole.

    Parameters
    ----------
    groups : Mapping
        Criterion id -> group name (e.g. ``"logistics"``, ``"jobs"``, ``"cost"``).
    group_weights : Mapping
        Group name -> weight (finite, >= 0, unitless), one for every group in `groups`.
    within : Mapping, optional
        Criterion id -> weight inside its group (finite, >= 0, unitless).

    Returns
    -------
    pandas.Series
        Effective weight per criterion, in the order of `groups`, summing to 1, named
        "weight"; pass it straight to :func:`score`.

    Raises
    ------
    ValueError
        A group without a weight, an unknown group or criterion, a negative or non-finite
        weight, or no positive share at all.

    Examples
    --------
    >>> groups = {"port_km": "logistics", "rail_km": "logistics", "jobs": "jobs"}
    >>> criterion_weights(groups, {"logistics": 2, "jobs": 2}).to_dict()
    {'port_km': 0.25, 'rail_km': 0.25, 'jobs': 0.5}
    """
    used = list(dict.fromkeys(groups.values()))
    absent = [g for g in used if g not in group_weights]
    unknown = [g for g in group_weights if g not in used]
    if absent or unknown:
        msg = (
            f"Group weights are missing for {absent!r} and given for unknown groups "
            f"{unknown!r}; give one weight for each of: {_listing(used)}"
        )
        raise ValueError(msg)
    raw = np.array([_as_float(group_weights[g], f"weight of group {g!r}") for g in used])
    for group, value in zip(used, raw, strict=True):
        if not np.isfinite(value) or value < 0:
            msg = f"Weight of group {group!r} is {float(value)}; it must be finite and >= 0."
            raise ValueError(msg)
    inner = _within_weights(groups, within)
    member = np.array([used.index(g) for g in groups.values()])
    inner_sum = np.bincount(member, weights=inner, minlength=len(used))
    group_share = np.divide(raw, inner_sum, out=np.zeros_like(raw), where=inner_sum > 0)
    shares = inner * group_share[member]
    if shares.sum() <= 0:
        msg = "Every criterion has weight 0; give a group and one of its criteria a weight > 0."
        raise ValueError(msg)
    return pd.Series(shares / shares.sum(), index=pd.Index(list(groups)), name="weight")
