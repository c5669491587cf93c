"""Multi-criteria scoring of sites and map cells.

Four methods share one contract: ``"wsm"`` (weighted sum of min-max normalized
values), ``"wpm"`` (weighted product of ratios to the best value), ``"topsis"``
(relative closeness to the ideal) and ``"promethee"`` (PROMETHEE II net flow with
the usual preference function). :func:`score` is the validated DataFrame front door
with ranks, contributions and normalized values; :func:`score_array` is the fast path
for large suitability surfaces. Both call the same private numpy kernels.

Gaps and degenerate data follow three rules stated in words for the pages:
:data:`MISSING_RULE` (a missing value is imputed beyond the worst known value, so it never
ties a known one), :data:`NO_INFORMATION_RULE` (a criterion whose known values are all equal
gives every site the same mark) and :data:`WPM_RULE` (the weighted product shifts a criterion
with a value <= 0 above zero).

:func:`criterion_weights` (group and within-group weights to criterion weights) and
:func:`ahp_weights` (weights from a Saaty pairwise comparison matrix) live in
:mod:`windrose_sites.weights` and are re-exported here; :data:`METHODS`, :data:`DIRECTIONS` and
``Method`` come from :mod:`windrose_sites.vocab`.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from windrose_sites._checks import _as_float, _first_bad, _listing
from windrose_sites.vocab import DIRECTIONS, METHODS, Method
from windrose_sites.weights import ahp_weights, criterion_weights

__all__ = [
    "DIRECTIONS",
    "METHODS",
    "MISSING",
    "MISSING_MARGIN",
    "MISSING_RULE",
    "NO_INFORMATION_RULE",
    "WPM_FLOOR_SHARE",
    "WPM_RULE",
    "ahp_weights",
    "criterion_weights",
    "impute_worst",
    "score",
    "score_array",
]

MISSING: tuple[str, ...] = ("raise", "worst")

#: A missing value is imputed this share of the known range beyond the worst known value.
MISSING_MARGIN = 0.1
#: The missing-value rule in words (quoted by the Compare page and ``data/SOURCES.md``).
MISSING_RULE = (
    "A missing value counts as worse than the worst known value of its criterion, by a tenth "
    "of the gap between the best and the worst known values, so a hole in the data never earns "
    "a site marks and never ties a known value. The one exception is a criterion whose known "
    "values are all equal: it carries no information and gives every site the same mark."
)
#: The rule for a criterion whose known values are all equal (or that has no known value).
NO_INFORMATION_RULE = (
    "A criterion on which every known value is the same tells the sites apart by nothing: "
    "it is flagged 'no information' and gives every site, known or missing, the same mark, "
    "so its weight moves no site."
)
#: wpm: a criterion with a value <= 0 is shifted so its lowest value is this share of its range.
WPM_FLOOR_SHARE = 0.1
#: The rule for zero and negative values in the weighted product, in words.
WPM_RULE = (
    "The weighted product divides values, so it needs them above zero: when a criterion has a "
    "zero or negative value, the same amount is added to every site's value so that the lowest "
    "becomes a tenth of the gap between the lowest and the highest (1 if all are equal)."
)

_ADDITIVE = ("wsm", "promethee")
_CHUNK_ROWS = 1 << 12  # rows per block in the chunked kernels (~330 kB at 10 criteria)
_FOLD_ROWS = 64  # rows reduced side by side in _column_range
_RANK_DECIMALS = 12  # scores equal to this many decimals share a rank (float noise)


# ---------------------------------------------------------------------------
# Kernels: float64 (n, m) matrix, weights summing to 1, boolean benefit mask,
# column minima ``lo`` and maxima ``hi``. No checks.
# ---------------------------------------------------------------------------


def _column_range(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Column minima and maxima (NaN propagates).

    On a C-ordered matrix ``x.min(axis=0)`` runs a short inner loop per row; reducing a
    wide view of ``_FOLD_ROWS`` rows at a time instead is several times faster.
    """
    n, m = x.shape
    if not x.flags.c_contiguous or n < 2 * _FOLD_ROWS:
        return x.min(axis=0), x.max(axis=0)
    body = n - n % _FOLD_ROWS
    wide = x[:body].reshape(-1, _FOLD_ROWS * m)
    lo = wide.min(axis=0).reshape(_FOLD_ROWS, m).min(axis=0)
    hi = wide.max(axis=0).reshape(_FOLD_ROWS, m).max(axis=0)
    if body < n:
        lo = np.minimum(lo, x[body:].min(axis=0))
        hi = np.maximum(hi, x[body:].max(axis=0))
    return lo, hi


