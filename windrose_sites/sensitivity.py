"""How robust is a ranking to its weights: walking weights, SMAA-2, stability, method agreement.

Every function takes the same inputs as :func:`windrose_sites.scoring.score` (``table``,
``weights``, ``directions``, ``method``, ``missing``) and validates them by calling it once at
the current weights. After that the work is batched numpy: the four methods are rewritten as
matrix products over many weight vectors at once,

- ``"wsm"`` and ``"promethee"``: ``scores = W @ V.T`` with ``V`` the min-max values or the
  single-criterion net flows (both are linear in the weights);
- ``"wpm"``: ``log scores = W @ log(R).T`` with ``R`` the ratios to the best value;
- ``"topsis"``: ``d± = sqrt((W * W) @ D±.T)`` with ``D±`` the squared unweighted distances of
  the vector-normalized values to the ideal and anti-ideal (the weights are >= 0, so the
  weighted ideal is the weighted unweighted ideal).

A *sweep* moves the share ``t`` of one criterion (or group) of the total weight from 0 to 1 and
keeps the other weights in proportion: ``w(t) = (1 - t) u + t e``, with ``e`` the swept weights
and ``u`` the others, each scaled to sum 1 (split equally when they are all zero). Along it the
wsm and promethee scores, and the wpm log scores, are linear in ``t``, so crossings are solved
exactly; topsis crossings are bracketed on a 2,001-point grid and bisected to machine precision.
Scores within 1e-12 of each other tie and share the best rank, as in :mod:`scoring`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from windrose_sites import scoring

__all__ = [
    "VALUE_RULE",
    "VALUE_SPREAD",
    "ValueUncertainty",
    "crossovers",
    "head_to_head",
    "method_agreement",
    "rank_acceptability",
    "relative_spread",
    "sample_values",
    "stability_intervals",
    "value_ranges",
    "value_scores",
    "weight_sweep",
]

#: What :func:`windrose_sites.scoring.score` does with a missing value.
_Missing = Literal["raise", "worst"]

_TIE = 1e-12  # scores closer than this tie (scoring ranks on 12 decimals)
_CHUNK_CELLS = 1 << 20  # samples x sites scored per block: ~8 MB per float64 temporary
_PROGRESS_BLOCKS = 20  # at least this many blocks, so a progress bar moves
_TOPSIS_GRID = 2001  # grid that brackets topsis crossings (spacing 0.05 % of the weight)
_BISECTIONS = 60  # halvings of a 5e-4 bracket: below float64 resolution


@dataclass(frozen=True)
class _Problem:
    """A validated problem, rewritten for batched scoring (see the module docstring)."""

    sites: pd.Index
    criteria: list[Hashable]
    weights: np.ndarray  # current weights, sum 1
    method: scoring.Method
    values: np.ndarray  # (n, m): min-max values, net flows, log ratios or vector values
    current: pd.DataFrame  # scoring.score at the current weights
    d_best: np.ndarray | None = None  # topsis: (n, m) squared distances to the ideal
    d_worst: np.ndarray | None = None  # topsis: (n, m) squared distances to the anti-ideal


def _prepare(
    table: pd.DataFrame,
    weights: Mapping[Hashable, float],
    directions: Mapping[Hashable, str],
    method: scoring.Method,
    missing: _Missing,
) -> _Problem:
    current = scoring.score(table, dict(weights), directions, method=method, missing=missing)
    normalized = current.attrs["normalized"]
    names = list(normalized.columns)
    w = np.array([current.attrs["weights"][c] for c in names])
    v = normalized.to_numpy(dtype=np.float64)
    if method == "wpm":
        return _Problem(table.index, names, w, method, np.log(v), current)
    if method == "topsis":
        benefit = np.array([directions[c] == "benefit" for c in names])
        best = np.where(benefit, v.max(axis=0), v.min(axis=0))
        worst = np.where(benefit, v.min(axis=0), v.max(axis=0))
        return _Problem(
            table.index, names, w, method, v, current, (v - best) ** 2, (v - worst) ** 2
        )
    return _Problem(table.index, names, w, method, v, current)


def _batch_scores(p: _Problem, w: np.ndarray) -> np.ndarray:
    """Scores of every site under every weight row: (s, m) weights -> (s, n) scores.

    The products are ``einsum`` rather than ``@``: with ~10 criteria numpy's own loop is as
    fast as single-threaded BLAS, and it never starts BLAS threads, which spin and run several
    times slower when the machine's cores are busy (as on a shared app server).
    """
    if p.method == "topsis":
        assert p.d_best is not None
        assert p.d_worst is not None
        sq = w * w
        d_best = np.sqrt(np.einsum("sm,nm->sn", sq, p.d_best))
        d_worst = np.sqrt(np.einsum("sm,nm->sn", sq, p.d_worst))
        total = d_best + d_worst
        return np.divide(d_worst, total, out=np.ones_like(total), where=total > 0)
    out = np.einsum("sm,nm->sn", w, p.values)
    return np.exp(out, out=out) if p.method == "wpm" else out


def _sorted_ranks(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sort every row best first: ``(site, rank0)``, both (s, n) int64.

    ``site[r, k]`` is the site at position k of row r and ``rank0`` its 0-based min-rank
    (ties share the best). One integer sort per row: the score, rounded to 1e-12 (coarser only
    if the 63-bit key would overflow), sits in the high bits and the site index in the low bits.
    """
    s, n = scores.shape
    bits = max(1, (n - 1).bit_length())
    top = float(np.abs(scores).max())
    scale = 1.0 / _TIE if top * 2.0**bits / _TIE < 2.0**62 else 2.0 ** (62 - bits) / top
    keys = scores * -scale  # ascending keys = best first
    np.rint(keys, out=keys)
    keys = keys.astype(np.int64)
    keys <<= bits
    keys |= np.arange(n)
    keys.sort(axis=1)
    site = keys & ((1 << bits) - 1)
    keys >>= bits
    tie = keys[:, 1:] == keys[:, :-1]
    if not tie.any():
        return site, np.broadcast_to(np.arange(n), (s, n))
    start = np.where(np.pad(tie, ((0, 0), (1, 0))), 0, np.arange(n))
    return site, np.maximum.accumulate(start, axis=1)


