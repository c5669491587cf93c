"""The validated decision problem every analysis takes, and the batched scoring kernels.

A :class:`Problem` is built once per rerun: it validates the table, weights, directions,
method and missing rule by calling :func:`windrose_sites.scoring.score` once, and rewrites the
method for batched scoring over many weight vectors (see :mod:`windrose_sites.sensitivity`).
With ``among`` the criteria are normalized over every site of the table and only the listed
sites are analysed, so their scores are the full ranking's scores.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from functools import cached_property
from typing import Literal

import numpy as np
import pandas as pd

from windrose_sites import scoring

__all__ = ["Missing", "Problem"]

#: What :func:`windrose_sites.scoring.score` does with a missing value.
Missing = Literal["raise", "worst"]

_TIE = 1e-12  # scores closer than this tie (scoring ranks on 12 decimals)
_RANK_DECIMALS = 12  # scoring.score's ranks: scores equal to 12 decimals tie
_CHUNK_CELLS = 1 << 20  # samples x sites scored per block: ~8 MB per float64 temporary


class Problem:
    """A decision problem, validated once and ready for batched scoring.

    Parameters
    ----------
    table, weights, directions, method, missing
        As :func:`windrose_sites.scoring.score`; every key of `weights` takes part.
    groups : Mapping, optional
        Criterion id -> group name: a group can then be swept, and
        :func:`~windrose_sites.sensitivity.sweep.stability_intervals` gives a row per group.
    names : Mapping, optional
        Site id -> display name, for sentences.
    labels : Mapping, optional
        Criterion (or group) id -> display name, for sentences.
    among : Iterable, optional
        Site ids (index labels of `table`) to analyse, in the order results list them. Every
        criterion is still normalized over all sites of `table`, so each analysed site keeps
        the score it has in the full ranking; ranks are among the analysed sites. Default:
        every site, in table order.

    Attributes
    ----------
    sites : pandas.Index
        The analysed sites.
    criteria : list
        The weighted criteria, in `weights` order.
    weights : numpy.ndarray
        The weights, scaled to sum 1.
    benefit : numpy.ndarray
        True where a criterion is a benefit.
    current : pandas.DataFrame
        ``score`` and ``rank`` of the analysed sites at the current weights (rank 1 = best
        among them; scores equal to 12 decimals tie, as in :func:`scoring.score`).

    Raises
    ------
    ValueError
        Any :func:`scoring.score` error; `among` empty, with a repeated id or an id that is
        not a site of `table`.

    Examples
    --------
    >>> t = pd.DataFrame({"port_km": [10.0, 40.0, 20.0], "jobs": [5.0, 9.0, 7.0]},
    ...                  index=["Ayr", "Bute", "Cove"])
    >>> p = Problem(t, {"port_km": 1, "jobs": 1}, {"port_km": "cost", "jobs": "benefit"},
    ...             among=["Bute", "Ayr"])
    >>> p.current.round(3).to_numpy().tolist()
    [[0.5, 1.0], [0.5, 1.0]]
    """

    def __init__(
        self,
        table: pd.DataFrame,
        weights: Mapping[Hashable, float],
        directions: Mapping[Hashable, str],
        *,
        method: scoring.Method = "wsm",
        missing: Missing = "raise",
        groups: Mapping[Hashable, str] | None = None,
        names: Mapping[Hashable, str] | None = None,
        labels: Mapping[Hashable, str] | None = None,
        among: Iterable[Hashable] | None = None,
    ) -> None:
        scored = scoring.score(table, dict(weights), directions, method=method, missing=missing)
        normalized = scored.attrs["normalized"]
        self.table = table
        self.raw_weights = dict(weights)
        self.directions = dict(directions)
        self.method: scoring.Method = method
        self.missing: Missing = missing
        self.groups, self.names, self.labels = groups, names, labels
        self.criteria: list[Hashable] = list(normalized.columns)
        self.weights = np.array([scored.attrs["weights"][c] for c in self.criteria])
        self.benefit = np.array([directions[c] == "benefit" for c in self.criteria])
        self.rows = _positions(table.index, among)
        self.subset = among is not None
        self.sites: pd.Index = table.index[self.rows] if self.subset else table.index
        v = normalized.to_numpy(dtype=np.float64)
        self.d_best: np.ndarray | None = None  # topsis: (n, m) squared distances to the ideal
        self.d_worst: np.ndarray | None = None  # topsis: (n, m) ... to the anti-ideal
        if method == "topsis":  # the ideal and anti-ideal of all sites, then the analysed rows
            best = np.where(self.benefit, v.max(axis=0), v.min(axis=0))
            worst = np.where(self.benefit, v.min(axis=0), v.max(axis=0))
            mine = self.pick(v)
            self.d_best, self.d_worst = (mine - best) ** 2, (mine - worst) ** 2
        # (n, m): min-max values, net flows, log ratios (wpm) or vector values (topsis)
        self.values = self.pick(np.log(v) if method == "wpm" else v)
        current = scored[["score", "rank"]]
        if self.subset:
            score = current["score"].to_numpy()[self.rows]
            current = pd.DataFrame({"score": score, "rank": min_ranks(score)}, index=self.sites)
        self.current = current

    def pick(self, a: np.ndarray) -> np.ndarray:
        """The analysed sites' rows of an array over every site of the table (axis 0)."""
        return a[self.rows] if self.subset else a

    def name(self, site: Hashable) -> str:
        """Display name of a site (its id when there is no name)."""
        return str(self.names.get(site, site)) if self.names is not None else str(site)

    def label(self, target: Hashable) -> str:
        """Display name of a criterion or group (its id when there is no label)."""
        return str(self.labels.get(target, target)) if self.labels is not None else str(target)

    @cached_property
    def matrix(self) -> np.ndarray:
        """The validated decision matrix of every site (missing values imputed by the rule).

        Built as :func:`scoring.score` builds it (the same layout and imputation), so
        :func:`scoring.score_array` on it gives :func:`scoring.score`'s scores bit for bit.
        """
        x = np.empty((len(self.criteria), len(self.table))).T
        for j, name in enumerate(self.criteria):
            x[:, j] = self.table[name].to_numpy(dtype=np.float64, na_value=np.nan)
        if self.missing == "worst":
            scoring.impute_worst(x, self.benefit)
        return x

    def __repr__(self) -> str:
        return (
            f"Problem({len(self.sites)} of {len(self.table)} sites x {len(self.criteria)} "
            f"criteria, method={self.method!r})"
        )