# The normalizers (``_minmax``, ``_ratio_to_best``, ``_vector``, ``_net_flows``) overwrite
# ``x`` with its normalized values and return it: :func:`score` hands them its working copy.


def _minmax(x: np.ndarray, benefit: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Min-max normalize columns in place; a constant column becomes all ones (as pymcdm)."""
    span = hi - lo
    r = np.subtract(x, lo, out=x)
    r *= np.divide(1.0, span, out=np.zeros_like(span), where=span > 0)
    np.subtract(1.0, r, out=r, where=~benefit)  # cost: (max - x) / span = 1 - (x - min) / span
    r[:, span == 0] = 1.0
    return r


def _wsm(
    x: np.ndarray, w: np.ndarray, benefit: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> np.ndarray:
    """Weighted sum of min-max values as one matrix-vector product plus a constant."""
    span = hi - lo
    constant = span == 0
    scale = np.divide(w, span, out=np.zeros_like(w), where=~constant)
    slope = np.where(benefit, scale, -scale)
    offset = np.where(benefit, -lo * scale, hi * scale).sum() + w[constant].sum()
    out = x @ slope
    out += offset
    return np.clip(out, 0.0, 1.0, out=out)


def _ratio_to_best(
    x: np.ndarray, benefit: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> np.ndarray:
    """Ratio to the best value in place: ``x / max`` for benefit, ``min / x`` for cost."""
    np.divide(x, hi, out=x, where=benefit)
    return np.divide(lo, x, out=x, where=~benefit)


def _wpm(
    x: np.ndarray,
    w: np.ndarray,
    benefit: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    shift: np.ndarray | None = None,
) -> np.ndarray:
    """Weighted product of ratios to the best, summed in log space block by block.

    ``shift`` (added to each block, no full copy) is the :data:`WPM_RULE` shift; ``lo`` and
    ``hi`` are then the shifted column ranges.
    """
    slope = np.where(benefit, w, -w)
    offset = -(slope * np.log(np.where(benefit, hi, lo))).sum()
    out = np.empty(x.shape[0])
    for start in range(0, x.shape[0], _CHUNK_ROWS):
        stop = start + _CHUNK_ROWS
        block = x[start:stop] if shift is None else x[start:stop] + shift
        out[start:stop] = np.log(block) @ slope
    out += offset
    np.exp(out, out=out)
    return np.clip(out, 0.0, 1.0, out=out)


def _column_norms(x: np.ndarray) -> np.ndarray:
    """Euclidean norm of each column."""
    return np.sqrt(np.einsum("ij,ij->j", x, x))


def _vector(x: np.ndarray, _benefit: np.ndarray, _lo: np.ndarray, _hi: np.ndarray) -> np.ndarray:
    """Vector normalization ``x / ||x||`` in place; an all-zero column stays zero."""
    norm = _column_norms(x)
    return np.divide(x, np.where(norm > 0, norm, 1.0), out=x)


def _sq_distances(
    x: np.ndarray, best: np.ndarray, worst: np.ndarray, scale_sq: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Squared weighted distances of every row to ``best`` and ``worst``, block by block.

    Each block of rows is read twice while it is still in cache, through one reused buffer.
    """
    n = x.shape[0]
    d_best, d_worst = np.empty(n), np.empty(n)
    buffer = np.empty((min(n, _CHUNK_ROWS), x.shape[1]))
    for start in range(0, n, _CHUNK_ROWS):
        block = x[start : start + _CHUNK_ROWS]
        diff = buffer[: block.shape[0]]
        for target, out in ((best, d_best), (worst, d_worst)):
            np.subtract(block, target, out=diff)
            np.square(diff, out=diff)
            np.matmul(diff, scale_sq, out=out[start : start + _CHUNK_ROWS])
    return d_best, d_worst


def _topsis(
    x: np.ndarray, w: np.ndarray, benefit: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> np.ndarray:
    """TOPSIS relative closeness; 1.0 where ideal and anti-ideal coincide."""
    norm = _column_norms(x)
    scale = np.divide(w, norm, out=np.zeros_like(w), where=norm > 0)
    d_best, d_worst = _sq_distances(
        x, np.where(benefit, hi, lo), np.where(benefit, lo, hi), scale * scale
    )
    np.sqrt(d_best, out=d_best)
    np.sqrt(d_worst, out=d_worst)
    total = d_best + d_worst
    return np.divide(d_worst, total, out=np.ones_like(total), where=total > 0)


def _tie_runs(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sort once and find runs of equal values: ``(order, starts, ends)``.

    ``values[order]`` is ascending and run ``k`` occupies sorted positions
    ``starts[k] .. ends[k] - 1``: ``starts[k]`` values are strictly smaller than it and
    ``n - ends[k]`` strictly larger.
    """
    order = np.argsort(values)
    ordered = values[order]
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    return order, starts, np.append(starts[1:], values.shape[0])


def _scatter_runs(
    order: np.ndarray, starts: np.ndarray, ends: np.ndarray, per_run: np.ndarray
) -> np.ndarray:
    """Give every element the value of its run, in the original order."""
    out = np.empty(order.shape[0], dtype=per_run.dtype)
    out[order] = np.repeat(per_run, ends - starts)
    return out


def _net_flow(column: np.ndarray, is_benefit: bool) -> np.ndarray:
    """Single-criterion PROMETHEE II net flow (usual function), one sort: O(n log n).

    A value with ``start`` rows strictly worse and ``n - end`` strictly better has net
    flow ``(start - (n - end)) / (n - 1)``.
    """
    n = column.shape[0]
    if n == 1:
        return np.zeros(1)
    order, starts, ends = _tie_runs(column)
    flow = _scatter_runs(order, starts, ends, (starts + ends - n) / (n - 1))
    return flow if is_benefit else 0.0 - flow  # 0.0 - avoids printing -0.0


def _rank_descending(values: np.ndarray) -> np.ndarray:
    """1 + number of strictly larger values: pandas ``rank(method="min", ascending=False)``."""
    order, starts, ends = _tie_runs(np.round(values, _RANK_DECIMALS))
    return _scatter_runs(order, starts, ends, values.shape[0] - ends + 1)


def _net_flows(x: np.ndarray, benefit: np.ndarray, _lo: np.ndarray, _hi: np.ndarray) -> np.ndarray:
    """Unweighted net flow of every criterion, in [-1, 1], in place."""
    for j in range(x.shape[1]):
        x[:, j] = _net_flow(x[:, j], bool(benefit[j]))
    return x


def _weighted_flows(flows: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Sum of ``w_j * flows[:, j]`` over the weighted criteria, in the order of ``w``."""
    out = np.zeros(flows.shape[0])
    for j in np.flatnonzero(w):
        out += w[j] * flows[:, j]
    return out


def _promethee(
    x: np.ndarray, w: np.ndarray, benefit: np.ndarray, _lo: np.ndarray, _hi: np.ndarray
) -> np.ndarray:
    """PROMETHEE II net flow: the weighted sum of single-criterion net flows."""
    out = np.zeros(x.shape[0])
    for j in np.flatnonzero(w):
        out += w[j] * _net_flow(x[:, j], bool(benefit[j]))
    return out


def _score_in_place(
    method: str, x: np.ndarray, w: np.ndarray, benefit: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Scores and normalized values; ``x`` (a working copy) becomes the normalized values."""
    if method == "promethee":  # the flows are the normalized values: compute them once
        flows = _net_flows(x, benefit, lo, hi)
        return _weighted_flows(flows, w), flows
    values = _KERNELS[method](x, w, benefit, lo, hi)
    return values, _NORMALIZERS[method](x, benefit, lo, hi)


_KERNELS = {"wsm": _wsm, "wpm": _wpm, "topsis": _topsis, "promethee": _promethee}
_NORMALIZERS = {
    "wsm": _minmax,
    "wpm": _ratio_to_best,
    "topsis": _vector,
    "promethee": _net_flows,
}


# ---------------------------------------------------------------------------
# Validation helpers
# ---------------------------------------------------------------------------


def _check_choice(value: object, allowed: Sequence[str], what: str) -> None:
    if value not in allowed:
        msg = f"Unknown {what} {value!r}; allowed: {', '.join(map(repr, allowed))}."
        raise ValueError(msg)


def _normalized_weights(raw: np.ndarray, names: Sequence[Hashable]) -> np.ndarray:
    """Check weights are finite and non-negative with a positive sum; scale to sum 1."""
    bad = ~(np.isfinite(raw) & (raw >= 0))
    if bad.any():
        k = int(np.argmax(bad))
        msg = (
            f"Weight of criterion {names[k]!r} is {float(raw[k])}; weights must be finite and >= 0."
        )
        raise ValueError(msg)
    total = raw.sum()
    if total <= 0:
        msg = "All weights are zero; give at least one criterion a positive weight."
        raise ValueError(msg)
    return raw / total


def _check_weights(
    weights: Mapping[Hashable, float], columns: pd.Index
) -> tuple[list[Hashable], np.ndarray]:
    names = list(weights.keys())
    if not names:
        msg = "No weights given; give a weight for at least one of: " + _listing(columns)
        raise ValueError(msg)
    unknown = [name for name in names if name not in columns]
    if unknown:
        msg = f"Unknown criteria {unknown!r} in weights; valid criteria: {_listing(columns)}"
        raise ValueError(msg)
    raw = np.array([_as_float(weights[name], f"weight of {name!r}") for name in names])
    return names, _normalized_weights(raw, names)


def _check_directions(
    directions: Mapping[Hashable, str], names: Sequence[Hashable], columns: pd.Index
) -> np.ndarray:
    unknown = [name for name in directions if name not in columns]
    if unknown:
        msg = f"Unknown criteria {unknown!r} in directions; valid criteria: {_listing(columns)}"
        raise ValueError(msg)
    for name in names:
        if name not in directions:
            msg = f"No direction for criterion {name!r}; give one of {DIRECTIONS!r}."
            raise ValueError(msg)
        _check_choice(directions[name], DIRECTIONS, f"direction for criterion {name!r}:")
    return np.array([directions[name] == "benefit" for name in names])


def _decision_matrix(table: pd.DataFrame, names: Sequence[Hashable]) -> np.ndarray:
    """Weighted columns as a new float64 matrix (NaN for missing); rejects non-numeric columns.

    Filled column by column into a column-major (Fortran-ordered) matrix, the layout pandas
    itself returns: no intermediate frame, no second copy, and ``pd.DataFrame`` wraps the
    normalized values without copying them.
    """
    for name in names:
        if not pd.api.types.is_numeric_dtype(table[name]):
            msg = f"Criterion {name!r} has dtype {table[name].dtype}; criteria must be numeric."
            raise ValueError(msg)
    x = np.empty((len(names), len(table))).T
    for j, name in enumerate(names):
        x[:, j] = table[name].to_numpy(dtype=np.float64, na_value=np.nan)
    return x


def _cell(
    x: np.ndarray, labels: pd.Index | range, names: Sequence[Hashable], i: int, j: int
) -> str:
    """Describe one cell for an error message, with the row label as a plain Python value."""
    label = labels[i : i + 1].tolist()[0] if isinstance(labels, pd.Index) else labels[i]
    return f"Site {label!r} has value {float(x[i, j])} for criterion {names[j]!r}"


def _check_finite(x: np.ndarray, labels: pd.Index | range, names: Sequence[Hashable]) -> None:
    """Raise naming the first site and criterion holding NaN or an infinity."""
    if np.isfinite(x).all():
        return
    i, j = _first_bad(~np.isfinite(x))
    msg = (
        f"{_cell(x, labels, names, i, j)}; values must be finite numbers"
        " (pass missing='worst' to score a missing value below the worst known one)."
    )
    raise ValueError(msg)


def impute_worst(x: np.ndarray, benefit: np.ndarray) -> np.ndarray:
    """Replace NaN in place by a value beyond the worst known one; return the NaN mask.

    This is :data:`MISSING_RULE`: in a column whose known values span ``lo .. hi`` with
    ``hi > lo``, a NaN becomes ``lo - MISSING_MARGIN * (hi - lo)`` for a benefit and
    ``hi + MISSING_MARGIN * (hi - lo)`` for a cost, so after any of the four normalizations it
    is strictly worse than every known value. A column whose known values are all equal
    becomes that constant and a column that is entirely NaN the constant 1.0: both carry no
    information (:data:`NO_INFORMATION_RULE`, see :func:`no_information`).

    Parameters
    ----------
    x : numpy.ndarray
        Float matrix (n_rows, n_criteria), changed in place.
    benefit : numpy.ndarray
        Boolean (n_criteria,): True for benefit, False for cost.

    Returns
    -------
    numpy.ndarray
        Boolean mask of the cells that were NaN.

    Examples
    --------
    >>> x = np.array([[10.0, 5.0], [np.nan, 9.0], [20.0, np.nan]])
    >>> mask = impute_worst(x, np.array([True, False]))
    >>> x[:, 0].tolist(), x[:, 1].tolist()
    ([10.0, 9.0, 20.0], [5.0, 9.0, 9.4])
    """
    missing = np.isnan(x)
    for j in np.flatnonzero(missing.any(axis=0)):
        column, gaps = x[:, j], missing[:, j]
        if gaps.all():
            column[gaps] = 1.0
            continue
        lo, hi = np.nanmin(column), np.nanmax(column)
        margin = MISSING_MARGIN * (hi - lo)
        column[gaps] = lo - margin if benefit[j] else hi + margin
    return missing


def _no_information(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Criteria with column minimum == maximum: after :func:`impute_worst`, exactly those
    whose known values are all equal (or that have none). Every method gives every row the
    same normalized value on them.
    """
    return hi - lo == 0


def _positive_shift(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Per-column amount :data:`WPM_RULE` adds before the weighted product (0 when lo > 0)."""
    span = hi - lo
    floor = np.where(span > 0, WPM_FLOOR_SHARE * span, 1.0)
    return np.where(lo > 0, 0.0, floor - lo)


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


def score(
    table: pd.DataFrame,
    weights: Mapping[Hashable, float],
    directions: Mapping[Hashable, str],
    *,
    method: Method = "wsm",
    missing: Literal["raise", "worst"] = "raise",
) -> pd.DataFrame:
    """Score and rank sites (or cells) on weighted criteria.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per site, one numeric column per criterion, in the criterion's own unit
        (e.g. ``distance_to_port_km``). Columns without a weight are ignored.
    weights : Mapping
        Criterion id -> weight (>= 0, unitless). Every key takes part; a key with weight 0
        takes part with weight 0 (it has no effect, but is validated and gets a zero
        ``contrib_`` column). Leave a criterion out to drop it. Weights are scaled to sum 1.
    directions : Mapping
        Criterion id -> ``"benefit"`` (higher is better) or ``"cost"`` (lower is better).
        Needed for every weighted criterion; keys must be columns of `table`.
    method : {"wsm", "wpm", "topsis", "promethee"}
        Aggregation; see Notes.
    missing : {"raise", "worst"}
        With ``"raise"`` a NaN in a weighted criterion raises ``ValueError`` naming the
        site and criterion. With ``"worst"`` it follows :data:`MISSING_RULE` (see
        :func:`impute_worst`): it is imputed :data:`MISSING_MARGIN` of the known range
        beyond the worst known value, so for every method its normalized value is strictly
        worse than every known value of that criterion. A criterion whose known values are
        all equal, or that is entirely NaN, becomes a constant (:data:`NO_INFORMATION_RULE`).

    Returns
    -------
    pandas.DataFrame
        Same index as `table`, with columns ``score`` (float, higher is better), ``rank``
        (int64, 1 is best; scores equal to 12 decimals tie and share the best rank, as
        ``rank(method="min", ascending=False)``) and, for the additive methods ``"wsm"``
        and ``"promethee"``, one ``contrib_<criterion>`` column per weighted criterion,
        summing to ``score``. ``attrs`` holds ``"method"``, ``"weights"`` (dict of the
        effective weights, summing to 1), ``"normalized"`` (DataFrame of the normalized
        values the method aggregates), ``"imputed"`` (boolean DataFrame, True where
        a missing value was imputed; all False with ``missing="raise"``; no column is
        added, so the columns do not depend on `missing`), ``"no_information"`` (list of
        the criterion ids whose known values are all equal: every row gets the same
        normalized value and contribution on them, so their weight changes no rank) and
        ``"shifted"`` (dict criterion -> amount added to every value by :data:`WPM_RULE`,
        in the criterion's unit; empty unless ``"wpm"`` met a value <= 0). ``score`` comes
        from the same
        kernel as :func:`score_array`; the contributions sum to it to about 1e-12. Memory:
        the output holds about 1.3x the matrix of weighted criteria (n x m float64), 2.3x
        with the contributions, and the call needs at most 0.6x more while it runs (one
        working copy becomes the normalized values). For a 1,000,000-cell surface rescored
        on every slider move, call :func:`score_array`.

    Raises
    ------
    ValueError
        Unknown method, criterion or direction; a negative or non-finite weight; all
        weights zero; an empty table; a non-numeric criterion; a NaN (with
        ``missing="raise"``) or infinite value.

    Notes
    -----
    With ``x`` the value of site ``i`` on criterion ``j`` and ``w_j`` the weights:

    - ``"wsm"``: ``sum_j w_j r_ij`` with ``r = (x - min) / (max - min)`` for benefit and
      ``(max - x) / (max - min)`` for cost (pymcdm ``WSM(minmax_normalization)``). A
      constant criterion has ``r = 1`` for every row. Score in [0, 1].
    - ``"wpm"``: ``prod_j r_ij ** w_j`` with ``r = x / max`` for benefit and ``min / x``
      for cost, so ``r`` is in (0, 1] and 1 is the best observed value. Needs every
      value > 0: a criterion with a value <= 0 is first shifted by :data:`WPM_RULE` (its
      lowest value becomes :data:`WPM_FLOOR_SHARE` of its range, or 1 if it is constant).
      Score in (0, 1]; normalized values are ``r`` of the shifted values.
    - ``"topsis"``: classic TOPSIS (Hwang & Yoon 1981): ``v = w_j x / ||x_j||``, ideal
      is the column maximum of ``v`` for benefit and minimum for cost, the score is
      ``d- / (d+ + d-)`` with Euclidean distances ``d+`` to the ideal and ``d-`` to the
      anti-ideal; 1.0 when both are zero (a single row, or all rows identical). Score in
      [0, 1]; normalized values are ``x / ||x_j||``.
    - ``"promethee"``: PROMETHEE II net flow with the usual preference function: for
      criterion ``j`` the contribution is ``w_j (#rows strictly worse - #rows strictly
      better) / (n - 1)``; 0 for a single row. Score in [-1, 1]; normalized values are
      the unweighted single-criterion net flows.

    Examples
    --------
    >>> import pandas as pd
    >>> sites = pd.DataFrame({"port_km": [10.0, 40.0, 20.0], "jobs": [5.0, 9.0, 7.0]},
    ...                      index=["Ayr", "Bute", "Cove"])
    >>> result = score(sites, {"port_km": 1, "jobs": 1}, {"port_km": "cost", "jobs": "benefit"})
    >>> result[["score", "rank"]]
             score  rank
    Ayr   0.500000     2
    Bute  0.500000     2
    Cove  0.583333     1
    """
    _check_choice(method, METHODS, "method")
    _check_choice(missing, MISSING, "missing")
    if len(table) == 0:
        msg = "The table has no rows; give at least one site."
        raise ValueError(msg)
    names, w = _check_weights(weights, table.columns)
    benefit = _check_directions(directions, names, table.columns)
    x = _decision_matrix(table, names)
    imputed = impute_worst(x, benefit) if missing == "worst" else np.zeros(x.shape, dtype=bool)
    lo, hi = _column_range(x)  # NaN and infinities reach lo or hi
    if not (np.isfinite(lo).all() and np.isfinite(hi).all()):
        _check_finite(x, table.index, names)
    shift = _positive_shift(lo, hi) if method == "wpm" else np.zeros(len(names))
    if shift.any():
        x += shift
        lo, hi = lo + shift, hi + shift
    values, normalized = _score_in_place(method, x, w, benefit, lo, hi)
    head = _result(table.index, names, w, values, normalized, imputed, method)
    flat = _no_information(lo, hi)
    head.attrs["no_information"] = [n for n, c in zip(names, flat, strict=True) if c]
    head.attrs["shifted"] = {n: float(v) for n, v in zip(names, shift, strict=True) if v}
    return head


def _result(
    index: pd.Index,
    names: list[Hashable],
    w: np.ndarray,
    values: np.ndarray,
    normalized: np.ndarray,
    imputed: np.ndarray,
    method: str,
) -> pd.DataFrame:
    """Assemble the score table with ranks, contributions and attrs (no copies)."""
    ranks = _rank_descending(values)
    if method in _ADDITIVE:
        head = pd.DataFrame(
            np.multiply(normalized, w),
            index=index,
            columns=[f"contrib_{n}" for n in names],
            copy=False,
        )
        head.insert(0, "score", values)
        head.insert(1, "rank", ranks)
    else:
        head = pd.DataFrame({"score": values, "rank": ranks}, index=index, copy=False)
    head.attrs["method"] = method
    head.attrs["weights"] = {name: float(v) for name, v in zip(names, w, strict=True)}
    head.attrs["normalized"] = pd.DataFrame(normalized, index=index, columns=names, copy=False)
    head.attrs["imputed"] = pd.DataFrame(imputed, index=index, columns=names, copy=False)
    return head


def score_array(
    matrix: np.ndarray,
    weights: np.ndarray,
    benefit: np.ndarray,
    method: Method = "wsm",
) -> np.ndarray:
    """Score a large matrix fast: no DataFrame, no ranks, no contributions.

    Same formulas as :func:`score` (see its Notes), meant for suitability surfaces of up to
    about 1,000,000 cells rescored on every slider move. For ``"wsm"`` the min-max
    normalization is folded into the weights, so the score is one matrix-vector product
    plus a constant; ``"wpm"`` and ``"topsis"`` work in row blocks. Extra memory is a few
    vectors of length n plus, for ``"topsis"``/``"wpm"``, one block of rows.

    Parameters
    ----------
    matrix : numpy.ndarray
        Shape (n_rows, n_criteria), finite numbers (float64 avoids a copy).
    weights : numpy.ndarray
        Shape (n_criteria,), finite and >= 0 with a positive sum; scaled to sum 1.
    benefit : numpy.ndarray
        Shape (n_criteria,), boolean: True for benefit (higher is better), False for cost.
    method : {"wsm", "wpm", "topsis", "promethee"}
        Aggregation.

    Returns
    -------
    numpy.ndarray
        Shape (n_rows,), float64 scores, higher is better. The min-max fold of ``"wsm"``
        adds an absolute error of about ``1e-16 * max|x| / (max - min)`` per criterion.

    Raises
    ------
    ValueError
        Wrong shapes or dtypes, an unknown method, invalid weights or a non-finite value
        (naming its row and column). A value <= 0 with ``"wpm"`` is shifted by
        :data:`WPM_RULE`, as in :func:`score`; the input is never modified.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[10.0, 5.0], [40.0, 9.0], [20.0, 7.0]])
    >>> score_array(x, np.array([1.0, 1.0]), np.array([False, True])).round(3)
    array([0.5  , 0.5  , 0.583])
    """
    _check_choice(method, METHODS, "method")
    x = np.asarray(matrix, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] == 0 or x.shape[1] == 0:
        msg = f"matrix has shape {x.shape}; expected (n_rows >= 1, n_criteria >= 1)."
        raise ValueError(msg)
    w = _check_vector(weights, x.shape[1], "weights", np.float64)
    b = _check_vector(benefit, x.shape[1], "benefit", np.bool_)
    w = _normalized_weights(w, range(x.shape[1]))
    lo, hi = _column_range(x)
    if not (np.isfinite(lo).all() and np.isfinite(hi).all()):
        _check_finite(x, range(x.shape[0]), range(x.shape[1]))
    if method == "wpm" and not (lo > 0).all():
        shift = _positive_shift(lo, hi)
        return _wpm(x, w, b, lo + shift, hi + shift, shift)
    return _KERNELS[method](x, w, b, lo, hi)


def _check_vector(values: np.ndarray, size: int, what: str, dtype: type) -> np.ndarray:
    array = np.asarray(values)
    if array.shape != (size,):
        msg = f"{what} has shape {array.shape}; expected ({size},), one per matrix column."
        raise ValueError(msg)
    if dtype is np.bool_ and array.dtype != np.bool_:
        msg = f"benefit has dtype {array.dtype}; expected bool (True = benefit, False = cost)."
        raise ValueError(msg)
    return array.astype(dtype)
