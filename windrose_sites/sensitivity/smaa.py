"""SMAA-2 rank acceptability: how often each site takes each rank under uncertain weights.

Weights are drawn from a Dirichlet law (uniform on the simplex, or concentrated around the
current weights); with :class:`~windrose_sites.sensitivity.values.ValueUncertainty` the
criterion values are drawn too. Every function takes a
:class:`~windrose_sites.sensitivity.problem.Problem`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable, Mapping

import numpy as np
import pandas as pd

from windrose_sites.sensitivity.problem import (
    _CHUNK_CELLS,
    _TIE,
    Problem,
    batch_scores,
    sorted_ranks,
)
from windrose_sites.sensitivity.values import (
    _PROGRESS_BLOCKS,
    ValueUncertainty,
    _value_block,
    _value_blocks,
    value_scores,
)

__all__ = ["acceptability_key", "rank_acceptability", "relative_spread"]


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


def _check_sampling(samples: int, spread: float | None) -> None:
    if not isinstance(samples, (int, np.integer)) or samples < 1:
        msg = f"samples is {samples!r}; give an integer >= 1."
        raise ValueError(msg)
    if spread is not None and not (np.isfinite(spread) and spread > 0):
        msg = f"spread is {spread!r}; give None (uniform weights) or a finite number > 0."
        raise ValueError(msg)


def _analysed(p: Problem, scores: np.ndarray) -> np.ndarray:
    """The analysed sites' columns of (b, n_all) scores over every site of the table."""
    return scores[:, p.rows] if p.subset else scores


def acceptability_key(
    p: Problem, *, samples: int = 10_000, seed: int = 0, spread: float | None = None
) -> str:
    """A digest of everything :func:`rank_acceptability` reads (without ``values``).

    Two calls whose keys are equal return equal tables, so a server can keep the result under
    this key. The key holds the method, the sample size, the seed and the spread; the analysed
    sites and the criteria in their order; the arrays the scores are made of (``p.values``,
    and TOPSIS's distances). The weights are in it only with a ``spread``: uniform sampling
    ("any weights") does not depend on them, so a slider move that keeps the same criteria
    weighted keeps the same key.

    Examples
    --------
    >>> t = pd.DataFrame({"port_km": [10.0, 40.0], "jobs": [5.0, 9.0]}, index=["Ayr", "Bute"])
    >>> d = {"port_km": "cost", "jobs": "benefit"}
    >>> a = Problem(t, {"port_km": 1, "jobs": 1}, d)
    >>> b = Problem(t, {"port_km": 3, "jobs": 1}, d)
    >>> acceptability_key(a) == acceptability_key(b)
    True
    >>> acceptability_key(a, spread=100.0) == acceptability_key(b, spread=100.0)
    False
    """
    _check_sampling(samples, spread)
    h = hashlib.sha256()
    head = (p.method, int(samples), int(seed), spread, len(p.sites), len(p.criteria))
    h.update(repr(head).encode())
    h.update(repr([(type(s).__name__, s) for s in p.sites]).encode())
    h.update(repr([(type(c).__name__, c) for c in p.criteria]).encode())
    arrays = [p.values, p.d_best, p.d_worst] + ([p.weights] if spread is not None else [])
    for a in arrays:
        if a is None:
            h.update(b"none")
        else:
            h.update(repr(a.shape).encode())
            h.update(np.ascontiguousarray(a, dtype=np.float64).tobytes())
    return h.hexdigest()


def rank_acceptability(
    p: Problem,
    *,
    samples: int = 10_000,
    seed: int = 0,
    spread: float | None = None,
    progress: Callable[[float], None] | None = None,
    values: ValueUncertainty | None = None,
) -> pd.DataFrame:
    """SMAA-2 rank acceptability: how often each site takes each rank under uncertain weights.

    With ``values`` the criterion values are uncertain too: every weight sample comes with a
    draw of the values (:func:`sample_values`, rule :data:`VALUE_RULE`), and the sites are
    normalized and scored on that draw exactly as :func:`windrose_sites.scoring.score` would
    (:func:`value_scores`). The acceptabilities then reflect both uncertainties.

    Draws `samples` weight vectors over ``p.criteria`` (every weighted criterion), then
    scores and ranks every analysed site under each, in blocks of about 1M sample x site cells: one
    matrix product, one integer sort per sample row and one ``bincount`` per block, no Python
    loop over samples (all four methods; see :mod:`windrose_sites.sensitivity`).

    Parameters
    ----------
    p : Problem
        The problem. With ``among`` the ranks are among the analysed sites, scored as in the
        full ranking (with ``values``, each draw is normalized over every site of the table).
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
        Rows are the analysed sites (``p.sites``), columns the ranks 1..n, values the share of
        samples in which the site takes that rank; each row sums to 1. Tied sites share the best
        rank (scores within 1e-12), so with ties a column can sum to more than 1. ``attrs`` holds
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
    >>> p = Problem(t, {"port_km": 1, "jobs": 1}, {"port_km": "cost", "jobs": "benefit"})
    >>> rank_acceptability(p).round(2).to_numpy().tolist()
    [[0.5, 0.5], [0.5, 0.5]]
    """
    _check_sampling(samples, spread)
    n = len(p.sites)
    w = _sample_weights(np.random.default_rng(seed), p.weights, int(samples), spread)
    block = max(1, min(_CHUNK_CELLS // n, -(-samples // _PROGRESS_BLOCKS)))
    draws = None
    if values is not None:
        block = _value_block(len(p.table), len(p.criteria), samples)
        draws = _value_blocks(values, p, int(samples), seed, block)
    flat_counts = np.zeros(n * n, dtype=np.int64)
    central = np.zeros((n, len(p.criteria)))
    for start in range(0, samples, block):
        chunk = w[start : start + block]
        scores = (
            batch_scores(p, chunk)
            if draws is None
            else _analysed(p, value_scores(next(draws), chunk, p.benefit, p.method))
        )
        site, rank0 = sorted_ranks(scores)
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
        confidence = _value_confidence(p, values, central_weights, int(samples), seed)
    out.attrs.update(
        method=p.method,
        samples=int(samples),
        seed=seed,
        spread=spread,
        central_weights=central_weights,
        confidence=confidence,
        values=values is not None,
    )
    return out


def _central(p: Problem, totals: np.ndarray, firsts: np.ndarray) -> tuple[dict, dict]:
    """Central weight vectors and confidence factors of the sites that are ever first."""
    ever = np.flatnonzero(firsts)
    central = totals[ever] / firsts[ever, None]
    scores = batch_scores(p, central)
    confident = scores[np.arange(ever.size), ever] >= scores.max(axis=1) - _TIE
    sites = p.sites[ever].tolist()
    return (
        {
            s: dict(zip(p.criteria, map(float, row), strict=True))
            for s, row in zip(sites, central, strict=True)
        },
        {s: float(c) for s, c in zip(sites, confident, strict=True)},
    )


def _value_confidence(
    p: Problem,
    values: ValueUncertainty,
    central: Mapping[Hashable, Mapping[Hashable, float]],
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
    block = _value_block(len(p.table), len(p.criteria), samples)
    for x in _value_blocks(values, p, samples, seed, block):
        for k in range(len(sites)):
            wk = np.broadcast_to(cw[k], (x.shape[0], cw.shape[1]))
            sc = _analysed(p, value_scores(x, wk, p.benefit, p.method))
            hits[k] += (sc[:, pos[k]] >= sc.max(axis=1) - _TIE).sum()
    return {s: float(h / samples) for s, h in zip(sites, hits, strict=True)}