def _ranks(scores: np.ndarray) -> np.ndarray:
    """1-based min-ranks of every row, in site order: (s, n) int64."""
    site, rank0 = _sorted_ranks(scores)
    out = np.empty(scores.shape, dtype=np.int64)
    np.put_along_axis(out, site, rank0 + 1, axis=1)
    return out


# ---------------------------------------------------------------------------
# Sweeps and crossings
# ---------------------------------------------------------------------------


def _members(p: _Problem, target: Hashable, groups: Mapping[Hashable, str] | None) -> np.ndarray:
    if target in p.criteria:
        return np.array([c == target for c in p.criteria])
    if groups is not None and target in set(groups.values()):
        mask = np.array([groups.get(c) == target for c in p.criteria])
        if mask.any():
            return mask
        msg = f"Group {target!r} has no weighted criterion; it cannot be swept."
        raise ValueError(msg)
    allowed = list(p.criteria) + ([] if groups is None else sorted(set(groups.values())))
    msg = f"Unknown criterion or group {target!r}; choose one of {allowed!r}."
    raise ValueError(msg)


def _profile(w: np.ndarray, mask: np.ndarray) -> np.ndarray:
    part = np.where(mask, w, 0.0)
    total = part.sum()
    return part / total if total > 0 else mask / mask.sum()


def _direction(
    p: _Problem, mask: np.ndarray, target: Hashable
) -> tuple[np.ndarray, np.ndarray, float]:
    """``(e, u, t0)``: swept and remaining weight profiles and the current swept share."""
    if mask.all():
        msg = f"{target!r} holds every weighted criterion; there is no other weight to trade."
        raise ValueError(msg)
    return _profile(p.weights, mask), _profile(p.weights, ~mask), float(p.weights[mask].sum())