def _positions(index: pd.Index, among: Iterable[Hashable] | None) -> np.ndarray:
    """Positions in ``index`` of the sites in ``among`` (all positions without it)."""
    if among is None:
        return np.arange(len(index))
    wanted = pd.Index(list(among))
    if wanted.empty:
        msg = "among is empty; give at least one site id (or None for every site)."
        raise ValueError(msg)
    if wanted.has_duplicates:
        msg = f"among repeats {wanted[wanted.duplicated()].unique().tolist()!r}; list each once."
        raise ValueError(msg)
    positions = index.get_indexer(wanted)  # (Index.isin is slow on Arrow strings)
    if (positions < 0).any():
        unknown = wanted[positions < 0].tolist()
        msg = f"among has {unknown!r}, not sites of the table; give index labels."
        raise ValueError(msg)
    return positions


def min_ranks(scores: np.ndarray) -> np.ndarray:
    """1 + the number of scores strictly larger (to 12 decimals): :func:`scoring.score`'s rank."""
    r = np.round(scores, _RANK_DECIMALS)
    return r.size - np.searchsorted(np.sort(r), r, side="right") + 1


def batch_scores(p: Problem, w: np.ndarray) -> np.ndarray:
    """Scores of every analysed site under every weight row: (s, m) weights -> (s, n) scores.

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


def row_scores(p: Problem, w: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Score of analysed site ``k[r]`` under weight row ``w[r]``, for every row r."""
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


def sorted_ranks(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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


def ranks(scores: np.ndarray) -> np.ndarray:
    """1-based min-ranks of every row, in site order: (s, n) int64."""
    site, rank0 = sorted_ranks(scores)
    out = np.empty(scores.shape, dtype=np.int64)
    np.put_along_axis(out, site, rank0 + 1, axis=1)
    return out
