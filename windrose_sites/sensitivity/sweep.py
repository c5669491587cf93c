"""One-at-a-time weight sweeps: scores along the sweep, crossovers, head-to-head, stability.

A *sweep* moves the share ``t`` of one criterion (or group) of the total weight from 0 to 1 and
keeps the other weights in proportion: ``w(t) = (1 - t) u + t e``, with ``e`` the swept weights
and ``u`` the others, each scaled to sum 1 (split equally when they are all zero). Along it the
wsm and promethee scores, and the wpm log scores, are linear in ``t``, so crossings are solved
exactly; topsis crossings are bracketed on a 2,001-point grid and bisected to machine precision.
Every function takes a :class:`~windrose_sites.sensitivity.problem.Problem`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping

import numpy as np
import pandas as pd

from windrose_sites.sensitivity import wording
from windrose_sites.sensitivity.problem import (
    _CHUNK_CELLS,
    _TIE,
    Problem,
    batch_scores,
    ranks,
    row_scores,
)

__all__ = ["crossovers", "head_to_head", "stability_intervals", "weight_sweep"]

_TOPSIS_GRID = 2001  # grid that brackets topsis crossings (spacing 0.05 % of the weight)
_BISECTIONS = 60  # halvings of a 5e-4 bracket: below float64 resolution


def _members(p: Problem, target: Hashable) -> np.ndarray:
    groups = p.groups
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
    p: Problem, mask: np.ndarray, target: Hashable
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
    p: Problem, e: np.ndarray, u: np.ndarray, first: int | None = None
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


def _topsis_crossings(
    p: Problem, e: np.ndarray, u: np.ndarray, i: np.ndarray, j: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    grid = np.linspace(0.0, 1.0, _TOPSIS_GRID)
    scores = batch_scores(p, _path(e, u, grid))
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
        same = np.sign(row_scores(p, w, ci) - row_scores(p, w, cj)) == before
        lo, hi = np.where(same, mid, lo), np.where(same, hi, mid)
    i_rises = before < 0
    return 0.5 * (lo + hi), np.where(i_rises, ci, cj), np.where(i_rises, cj, ci)


def _leaders_between(p: Problem, e: np.ndarray, u: np.ndarray, cuts: np.ndarray) -> np.ndarray:
    """Leader (site index) in each interval between sorted ``cuts`` (which include 0 and 1)."""
    mids = 0.5 * (cuts[:-1] + cuts[1:])
    block = max(1, _CHUNK_CELLS // len(p.sites))
    parts = [
        np.argmax(batch_scores(p, _path(e, u, mids[start : start + block])), axis=1)
        for start in range(0, mids.size, block)
    ]
    return np.concatenate(parts)


def weight_sweep(p: Problem, criterion_or_group: Hashable, *, steps: int = 101) -> pd.DataFrame:
    """Score and rank every analysed site while one criterion's (or group's) share goes 0 -> 1.

    Parameters
    ----------
    p : Problem
        The problem; its ``groups`` name the groups that can be swept.
    criterion_or_group : Hashable
        A weighted criterion, or a group name: its share of the total weight is swept. Inside
        a group the criteria keep their current proportions; the other weights keep theirs.
        A criterion name wins over a group of the same name.
    steps : int
        Number of equally spaced shares from 0 to 1, both included (>= 2).

    Returns
    -------
    pandas.DataFrame
        Long format, ``steps * n_sites`` rows: ``share`` (0..1), ``site`` (site id), ``score``
        and ``rank`` (1 = best among the analysed sites, ties share the best rank). ``attrs``
        holds ``"current_share"``, ``"swept"`` (the criteria moved) and ``"method"``.

    Raises
    ------
    ValueError
        An unknown criterion or group, a swept set holding every weighted criterion, or
        ``steps < 2``.

    Examples
    --------
    >>> t = pd.DataFrame({"port_km": [10.0, 40.0], "jobs": [5.0, 9.0]}, index=["Ayr", "Bute"])
    >>> p = Problem(t, {"port_km": 1, "jobs": 1}, {"port_km": "cost", "jobs": "benefit"})
    >>> s = weight_sweep(p, "jobs", steps=3)
    >>> s[s["site"] == "Bute"][["share", "score", "rank"]].to_numpy().tolist()
    [[0.0, 0.0, 2.0], [0.5, 0.5, 1.0], [1.0, 1.0, 1.0]]
    """
    _check_steps(steps)
    mask = _members(p, criterion_or_group)
    e, u, t0 = _direction(p, mask, criterion_or_group)
    share = np.linspace(0.0, 1.0, int(steps))
    scores = batch_scores(p, _path(e, u, share))
    n = len(p.sites)
    out = pd.DataFrame(
        {
            "share": np.repeat(share, n),
            "site": np.tile(p.sites.to_numpy(), share.size),
            "score": scores.ravel(),
            "rank": ranks(scores).ravel(),
        }
    )
    out.attrs.update(
        current_share=t0,
        swept=[c for c, m in zip(p.criteria, mask, strict=True) if m],
        method=p.method,
    )
    return out


def _check_steps(steps: int) -> None:
    if not isinstance(steps, (int, np.integer)) or steps < 2:
        msg = f"steps is {steps!r}; give an integer >= 2."
        raise ValueError(msg)


def _crossing_frame(
    p: Problem, e: np.ndarray, u: np.ndarray, t0: float, label: str | None = None
) -> pd.DataFrame:
    """Every crossing along the path, with the leaders around it and (with a label) a
    sentence.
    """
    t, rising, falling = _pair_crossings(p, e, u)
    order = np.argsort(t, kind="stable")
    t, rising, falling = t[order], rising[order], falling[order]
    cuts = np.unique(np.concatenate([[0.0, 1.0], np.round(t, 12)]))
    leaders = _leaders_between(p, e, u, cuts)
    # crossing t sits at cuts[k]; the clip guards a share that rounds to 0 or 1
    k = np.clip(np.searchsorted(cuts, np.round(t, 12)), 1, cuts.size - 2)
    before, after = leaders[k - 1], leaders[k]
    pair_score = row_scores(p, _path(e, u, t), rising)
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
    if label is not None:
        out["sentence"] = [
            wording.overtake_sentence(p.name(r), p.name(f), label, share, t0)
            for r, f, share in zip(out["rising"], out["falling"], out["share"], strict=True)
        ]
    return out


def _namer(p: Problem, names: Mapping | None) -> Callable[[Hashable], str]:
    if names is None:
        return p.name
    return lambda site: str(names.get(site, site))


def crossovers(
    p: Problem, criterion_or_group: Hashable, *, label: str | None = None
) -> pd.DataFrame:
    """The exact shares at which two analysed sites swap order along :func:`weight_sweep`'s path.

    For wsm and promethee the score, and for wpm the log score, is ``(1 - t) a_i + t b_i``
    along the path, so sites i and j cross at ``t = d_a / (d_a - d_b)`` (``d`` = i minus j)
    when ``d_a`` and ``d_b`` have strictly opposite signs (differences below 1e-12 count as
    ties). For topsis each sign change on a 2,001-point grid is bisected to machine precision;
    two crossings of one pair closer than 0.05 % of the weight could be missed.

    Parameters
    ----------
    p, criterion_or_group
        As :func:`weight_sweep`. Sentences name the sites by ``p.names``.
    label : str, optional
        Display name of the swept criterion or group (default: ``p.label(criterion_or_group)``).

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
    >>> p = Problem(t, {"port_km": 1, "jobs": 1}, {"port_km": "cost", "jobs": "benefit"})
    >>> crossovers(p, "jobs")[["share", "rising", "falling", "leader_changes"]].to_numpy().tolist()
    [[0.5, 'Bute', 'Ayr', True]]
    """
    e, u, t0 = _direction(p, _members(p, criterion_or_group), criterion_or_group)
    shown = p.label(criterion_or_group) if label is None else label
    out = _crossing_frame(p, e, u, t0, shown)
    out.attrs.update(current_share=t0, method=p.method)
    return out


def head_to_head(
    p: Problem,
    site: Hashable,
    rival: Hashable,
    criterion_or_group: Hashable,
    *,
    names: Mapping[Hashable, str] | None = None,
    label: str | None = None,
) -> str:
    """Answer in one sentence: would `site` beat `rival` if a criterion mattered more or less.

    Uses :func:`crossovers` of `criterion_or_group` for the pair. Shares are of the total
    weight; the sentence says who is first (among the analysed sites) after an overtake.
    `names` (site id -> display name) overrides ``p.names``, e.g. with Markdown-escaped names.

    Examples
    --------
    >>> t = pd.DataFrame({"port_km": [10.0, 40.0], "jobs": [5.0, 9.0]}, index=["Ayr", "Bute"])
    >>> p = Problem(t, {"port_km": 2, "jobs": 1}, {"port_km": "cost", "jobs": "benefit"})
    >>> print(head_to_head(p, "Bute", "Ayr", "jobs"))  # doctest: +NORMALIZE_WHITESPACE
    Bute is behind Ayr with jobs at 33.3% of the weight; Bute overtakes Ayr when jobs
    reaches 50.0%, and is then first overall.
    """
    for s in (site, rival):
        if s not in p.sites:
            msg = f"Unknown site {s!r}; choose one of {p.sites.tolist()!r}."
            raise ValueError(msg)
    if site == rival:
        msg = f"site and rival are both {site!r}; give two different sites."
        raise ValueError(msg)
    e, u, t0 = _direction(p, _members(p, criterion_or_group), criterion_or_group)
    shown = p.label(criterion_or_group) if label is None else label
    frame = _crossing_frame(p, e, u, t0)  # no sentences: the pair's rows are told below
    rising, falling = frame["rising"], frame["falling"]
    mine = ((rising == site) & (falling == rival)) | ((rising == rival) & (falling == site))
    frame = frame[mine.to_numpy(dtype=bool)]
    gap = float(p.current.at[site, "score"] - p.current.at[rival, "score"])
    return wording.duel_sentence(site, rival, gap, frame, t0, shown, _namer(p, names))


def _first_interval(
    p: Problem, e: np.ndarray, u: np.ndarray, t0: float, leader: int
) -> tuple[float, float]:
    """The shares around ``t0`` for which site ``leader`` stays first (ties count as first)."""
    t, _, _ = _pair_crossings(p, e, u, first=leader)
    cuts = np.unique(np.concatenate([[0.0, 1.0, t0], t]))
    mids = 0.5 * (cuts[:-1] + cuts[1:])
    scores = batch_scores(p, _path(e, u, mids))
    first = scores[:, leader] >= scores.max(axis=1) - _TIE
    k = int(np.searchsorted(cuts, t0))
    lo = hi = k
    while lo > 0 and first[lo - 1]:
        lo -= 1
    while hi < first.size and first[hi]:
        hi += 1
    return float(cuts[lo]), float(cuts[hi])


def stability_intervals(p: Problem, *, per: str | None = None) -> pd.DataFrame:
    """For each criterion or group, the range of its share within which the leader stays first.

    The share moves as in :func:`weight_sweep` (all other weights in proportion). The bounds
    are crossings from :func:`crossovers` (exact for wsm, wpm and promethee), so the leader is
    first (possibly tied) everywhere in ``[lower, upper]`` and not just outside it.

    Parameters
    ----------
    p : Problem
        The problem; sentences name sites by ``p.names`` and criteria or groups by
        ``p.labels``.
    per : {"group", "criterion"}, optional
        One row per group of ``p.groups`` (the group's share moves, its criteria in
        proportion) or per criterion. Default: per group when ``p.groups`` is set.

    Returns
    -------
    pandas.DataFrame
        One row per criterion (or group): ``criterion`` (its id, or the group name),
        ``share`` (current share, 0..1), ``lower`` and ``upper`` (0..1), ``leader`` (site id of
        the current leader, the first rank-1 site of ``p.current``) and ``sentence``,
        e.g. "Antwerp stays first while logistics is between 18.0% and 64.0%". A criterion or
        group that holds every weight has no row (there is nothing to trade against).

    Examples
    --------
    >>> t = pd.DataFrame({"port_km": [10.0, 40.0], "jobs": [5.0, 9.0]}, index=["Ayr", "Bute"])
    >>> p = Problem(t, {"port_km": 2, "jobs": 1}, {"port_km": "cost", "jobs": "benefit"})
    >>> for sentence in stability_intervals(p)["sentence"]:
    ...     print(sentence)
    Ayr stays first while port_km is at least 50.0%
    Ayr stays first while jobs is at most 50.0%
    """
    if per is None:
        per = "criterion" if p.groups is None else "group"
    if per not in ("group", "criterion") or (per == "group" and p.groups is None):
        msg = f"per is {per!r}; give 'criterion', or 'group' for a problem with groups."
        raise ValueError(msg)
    groups = p.groups if per == "group" else None
    leader_id = p.current.index[int(np.argmax(p.current["rank"].to_numpy() == 1))]
    leader = p.sites.get_loc(leader_id)
    targets = (
        p.criteria if groups is None else list(dict.fromkeys(groups.get(c) for c in p.criteria))
    )
    rows = []
    for target in targets:
        mask = _members(p, target)
        if mask.all():
            continue
        e, u, t0 = _direction(p, mask, target)
        lower, upper = _first_interval(p, e, u, t0, leader)
        sentence = wording.stay_sentence(p.name(leader_id), p.label(target), lower, upper)
        rows.append((target, t0, lower, upper, leader_id, sentence))
    return pd.DataFrame(
        rows, columns=["criterion", "share", "lower", "upper", "leader", "sentence"]
    )