def _path(e: np.ndarray, u: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Weight rows ``(1 - t) u + t e`` for every share in ``t``."""
    return np.outer(1.0 - t, u) + np.outer(t, e)


def _pairs(n: int, first: int | None) -> tuple[np.ndarray, np.ndarray]:
    if first is None:
        return np.triu_indices(n, 1)
    others = np.delete(np.arange(n), first)
    return np.full(others.size, first), others


def _pair_crossings(
    p: _Problem, e: np.ndarray, u: np.ndarray, first: int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shares in (0, 1) where two sites swap order: ``(t, rising, falling)`` site indices.

    ``rising`` is ahead just after ``t`` (larger share), ``falling`` just before. Pairs are all
    pairs, or those of site ``first`` only.
    """
    i, j = _pairs(len(p.sites), first)
    if i.size == 0:
        return np.zeros(0), i, j
    if p.method == "topsis":
        return _topsis_crossings(p, e, u, i, j)
    a, b = p.values @ u, p.values @ e  # (log) score at t = 0 and t = 1
    da, db = a[i] - a[j], b[i] - b[j]
    da[np.abs(da) < _TIE] = 0.0
    db[np.abs(db) < _TIE] = 0.0
    cross = da * db < 0
    da, db, i, j = da[cross], db[cross], i[cross], j[cross]
    i_rises = db > 0
    return da / (da - db), np.where(i_rises, i, j), np.where(i_rises, j, i)


def _row_scores(p: _Problem, w: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Score of site ``k[r]`` under weight row ``w[r]``, for every row r."""
    if p.method == "topsis":
        assert p.d_best is not None
        assert p.d_worst is not None
        sq = w * w
        plus = np.sqrt(np.einsum("ij,ij->i", sq, p.d_best[k]))
        minus = np.sqrt(np.einsum("ij,ij->i", sq, p.d_worst[k]))
        total = plus + minus
        return np.divide(minus, total, out=np.ones_like(total), where=total > 0)
    out = np.einsum("ij,ij->i", w, p.values[k])
    return np.exp(out) if p.method == "wpm" else out


def _topsis_crossings(
    p: _Problem, e: np.ndarray, u: np.ndarray, i: np.ndarray, j: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    grid = np.linspace(0.0, 1.0, _TOPSIS_GRID)
    scores = _batch_scores(p, _path(e, u, grid))
    found: list[tuple[np.ndarray, ...]] = []
    per_block = max(1, _CHUNK_CELLS // _TOPSIS_GRID)
    for start in range(0, i.size, per_block):
        bi, bj = i[start : start + per_block], j[start : start + per_block]
        diff = scores[:, bi] - scores[:, bj]
        sign = np.where(np.abs(diff) < _TIE, 0.0, np.sign(diff))
        # a run of ties takes the sign before it, so +, 0, - is one crossing and +, 0, + none
        last = np.where(sign != 0, np.arange(grid.size)[:, None], 0)
        np.maximum.accumulate(last, axis=0, out=last)
        sign = np.take_along_axis(sign, last, axis=0)
        k, col = np.nonzero(sign[:-1] * sign[1:] < 0)
        found.append((grid[k], grid[k + 1], sign[k, col], bi[col], bj[col]))
    lo, hi, before, ci, cj = (np.concatenate(parts) for parts in zip(*found, strict=True))
    for _ in range(_BISECTIONS):
        mid = 0.5 * (lo + hi)
        w = _path(e, u, mid)
        same = np.sign(_row_scores(p, w, ci) - _row_scores(p, w, cj)) == before
        lo, hi = np.where(same, mid, lo), np.where(same, hi, mid)
    i_rises = before < 0
    return 0.5 * (lo + hi), np.where(i_rises, ci, cj), np.where(i_rises, cj, ci)


def _leaders_between(p: _Problem, e: np.ndarray, u: np.ndarray, cuts: np.ndarray) -> np.ndarray:
    """Leader (site index) in each interval between sorted ``cuts`` (which include 0 and 1)."""
    mids = 0.5 * (cuts[:-1] + cuts[1:])
    block = max(1, _CHUNK_CELLS // len(p.sites))
    parts = [
        np.argmax(_batch_scores(p, _path(e, u, mids[start : start + block])), axis=1)
        for start in range(0, mids.size, block)
    ]
    return np.concatenate(parts)


def _pct(share: float) -> str:
    return f"{100 * share:.1f}%"


def _name(names: Mapping[Hashable, str] | None, site: Hashable) -> str:
    return str(names.get(site, site)) if names is not None else str(site)


def weight_sweep(
    table: pd.DataFrame,
    weights: Mapping[Hashable, float],
    directions: Mapping[Hashable, str],
    *,
    criterion_or_group: Hashable,
    method: scoring.Method = "wsm",
    steps: int = 101,
    groups: Mapping[Hashable, str] | None = None,
    missing: _Missing = "raise",
) -> pd.DataFrame:
    """Score and rank every site while one criterion's (or group's) share goes from 0 to 1.

    Parameters
    ----------
    table, weights, directions, method, missing
        As :func:`windrose_sites.scoring.score`; every key of `weights` takes part.
    criterion_or_group : Hashable
        A key of `weights`, or (with `groups`) a group name: its share of the total weight is
        swept. Inside a group the criteria keep their current proportions; the other weights
        keep theirs. A criterion name wins over a group of the same name.
    steps : int
        Number of equally spaced shares from 0 to 1, both included (>= 2).
    groups : Mapping, optional
        Criterion id -> group name.

    Returns
    -------
    pandas.DataFrame
        Long format, ``steps * n_sites`` rows: ``share`` (0..1), ``site`` (index label of
        `table`), ``score`` and ``rank`` (1 = best, ties share the best rank). ``attrs`` holds
        ``"current_share"``, ``"swept"`` (the criteria moved) and ``"method"``.

    Raises
    ------
    ValueError
        Any :func:`scoring.score` error, an unknown criterion or group, a swept set holding
        every weighted criterion, or ``steps < 2``.

    Examples
    --------
    >>> t = pd.DataFrame({"port_km": [10.0, 40.0], "jobs": [5.0, 9.0]}, index=["Ayr", "Bute"])
    >>> s = weight_sweep(t, {"port_km": 1, "jobs": 1}, {"port_km": "cost", "jobs": "benefit"},
    ...                  criterion_or_group="jobs", steps=3)
    >>> s[s["site"] == "Bute"][["share", "score", "rank"]].to_numpy().tolist()
    [[0.0, 0.0, 2.0], [0.5, 0.5, 1.0], [1.0, 1.0, 1.0]]
    """
    if not isinstance(steps, (int, np.integer)) or steps < 2:
        msg = f"steps is {steps!r}; give an integer >= 2."
        raise ValueError(msg)
    p = _prepare(table, weights, directions, method, missing)
    mask = _members(p, criterion_or_group, groups)
    e, u, t0 = _direction(p, mask, criterion_or_group)
    share = np.linspace(0.0, 1.0, int(steps))
    scores = _batch_scores(p, _path(e, u, share))
    n = len(p.sites)
    out = pd.DataFrame(
        {
            "share": np.repeat(share, n),
            "site": np.tile(p.sites.to_numpy(), share.size),
            "score": scores.ravel(),
            "rank": _ranks(scores).ravel(),
        }
    )
    out.attrs.update(
        current_share=t0,
        swept=[c for c, m in zip(p.criteria, mask, strict=True) if m],
        method=method,
    )
    return out


def _crossing_frame(
    p: _Problem,
    e: np.ndarray,
    u: np.ndarray,
    t0: float,
    label: str,
    names: Mapping[Hashable, str] | None,
) -> pd.DataFrame:
    """Every crossing along the path, with the leaders around it and a sentence."""
    t, rising, falling = _pair_crossings(p, e, u)
    order = np.argsort(t, kind="stable")
    t, rising, falling = t[order], rising[order], falling[order]
    cuts = np.unique(np.concatenate([[0.0, 1.0], np.round(t, 12)]))
    leaders = _leaders_between(p, e, u, cuts)
    # crossing t sits at cuts[k]; the clip guards a share that rounds to 0 or 1
    k = np.clip(np.searchsorted(cuts, np.round(t, 12)), 1, cuts.size - 2)
    before, after = leaders[k - 1], leaders[k]
    pair_score = _row_scores(p, _path(e, u, t), rising)
    sites = p.sites.to_numpy()
    out = pd.DataFrame(
        {
            "share": t,
            "rising": sites[rising],
            "falling": sites[falling],
            "score": pair_score,
            "leader_before": sites[before],
            "leader_after": sites[after],
            "leader_changes": (before == falling) & (after == rising),
        }
    )
    out["sentence"] = [
        _overtake_sentence(_name(names, r), _name(names, f), label, share, t0)
        for r, f, share in zip(out["rising"], out["falling"], out["share"], strict=True)
    ]
    return out


def _overtake_sentence(rising: str, falling: str, label: str, share: float, t0: float) -> str:
    if share >= t0:
        return f"{rising} overtakes {falling} when {label} reaches {_pct(share)}"
    return f"{falling} overtakes {rising} when {label} falls to {_pct(share)}"


def crossovers(
    table: pd.DataFrame,
    weights: Mapping[Hashable, float],
    directions: Mapping[Hashable, str],
    *,
    criterion_or_group: Hashable,
    method: scoring.Method = "wsm",
    steps: int = 101,
    groups: Mapping[Hashable, str] | None = None,
    missing: _Missing = "raise",
    names: Mapping[Hashable, str] | None = None,
    label: str | None = None,
) -> pd.DataFrame:
    """The exact shares at which two sites swap order along :func:`weight_sweep`'s path.

    For wsm and promethee the score, and for wpm the log score, is ``(1 - t) a_i + t b_i``
    along the path, so sites i and j cross at ``t = d_a / (d_a - d_b)`` (``d`` = i minus j)
    when ``d_a`` and ``d_b`` have strictly opposite signs (differences below 1e-12 count as
    ties). For topsis each sign change on a 2,001-point grid is bisected to machine precision;
    two crossings of one pair closer than 0.05 % of the weight could be missed. `steps` is
    accepted for symmetry with :func:`weight_sweep` and not used.

    Parameters
    ----------
    table, weights, directions, criterion_or_group, method, groups, missing
        As :func:`weight_sweep`.
    names : Mapping, optional
        Site id -> display name, for ``sentence``.
    label : str, optional
        Display name of the swept criterion or group (default: its id).

    Returns
    -------
    pandas.DataFrame
        One row per crossing with ``0 < share < 1``, sorted by share: ``share``, ``rising``
        (the site ahead for larger shares), ``falling``, ``score`` (both sites' score there),
        ``leader_before`` and ``leader_after`` (the first site just below and just above the
        share), ``leader_changes`` (True when this pair's crossing is the change of leader)
        and ``sentence``, in words relative to the current share (``attrs["current_share"]``).

    Examples
    --------
    >>> t = pd.DataFrame({"port_km": [10.0, 40.0], "jobs": [5.0, 9.0]}, index=["Ayr", "Bute"])
    >>> c = crossovers(t, {"port_km": 1, "jobs": 1}, {"port_km": "cost", "jobs": "benefit"},
    ...                criterion_or_group="jobs")
    >>> c[["share", "rising", "falling", "leader_changes"]].to_numpy().tolist()
    [[0.5, 'Bute', 'Ayr', True]]
    """
    del steps
    p = _prepare(table, weights, directions, method, missing)
    e, u, t0 = _direction(p, _members(p, criterion_or_group, groups), criterion_or_group)
    shown = str(criterion_or_group) if label is None else label
    out = _crossing_frame(p, e, u, t0, shown, names)
    out.attrs.update(current_share=t0, method=method)
    return out


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
    missing: _Missing = "raise",
    names: Mapping[Hashable, str] | None = None,
    label: str | None = None,
) -> str:
    """Answer in one sentence: would `site` beat `rival` if a criterion mattered more or less.

    Uses :func:`crossovers` of `criterion_or_group` for the pair; the parameters are as there.
    Shares are of the total weight; the sentence says who is first overall after an overtake.

    Examples
    --------
    >>> t = pd.DataFrame({"port_km": [10.0, 40.0], "jobs": [5.0, 9.0]}, index=["Ayr", "Bute"])
    >>> w, d = {"port_km": 2, "jobs": 1}, {"port_km": "cost", "jobs": "benefit"}
    >>> print(head_to_head(t, w, d, site="Bute", rival="Ayr", criterion_or_group="jobs"))
    ... # doctest: +NORMALIZE_WHITESPACE
    Bute is behind Ayr with jobs at 33.3% of the weight; Bute overtakes Ayr when jobs
    reaches 50.0%, and is then first overall.
    """
    p = _prepare(table, weights, directions, method, missing)
    for s in (site, rival):
        if s not in p.sites:
            msg = f"Unknown site {s!r}; choose one of {p.sites.tolist()!r}."
            raise ValueError(msg)
    if site == rival:
        msg = f"site and rival are both {site!r}; give two different sites."
        raise ValueError(msg)
    e, u, t0 = _direction(p, _members(p, criterion_or_group, groups), criterion_or_group)
    shown = str(criterion_or_group) if label is None else label
    frame = _crossing_frame(p, e, u, t0, shown, names)
    pair = {site, rival}
    mine = [{r, f} == pair for r, f in zip(frame["rising"], frame["falling"], strict=True)]
    frame = frame[np.array(mine, dtype=bool)]
    gap = float(p.current.at[site, "score"] - p.current.at[rival, "score"])
    return _duel_sentence(site, rival, gap, frame, t0, shown, names)


def _duel_sentence(
    site: Hashable,
    rival: Hashable,
    gap: float,
    frame: pd.DataFrame,
    t0: float,
    label: str,
    names: Mapping[Hashable, str] | None,
) -> str:
    """Words for :func:`head_to_head` from the pair's crossings and its score gap now."""
    a, b = _name(names, site), _name(names, rival)
    up = frame[frame["share"] > t0].head(1)
    down = frame[frame["share"] < t0].tail(1)
    tied = abs(gap) <= _TIE
    state = "ties with" if tied else ("is behind" if gap < 0 else "already beats")
    head = f"{a} {state} {b} with {label} at {_pct(t0)} of the weight"
    if gap < -_TIE or (tied and len(up) and up["rising"].iloc[0] == site):
        if len(up):
            return f"{head}; {a} overtakes {b} when {label} reaches {_at(up)}{_then(up, names)}."
        if len(down):
            return (
                f"{head}; more {label} does not help, but {a} overtakes {b} if {label} "
                f"falls to {_at(down)}."
            )
        return f"{head}; no weight of {label} puts {a} ahead."
    if len(up) and len(down):
        return f"{head}, and stays ahead while {label} is between {_at(down)} and {_at(up)}."
    if len(up):
        return f"{head}; {b} overtakes {a} if {label} reaches {_at(up)}."
    if len(down):
        return (
            f"{head}, and more {label} keeps it ahead; {b} overtakes {a} if {label} "
            f"falls to {_at(down)}."
        )
    return f"{head}, and stays ahead whatever the weight of {label}."


def _at(row: pd.DataFrame) -> str:
    """The share of a one-row crossing frame, as a percentage."""
    return _pct(row["share"].iloc[0])


def _then(row: pd.DataFrame, names: Mapping[Hashable, str] | None) -> str:
    """Who is first overall just past a one-row crossing frame's share."""
    rising, after = row["rising"].iloc[0], row["leader_after"].iloc[0]
    if rising == after:
        return ", and is then first overall"
    return f" ({_name(names, after)} is first overall there)"


# ---------------------------------------------------------------------------
# Stability intervals
# ---------------------------------------------------------------------------


def _first_interval(
    p: _Problem, e: np.ndarray, u: np.ndarray, t0: float, leader: int
) -> tuple[float, float]:
    """The shares around ``t0`` for which site ``leader`` stays first (ties count as first)."""
    t, _, _ = _pair_crossings(p, e, u, first=leader)
    cuts = np.unique(np.concatenate([[0.0, 1.0, t0], t]))
    mids = 0.5 * (cuts[:-1] + cuts[1:])
    scores = _batch_scores(p, _path(e, u, mids))
    first = scores[:, leader] >= scores.max(axis=1) - _TIE
    k = int(np.searchsorted(cuts, t0))
    lo = hi = k
    while lo > 0 and first[lo - 1]:
        lo -= 1
    while hi < first.size and first[hi]:
        hi += 1
    return float(cuts[lo]), float(cuts[hi])


def _stay_sentence(name: str, label: str, lower: float, upper: float) -> str:
    if lower <= 0 and upper >= 1:
        return f"{name} stays first whatever the weight of {label} (0% to 100%)"
    if lower <= 0:
        return f"{name} stays first while {label} is at most {_pct(upper)}"
    if upper >= 1:
        return f"{name} stays first while {label} is at least {_pct(lower)}"
    return f"{name} stays first while {label} is between {_pct(lower)} and {_pct(upper)}"


def stability_intervals(
    table: pd.DataFrame,
    weights: Mapping[Hashable, float],
    directions: Mapping[Hashable, str],
    *,
    method: scoring.Method = "wsm",
    groups: Mapping[Hashable, str] | None = None,
    missing: _Missing = "raise",
    names: Mapping[Hashable, str] | None = None,
    labels: Mapping[Hashable, str] | None = None,
) -> pd.DataFrame:
    """For each criterion, the range of its weight share within which the leader stays first.

    The share moves as in :func:`weight_sweep` (all other weights in proportion). The bounds
    are crossings from :func:`crossovers` (exact for wsm, wpm and promethee), so the leader is
    first (possibly tied) everywhere in ``[lower, upper]`` and not just outside it.

    Parameters
    ----------
    table, weights, directions, method, missing
        As :func:`windrose_sites.scoring.score`.
    groups : Mapping, optional
        Criterion id -> group name. When given, there is one row per group (the group's share
        moves, its criteria in proportion) instead of one per criterion.
    names : Mapping, optional
        Site id -> display name, for ``sentence``.
    labels : Mapping, optional
        Criterion (or group) id -> display name, for ``sentence``.

    Returns
    -------
    pandas.DataFrame
        One row per criterion (or group): ``criterion`` (its id, or the group name),
        ``share`` (current share, 0..1), ``lower`` and ``upper`` (0..1), ``leader`` (site id of
        the current leader, the first rank-1 site of :func:`scoring.score`) and ``sentence``,
        e.g. "Antwerp stays first while logistics is between 18.0% and 64.0%". A criterion or
        group that holds every weight has no row (there is nothing to trade against).

    Examples
    --------
    >>> t = pd.DataFrame({"port_km": [10.0, 40.0], "jobs": [5.0, 9.0]}, index=["Ayr", "Bute"])
    >>> w, d = {"port_km": 2, "jobs": 1}, {"port_km": "cost", "jobs": "benefit"}
    >>> for sentence in stability_intervals(t, w, d)["sentence"]:
    ...     print(sentence)
    Ayr stays first while port_km is at least 50.0%
    Ayr stays first while jobs is at most 50.0%
    """
    p = _prepare(table, weights, directions, method, missing)
    leader_id = p.current.index[int(np.argmax(p.current["rank"].to_numpy() == 1))]
    leader = p.sites.get_loc(leader_id)
    targets = (
        p.criteria if groups is None else list(dict.fromkeys(groups.get(c) for c in p.criteria))
    )
    rows = []
    for target in targets:
        mask = _members(p, target, groups)
        if mask.all():
            continue
        e, u, t0 = _direction(p, mask, target)
        lower, upper = _first_interval(p, e, u, t0, leader)
        shown = str(labels.get(target, target)) if labels is not None else str(target)
        rows.append(
            (
                target,
                t0,
                lower,
                upper,
                leader_id,
                _stay_sentence(_name(names, leader_id), shown, lower, upper),
            )
        )
    return pd.DataFrame(
        rows, columns=["criterion", "share", "lower", "upper", "leader", "sentence"]
    )


# ---------------------------------------------------------------------------
# SMAA-2 rank acceptability
# ---------------------------------------------------------------------------


def _sample_weights(
    rng: np.random.Generator, w: np.ndarray, samples: int, spread: float | None
) -> np.ndarray:
    alpha = np.ones_like(w) if spread is None else spread * w
    return rng.dirichlet(alpha, size=samples)


def relative_spread(weights: Mapping[Hashable, float], spread: float) -> float:
    """Typical relative deviation of a weight when sampling with concentration `spread`.

    With Dirichlet(``spread * w``) a weight ``w_j`` has standard deviation
    ``sqrt(w_j (1 - w_j) / (spread + 1))``; this returns the weight-averaged ratio of that to
    ``w_j``, ``sum_j sqrt(w_j (1 - w_j) / (spread + 1))``, so a page can say "give or take 20%".

    Examples
    --------
    >>> round(relative_spread({"a": 0.5, "b": 0.5}, 99), 3)
    0.1
    """
    if not (np.isfinite(spread) and spread > 0):
        msg = f"spread is {spread!r}; give a finite number > 0."
        raise ValueError(msg)
    w = pd.Series(weights, dtype=np.float64).to_numpy()
    w = w / w.sum()
    return float(np.sqrt(w * (1 - w) / (spread + 1)).sum())


def rank_acceptability(
    table: pd.DataFrame,
    weights: Mapping[Hashable, float],
    directions: Mapping[Hashable, str],
    *,
    method: scoring.Method = "wsm",
    samples: int = 10_000,
    seed: int = 0,
    spread: float | None = None,
    missing: _Missing = "raise",
    progress: Callable[[float], None] | None = None,
    values: ValueUncertainty | None = None,
) -> pd.DataFrame:
    """SMAA-2 rank acceptability: how often each site takes each rank under uncertain weights.

    With ``values`` the criterion values are uncertain too: every weight sample comes with a
    draw of the values (:func:`sample_values`, rule :data:`VALUE_RULE`), and the sites are
    normalized and scored on that draw exactly as :func:`windrose_sites.scoring.score` would
    (:func:`value_scores`). The acceptabilities then reflect both uncertainties.

    Draws `samples` weight vectors over the criteria of `weights` (every key takes part), then
    scores and ranks every site under each, in blocks of about 1M sample x site cells: one
    matrix product, one integer sort per sample row and one ``bincount`` per block, no Python
    loop over samples (all four methods; see the module docstring).

    Parameters
    ----------
    table, weights, directions, method, missing
        As :func:`windrose_sites.scoring.score`.
    samples : int
        Number of weight vectors (>= 1).
    seed : int
        Seed of ``numpy.random.default_rng``: the same seed gives the same result.
    spread : float, optional
        None: weights uniform on the simplex, Dirichlet(1, ..., 1) ("any weights"). A number
        > 0: Dirichlet(``spread * w``) around the current weights ``w`` ("the current weights
        give or take"): the mean is ``w``, larger is tighter (see :func:`relative_spread`), and
        a criterion with weight 0 stays 0.
    progress : callable, optional
        Called with the fraction done (0..1] after each block (e.g. a progress bar).

    Returns
    -------
    pandas.DataFrame
        Rows are sites (index of `table`), columns the ranks 1..n, values the share of samples
        in which the site takes that rank; each row sums to 1. Tied sites share the best rank
        (scores within 1e-12), so with ties a column can sum to more than 1. ``attrs`` holds
        plain dicts (no DataFrames, so pandas can still concat, melt and copy the result):

        - ``"central_weights"``: site -> {criterion -> weight} for every site that is ever
          first: the mean of the weight vectors under which it is first (SMAA-2 central
          weight vector); ``pd.DataFrame.from_dict(..., orient="index")`` makes a table;
        - ``"confidence"``: site -> SMAA-2 confidence factor, the probability that the site
          is first at its central weights when the criterion values are uncertain. Our values
          are exact, so it is 1.0 when the site is first (possibly tied) at its central weights
          and 0.0 when it is not. For wsm, wpm and promethee the weights under which a site is
          first form a convex set that holds their mean, so it is always 1.0; only topsis
          can give 0.0;
        - ``"method"``, ``"samples"``, ``"seed"``, ``"spread"``.

    References
    ----------
    Lahdelma, R. & Salminen, P. (2001). SMAA-2: Stochastic multicriteria acceptability
    analysis for group decision making. Operations Research 49(3), 444-454.

    Examples
    --------
    >>> t = pd.DataFrame({"port_km": [10.0, 40.0], "jobs": [5.0, 9.0]}, index=["Ayr", "Bute"])
    >>> a = rank_acceptability(t, {"port_km": 1, "jobs": 1}, {"port_km": "cost", "jobs": "benefit"})
    >>> a.round(2).to_numpy().tolist()
    [[0.5, 0.5], [0.5, 0.5]]
    """
    if not isinstance(samples, (int, np.integer)) or samples < 1:
        msg = f"samples is {samples!r}; give an integer >= 1."
        raise ValueError(msg)
    if spread is not None and not (np.isfinite(spread) and spread > 0):
        msg = f"spread is {spread!r}; give None (uniform weights) or a finite number > 0."
        raise ValueError(msg)
    p = _prepare(table, weights, directions, method, missing)
    n = len(p.sites)
    w = _sample_weights(np.random.default_rng(seed), p.weights, int(samples), spread)
    block = max(1, min(_CHUNK_CELLS // n, -(-samples // _PROGRESS_BLOCKS)))
    draws = None
    if values is not None:
        benefit = np.array([directions[c] == "benefit" for c in p.criteria])
        block = _value_block(n, len(p.criteria), samples)
        draws = _value_blocks(values, p, int(samples), seed, block)
    flat_counts = np.zeros(n * n, dtype=np.int64)
    central = np.zeros((n, len(p.criteria)))
    for start in range(0, samples, block):
        chunk = w[start : start + block]
        scores = (
            _batch_scores(p, chunk)
            if draws is None
            else value_scores(next(draws), chunk, benefit, method)
        )
        site, rank0 = _sorted_ranks(scores)
        first = site[:, 0]
        rows: slice | np.ndarray = slice(None)
        if n > 1 and (rank0[:, 1] == 0).any():  # ties for first: every tied site is first
            rows, cols = np.nonzero(rank0 == 0)
            first = site[rows, cols]
        np.add.at(central, first, chunk[rows])
        site *= n
        site += rank0
        flat_counts += np.bincount(site.ravel(), minlength=n * n)
        if progress is not None:
            progress(min(start + block, samples) / samples)
    counts = flat_counts.reshape(n, n)
    out = pd.DataFrame(
        counts / samples, index=p.sites, columns=pd.RangeIndex(1, n + 1, name="rank")
    )
    central_weights, confidence = _central(p, central, counts[:, 0])
    if values is not None:
        confidence = _value_confidence(p, values, central_weights, benefit, int(samples), seed)
    out.attrs.update(
        method=method,
        samples=int(samples),
        seed=seed,
        spread=spread,
        central_weights=central_weights,
        confidence=confidence,
        values=values is not None,
    )
    return out


def _central(p: _Problem, totals: np.ndarray, firsts: np.ndarray) -> tuple[dict, dict]:
    """Central weight vectors and confidence factors of the sites that are ever first."""
    ever = np.flatnonzero(firsts)
    central = totals[ever] / firsts[ever, None]
    scores = _batch_scores(p, central)
    confident = scores[np.arange(ever.size), ever] >= scores.max(axis=1) - _TIE
    sites = p.sites[ever].tolist()
    return (
        {
            s: dict(zip(p.criteria, map(float, row), strict=True))
            for s, row in zip(sites, central, strict=True)
        },
        {s: float(c) for s, c in zip(sites, confident, strict=True)},
    )


# ---------------------------------------------------------------------------
# Method agreement
# ---------------------------------------------------------------------------


def _tau(a: np.ndarray, b: np.ndarray) -> float:
    """Kendall's tau-b, always finite: 1.0 when both rankings tie every site (or there are
    fewer than 2 sites), 0.0 when only one of them does (tau-b itself is undefined there).
    """
    a_tied, b_tied = a.size < 2 or np.ptp(a) == 0, b.size < 2 or np.ptp(b) == 0
    if a_tied or b_tied:
        return 1.0 if a_tied and b_tied else 0.0
    return float(stats.kendalltau(a, b).statistic)


def method_agreement(
    table: pd.DataFrame,
    weights: Mapping[Hashable, float],
    directions: Mapping[Hashable, str],
    *,
    missing: _Missing = "raise",
) -> pd.DataFrame:
    """Ranks under wsm, wpm, topsis and promethee side by side, with Kendall's tau per pair.

    Every number returned is finite (the result goes to a browser as JSON, where NaN is not
    valid). Zeros and negative values are scored by every method (wpm by
    :data:`scoring.WPM_RULE`) and missing values follow :data:`scoring.MISSING_RULE`.

    Parameters
    ----------
    table, weights, directions, missing
        As :func:`windrose_sites.scoring.score`.

    Returns
    -------
    pandas.DataFrame
        Index of `table`, one column of ranks (``Int64``, 1 = best) per method of
        :data:`scoring.METHODS` that could score the table. ``attrs`` (plain dicts and lists):

        - ``"tau"``: method -> {method -> Kendall's tau-b between the two rankings}, over the
          methods that have a column (``pd.DataFrame(attrs["tau"])`` makes the symmetric
          table). Where tau-b is undefined because a ranking ties every site, it is 1.0
          between two such rankings and 0.0 against any other;
        - ``"all_tied"``: the methods whose ranking ties every site (there tau uses the
          convention above);
        - ``"unavailable"``: method -> reason, for a method that could not score the table
          (it has no column and no tau entry); empty for any table wsm can score.

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
    ranks: dict[str, pd.Series] = {}
    unavailable: dict[str, str] = {}
    for method in scoring.METHODS:
        try:
            result = scoring.score(table, dict(weights), directions, method=method, missing=missing)
        except ValueError as exc:
            if method == "wsm":
                raise
            unavailable[method] = str(exc)
            continue
        if not np.isfinite(result["score"]).all():  # a guard: no kernel should get here
            unavailable[method] = "it gave a score that is not a finite number."
            continue
        ranks[method] = result["rank"].astype("Int64")
    out = pd.DataFrame(ranks, index=table.index)
    values = {m: out[m].to_numpy(dtype=np.float64) for m in ranks}
    tau = {a: {b: _tau(values[a], values[b]) for b in ranks} for a in ranks}
    all_tied = [m for m, v in values.items() if v.size > 1 and np.ptp(v) == 0]
    out.attrs.update(tau=tau, all_tied=all_tied, unavailable=unavailable)
    return out


# ---------------------------------------------------------------------------
# Uncertain criterion values (SMAA with values and weights)
# ---------------------------------------------------------------------------

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
    """Ranges of the criterion values, for :func:`rank_acceptability`.

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


def _value_blocks(values: ValueUncertainty, p: _Problem, samples: int, seed: int, block: int):
    """Yield the value draws of successive blocks, each (b, n, m) in ``p``'s site and
    criterion order. The draws depend on ``seed`` and the block size only.
    """
    cols = list(p.criteria)
    v = values.value.reindex(index=p.sites, columns=cols).to_numpy(float)
    lo = values.low.reindex(index=p.sites, columns=cols).to_numpy(float)
    hi = values.high.reindex(index=p.sites, columns=cols).to_numpy(float)
    n, m = v.shape
    if values.shared is None:
        gid = np.arange(n * m).reshape(n, m)
    else:
        codes = values.shared.reindex(index=p.sites, columns=cols).fillna(-1).to_numpy(np.int64)
        gid = codes + np.arange(m) * (codes.max() + 2 if codes.size else 1)
        gid[codes < 0] = -1 - np.arange(int((codes < 0).sum()))
    joint = {c: d for c, d in (values.joint or {}).items() if c in cols}
    fixed = np.zeros((n, m), dtype=bool)
    jdraws = {}
    for c, d in joint.items():
        j = cols.index(c)
        have = d.reindex(p.sites)
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
    table: pd.DataFrame,
    weights: Mapping[Hashable, float],
    directions: Mapping[Hashable, str],
    values: ValueUncertainty,
    *,
    samples: int = 1_000,
    seed: int = 0,
    method: scoring.Method = "wsm",
    missing: _Missing = "raise",
) -> np.ndarray:
    """The value draws :func:`rank_acceptability` uses with the same arguments: (s, n, m),
    sites in ``table`` order, criteria in ``weights`` order.
    """
    p = _prepare(table, weights, directions, method, missing)
    block = _value_block(len(p.sites), len(p.criteria), samples)
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


def _value_confidence(
    p: _Problem,
    values: ValueUncertainty,
    central: Mapping[Hashable, Mapping[Hashable, float]],
    benefit: np.ndarray,
    samples: int,
    seed: int,
) -> dict:
    """SMAA-2 confidence: the share of value draws in which a site is first (possibly tied)
    at its central weights.
    """
    if not central:
        return {}
    sites = list(central)
    cw = np.array([[central[s][c] for c in p.criteria] for s in sites])
    pos = np.array([p.sites.get_loc(s) for s in sites])
    hits = np.zeros(len(sites))
    block = _value_block(len(p.sites), len(p.criteria), samples)
    for x in _value_blocks(values, p, samples, seed, block):
        for k in range(len(sites)):
            sc = value_scores(x, np.broadcast_to(cw[k], (x.shape[0], cw.shape[1])), benefit,
                              p.method)  # fmt: skip
            hits[k] += (sc[:, pos[k]] >= sc.max(axis=1) - _TIE).sum()
    return {s: float(h / samples) for s, h in zip(sites, hits, strict=True)}
