"""Uncertain criterion values for the SMAA: ranges by provenance, seeded draws, their scores.

:func:`value_ranges` gives every value a range by the kind of its source (:data:`VALUE_RULE`);
:func:`sample_values` draws decision tables from those ranges (sites that share one figure
move together); :func:`value_scores` scores a stack of drawn tables as
:func:`windrose_sites.scoring.score` would score each one.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from windrose_sites import scoring
from windrose_sites.sensitivity.problem import Problem

__all__ = [
    "VALUE_RULE",
    "VALUE_SPREAD",
    "ValueUncertainty",
    "sample_values",
    "value_ranges",
    "value_scores",
]

_PROGRESS_BLOCKS = 20  # at least this many blocks, so a progress bar moves

#: Half-width of a value's range relative to the value, by the kind of its provenance. A kind
#: not listed counts as an estimate; ``user assumption`` (a value the user typed) is fixed.
VALUE_SPREAD = {
    "official": 0.01,
    "derived": 0.05,
    "estimate": 0.15,
    "user assumption": 0.0,
}
#: The rule :func:`value_ranges` applies, in words for the pages.
VALUE_RULE = (
    "With uncertain values, each weight sample also draws every criterion value from a "
    "triangular distribution centred on the value: official statistics within ±1 % (near-fixed: "
    "rounding and revisions), derived values (computed from official inputs) within ±5 %, "
    "estimates within ±15 %, and a value you typed in is kept as typed. A missing value stays "
    "missing and counts as worse than the worst known value in every draw. Sites that share "
    "one figure (same criterion, value and source, such as the labour cost of one state) move "
    "together. The landed cost per truck is drawn from the cost model's own Monte Carlo, so "
    "what the sites share (freight, containers per kit, duty) moves all of them at once."
)
_VALUE_CELLS = 1 << 20  # samples x sites x criteria drawn per block: ~8 MB per temporary


@dataclass(frozen=True)
class ValueUncertainty:
    """Ranges of the criterion values, for :func:`.smaa.rank_acceptability`.

    ``value``, ``low`` and ``high`` are tables like the scored one (sites x criteria; NaN =
    missing). ``shared`` holds an integer per cell: cells of one criterion with the same
    integer take the same draw (``None``: every cell its own). ``joint`` maps a criterion to
    ready-made draws, a DataFrame of sites x k draws (draw ``i`` of a sample run is column
    ``i mod k``); its sites take these instead of the triangular law.
    """

    value: pd.DataFrame
    low: pd.DataFrame
    high: pd.DataFrame
    shared: pd.DataFrame | None = None
    joint: Mapping[Hashable, pd.DataFrame] | None = None


def value_ranges(
    table: pd.DataFrame,
    provenance: pd.DataFrame | None = None,
    *,
    spread: Mapping[str, float] | None = None,
    joint: Mapping[Hashable, pd.DataFrame] | None = None,
) -> ValueUncertainty:
    """Ranges of every value of ``table`` by the kind of its provenance (:data:`VALUE_RULE`).

    Parameters
    ----------
    table : pandas.DataFrame
        Sites x criteria, as scored.
    provenance : pandas.DataFrame, optional
        Rows ``site_id``, ``criterion``, ``source``, ``kind`` (as
        :func:`windrose_sites.catalog.provenance`). Without it every value is an estimate and
        no two sites share a draw.
    spread : mapping, optional
        Kind -> relative half-width; default :data:`VALUE_SPREAD`.
    joint : mapping, optional
        Criterion -> draws (sites x k), e.g. the cost model's Monte Carlo of the landed cost.

    Examples
    --------
    >>> t = pd.DataFrame({"km": [100.0, 200.0]}, index=["a", "b"])
    >>> prov = pd.DataFrame({"site_id": ["a", "b"], "criterion": "km", "source": "x",
    ...                      "kind": ["official", "estimate"]})
    >>> r = value_ranges(t, prov)
    >>> r.low["km"].tolist(), r.high["km"].tolist()
    ([99.0, 170.0], [101.0, 230.0])
    """
    spread = VALUE_SPREAD if spread is None else spread
    value = table.apply(pd.to_numeric, errors="coerce").astype(float)
    width = pd.DataFrame(spread.get("estimate", 0.15), index=value.index, columns=value.columns)
    shared = None
    if provenance is not None:
        prov = provenance[
            provenance["site_id"].isin(value.index) & provenance["criterion"].isin(value.columns)
        ].drop_duplicates(["site_id", "criterion"], keep="last")
        kinds = prov.pivot(index="site_id", columns="criterion", values="kind")
        kinds = kinds.reindex(index=value.index, columns=value.columns)
        default = spread.get("estimate", 0.15)
        width = kinds.apply(lambda col: col.map(lambda k: spread.get(k, default)))
        width = width.fillna(default).astype(float)
        source = prov.pivot(index="site_id", columns="criterion", values="source")
        source = source.reindex(index=value.index, columns=value.columns).fillna("").astype(str)
        shared = pd.DataFrame(0, index=value.index, columns=value.columns, dtype=np.int64)
        for c in value.columns:
            key = value[c].map(repr) + "\x00" + source[c] + "\x00" + kinds[c].astype(str)
            shared[c] = pd.factorize(key)[0]
    half = value.abs() * width
    return ValueUncertainty(value, value - half, value + half, shared, joint)


def _value_block(n: int, m: int, samples: int) -> int:
    return max(1, min(_VALUE_CELLS // max(1, n * m), -(-samples // _PROGRESS_BLOCKS)))


def _value_blocks(
    values: ValueUncertainty, p: Problem, samples: int, seed: int, block: int
) -> Iterator[np.ndarray]:
    """Yield the value draws of successive blocks, each (b, n, m) over every site of the
    problem's table, in its criterion order. The draws depend on ``seed`` and the block size
    only.
    """
    cols = list(p.criteria)
    sites = p.table.index
    v = values.value.reindex(index=sites, columns=cols).to_numpy(float)
    lo = values.low.reindex(index=sites, columns=cols).to_numpy(float)
    hi = values.high.reindex(index=sites, columns=cols).to_numpy(float)
    n, m = v.shape
    if values.shared is None:
        gid = np.arange(n * m).reshape(n, m)
    else:
        codes = values.shared.reindex(index=sites, columns=cols).fillna(-1).to_numpy(np.int64)
        gid = codes + np.arange(m) * (codes.max() + 2 if codes.size else 1)
        gid[codes < 0] = -1 - np.arange(int((codes < 0).sum()))
    joint = {c: d for c, d in (values.joint or {}).items() if c in cols}
    fixed = np.zeros((n, m), dtype=bool)
    jdraws = {}
    for c, d in joint.items():
        j = cols.index(c)
        have = d.reindex(sites)
        rows = have.notna().all(axis=1).to_numpy()
        fixed[rows, j] = True
        jdraws[j] = (rows, have.to_numpy(float)[rows])
    vary = (hi > lo) & np.isfinite(v) & ~fixed
    # one draw per group of cells that share a figure
    flat = np.flatnonzero(vary.ravel())
    groups, first = np.unique(gid.ravel()[flat], return_index=True)
    cells = flat[first]
    g_lo, g_mode, g_hi = lo.ravel()[cells], v.ravel()[cells], hi.ravel()[cells]
    member = np.searchsorted(groups, gid.ravel()[flat])
    rng = np.random.default_rng([int(seed), 1])
    for start in range(0, samples, block):
        b = min(block, samples - start)
        x = np.broadcast_to(v, (b, n, m)).copy()
        if groups.size:
            g = rng.triangular(g_lo, g_mode, g_hi, size=(b, groups.size))
            x.reshape(b, n * m)[:, flat] = g[:, member]
        for j, (rows, d) in jdraws.items():
            idx = (start + np.arange(b)) % d.shape[1]
            x[:, rows, j] = d[:, idx].T
        yield x


def sample_values(
    p: Problem, values: ValueUncertainty, *, samples: int = 1_000, seed: int = 0
) -> np.ndarray:
    """The value draws :func:`~windrose_sites.sensitivity.smaa.rank_acceptability` uses with the
    same arguments: (s, n, m), every site of ``p.table`` in its order, criteria in ``p.criteria``
    order.
    """
    block = _value_block(len(p.table), len(p.criteria), samples)
    return np.concatenate(list(_value_blocks(values, p, int(samples), seed, block)))


def value_scores(
    x: np.ndarray, w: np.ndarray, benefit: np.ndarray, method: scoring.Method = "wsm"
) -> np.ndarray:
    """Scores of (b, n, m) value draws under (b, m) weights: (b, n), as :func:`scoring.score`.

    Each draw is one decision table: missing values (NaN) are imputed by
    :data:`scoring.MISSING_RULE`, the weighted product is shifted by :data:`scoring.WPM_RULE`,
    and each method normalizes over that draw's sites, so ``value_scores(x, w, ...)[k]``
    equals ``scoring.score`` of draw ``k`` (to rounding).
    """
    x = np.array(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    w = w / w.sum(axis=1, keepdims=True)
    b = np.asarray(benefit, dtype=bool)
    n = x.shape[1]
    gaps = np.isnan(x)
    if gaps.any():
        with np.errstate(all="ignore"):
            lo, hi = np.nanmin(x, axis=1, keepdims=True), np.nanmax(x, axis=1, keepdims=True)
        margin = scoring.MISSING_MARGIN * (hi - lo)
        fill = np.where(b, lo - margin, hi + margin)
        fill = np.where(np.isnan(fill), 1.0, fill)  # no known value: a constant
        x = np.where(gaps, fill, x)
    lo, hi = x.min(axis=1, keepdims=True), x.max(axis=1, keepdims=True)
    span = hi - lo
    if method == "wsm":
        r = np.divide(x - lo, span, out=np.zeros_like(x), where=span > 0)
        r = np.where(b, r, 1.0 - r)
        r = np.where(span > 0, r, 1.0)
        return np.clip(np.einsum("bnm,bm->bn", r, w), 0.0, 1.0)
    if method == "wpm":
        floor = np.where(span > 0, scoring.WPM_FLOOR_SHARE * span, 1.0)
        shift = np.where(lo > 0, 0.0, floor - lo)
        x, lo, hi = x + shift, lo + shift, hi + shift
        r = np.where(b, x / hi, lo / x)
        return np.clip(np.exp(np.einsum("bnm,bm->bn", np.log(r), w)), 0.0, 1.0)
    if method == "topsis":
        norm = np.sqrt((x * x).sum(axis=1, keepdims=True))
        scale = np.divide(w[:, None, :], norm, out=np.zeros_like(norm * w[:, None, :]),
                          where=norm > 0)  # fmt: skip
        best, worst = np.where(b, hi, lo), np.where(b, lo, hi)
        d_best = np.sqrt((((x - best) * scale) ** 2).sum(axis=2))
        d_worst = np.sqrt((((x - worst) * scale) ** 2).sum(axis=2))
        total = d_best + d_worst
        return np.divide(d_worst, total, out=np.ones_like(total), where=total > 0)
    if n == 1:
        return np.zeros(x.shape[:2])
    out = np.zeros(x.shape[:2])
    for j in range(x.shape[2]):
        col = x[:, :, j]
        flow = np.sign(col[:, :, None] - col[:, None, :]).sum(axis=2) / (n - 1)
        out += w[:, j : j + 1] * (flow if b[j] else -flow)
    return out
