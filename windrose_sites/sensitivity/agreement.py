"""Do the methods agree: ranks under wsm, wpm, topsis and promethee, and Kendall's tau-b.

The four methods score the problem's validated decision matrix (no second validation), over
every site of its table, and rank the analysed sites.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from windrose_sites import scoring
from windrose_sites.sensitivity.problem import Problem, min_ranks

__all__ = ["method_agreement"]


def _tau(a: np.ndarray, b: np.ndarray) -> float:
    """Kendall's tau-b, always finite: 1.0 when both rankings tie every site (or there are
    fewer than 2 sites), 0.0 when only one of them does (tau-b itself is undefined there).
    """
    a_tied, b_tied = a.size < 2 or np.ptp(a) == 0, b.size < 2 or np.ptp(b) == 0
    if a_tied or b_tied:
        return 1.0 if a_tied and b_tied else 0.0
    return float(stats.kendalltau(a, b).statistic)


def method_agreement(p: Problem) -> pd.DataFrame:
    """Ranks under wsm, wpm, topsis and promethee side by side, with Kendall's tau per pair.

    Every number returned is finite (the result goes to a browser as JSON, where NaN is not
    valid). Zeros and negative values are scored by every method (wpm by
    :data:`scoring.WPM_RULE`) and missing values follow ``p.missing``
    (:data:`scoring.MISSING_RULE` with ``"worst"``). ``p.method`` plays no part.

    Parameters
    ----------
    p : Problem
        The problem. Each method scores every site of its table, as in the full ranking;
        the ranks are among the analysed sites.

    Returns
    -------
    pandas.DataFrame
        Index ``p.sites``, one column of ranks (``Int64``, 1 = best) per method of
        :data:`scoring.METHODS` that could score the table. ``attrs`` (plain dicts and lists):

        - ``"tau"``: method -> {method -> Kendall's tau-b between the two rankings}, over the
          methods that have a column (``pd.DataFrame(attrs["tau"])`` makes the symmetric
          table). Where tau-b is undefined because a ranking ties every site, it is 1.0
          between two such rankings and 0.0 against any other;
        - ``"all_tied"``: the methods whose ranking ties every site (there tau uses the
          convention above);
        - ``"unavailable"``: method -> reason, for a method that could not score the table
          (it has no column and no tau entry); empty for a valid problem.

    Examples
    --------
    >>> t = pd.DataFrame({"port_km": [10.0, 40.0, 20.0], "jobs": [5.0, 9.0, 8.0]})
    >>> p = Problem(t, {"port_km": 2, "jobs": 1}, {"port_km": "cost", "jobs": "benefit"})
    >>> m = method_agreement(p)
    >>> m.to_numpy().tolist(), round(m.attrs["tau"]["wsm"]["topsis"], 2)
    ([[2, 1, 1, 1], [3, 3, 3, 3], [1, 2, 2, 2]], 0.33)
    """
    # the weights as given: score_array scales them as scoring.score does, bit for bit
    raw = np.array([float(p.raw_weights[c]) for c in p.criteria])
    ranks: dict[str, np.ndarray] = {}
    unavailable: dict[str, str] = {}
    for method in scoring.METHODS:
        try:
            scores = p.pick(scoring.score_array(p.matrix, raw, p.benefit, method))
        except ValueError as exc:  # a guard: a validated matrix scores with every method
            unavailable[method] = str(exc)
            continue
        if not np.isfinite(scores).all():  # a guard: no kernel should get here
            unavailable[method] = "it gave a score that is not a finite number."
            continue
        ranks[method] = min_ranks(scores)
    out = pd.DataFrame({m: pd.array(r, dtype="Int64") for m, r in ranks.items()}, index=p.sites)
    values = {m: out[m].to_numpy(dtype=np.float64) for m in ranks}
    tau = {a: {b: _tau(values[a], values[b]) for b in ranks} for a in ranks}
    all_tied = [m for m, v in values.items() if v.size > 1 and np.ptp(v) == 0]
    out.attrs.update(tau=tau, all_tied=all_tied, unavailable=unavailable)
    return out
