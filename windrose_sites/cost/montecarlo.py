"""Monte Carlo over the parameter values: P10/P50/P90, probability cheapest, top-two gap.

Every parameter row is drawn from its distribution (:func:`windrose_sites.cost.params.sample`),
independently, with one seeded ``numpy.random.Generator``; the model is evaluated once on the
whole ``(rows, n)`` matrix. :func:`simulate_loop` evaluates the same draws one by one in a plain
Python loop: the reference for tests and the benchmark.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from windrose_sites.cost.model import CostModel
from windrose_sites.cost.params import CostError, sample

__all__ = ["MAX_SAMPLES", "MonteCarlo", "simulate", "simulate_loop", "summarise"]

#: Largest number of samples accepted (memory: about 12 sites × 10 years × n floats).
MAX_SAMPLES = 200_000


@dataclass(frozen=True)
class MonteCarlo:
    """Draws and totals of one run."""

    sites: list[str]
    draws: np.ndarray  # (rows, n)
    totals: np.ndarray  # (sites, n), EUR per truck
    npv: np.ndarray  # (sites, n), EUR million


def _check_n(n: object) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= MAX_SAMPLES:
        msg = f"samples must be a whole number from 1 to {MAX_SAMPLES:,}, got {n!r}"
        raise CostError(msg)
    return int(n)


def simulate(model: CostModel, n: int, seed: int = 0) -> MonteCarlo:
    """Vectorised Monte Carlo: ``n`` draws of every row, one model evaluation.

    Examples
    --------
    >>> from windrose_sites.cost.model import build_model
    >>> mc = simulate(build_model(), 1000, seed=1)   # doctest: +SKIP
    >>> mc.totals.shape                               # doctest: +SKIP
    (11, 1000)
    """
    n = _check_n(n)
    draws = sample(model.params, n, np.random.default_rng(seed))
    out = model.evaluate(draws)
    return MonteCarlo(model.sites.ids, draws, out["total"], out["npv_10y_eur_m"])


def simulate_loop(model: CostModel, n: int, seed: int = 0) -> MonteCarlo:
    """The same draws as :func:`simulate`, evaluated one sample at a time (reference)."""
    n = _check_n(n)
    draws = sample(model.params, n, np.random.default_rng(seed))
    totals = np.empty((len(model.sites.ids), n))
    npv = np.empty_like(totals)
    for i in range(n):
        out = model.evaluate(draws[:, i : i + 1])
        totals[:, i] = out["total"][:, 0]
        npv[:, i] = out["npv_10y_eur_m"][:, 0]
    return MonteCarlo(model.sites.ids, draws, totals, npv)


def summarise(mc: MonteCarlo, base_totals: np.ndarray | None = None) -> tuple[pd.DataFrame, dict]:
    """Per-site percentiles and probability cheapest; the gap between the top two.

    Parameters
    ----------
    mc : MonteCarlo
    base_totals : numpy.ndarray, optional
        Totals at the parameter values (one per site): they name the leader and runner-up whose
        gap is reported. Default: the two lowest P50.

    Returns
    -------
    (pandas.DataFrame, dict)
        Table indexed by site: ``total_p10_eur_per_truck``, ``total_p50_eur_per_truck``,
        ``total_p90_eur_per_truck`` and ``p_cheapest`` (sums to 1; ties go to the first site).
        Dict: ``leader``, ``runner_up``, ``gap_p10``/``p50``/``p90`` (runner-up minus leader,
        EUR per truck) and ``p_flip`` (share of draws where the runner-up is cheaper).
    """
    p10, p50, p90 = np.percentile(mc.totals, [10, 50, 90], axis=1)
    cheapest = np.argmin(mc.totals, axis=0)
    p_cheapest = np.bincount(cheapest, minlength=len(mc.sites)) / mc.totals.shape[1]
    table = pd.DataFrame(
        {
            "total_p10_eur_per_truck": p10,
            "total_p50_eur_per_truck": p50,
            "total_p90_eur_per_truck": p90,
            "p_cheapest": p_cheapest,
        },
        index=pd.Index(mc.sites, name="site_id"),
    )
    gap: dict = {}
    if len(mc.sites) >= 2:
        key = p50 if base_totals is None else np.asarray(base_totals, float)
        first, second = np.argsort(key, kind="stable")[:2]
        diff = mc.totals[second] - mc.totals[first]
        g10, g50, g90 = np.percentile(diff, [10, 50, 90])
        gap = {
            "leader": mc.sites[first],
            "runner_up": mc.sites[second],
            "gap_p10": float(g10),
            "gap_p50": float(g50),
            "gap_p90": float(g90),
            "p_flip": float(np.mean(diff < 0)),
        }
    return table, gap
