"""Bounds on the work a page does for a large site list: the leaders plus the user's selection.

Ranking, filtering and a table of every site grow linearly with the number of sites, so they
run on all of them. Analyses that grow faster (pairwise crossovers, head-to-head answers, SMAA
rank matrices, method tables) and anything drawn per site in the browser (charts, map
payloads) run on a *focus set*: the :data:`MAX_ANALYSIS_SITES` best-ranked sites plus the
sites the user selected, so a 10,000-site upload costs about what the shipped list costs.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd

__all__ = ["MAX_ANALYSIS_SITES", "focus_sentence", "focus_sites"]

#: Leaders kept for analyses that grow faster than linearly with the number of sites.
MAX_ANALYSIS_SITES = 50


def focus_sites(
    result: pd.DataFrame,
    selected: Sequence[Hashable] = (),
    limit: int = MAX_ANALYSIS_SITES,
) -> pd.Index:
    """The ``limit`` best-ranked sites plus every selected site that is ranked, best first.

    Parameters
    ----------
    result : pandas.DataFrame
        A ranking (:func:`windrose_sites.scoring.score`): index = site ids, a ``rank`` column
        (1 = best). Sites with equal ranks keep their order in `result`.
    selected : Sequence
        Site ids the user selected; they are always kept. Ids not in `result` (filtered out,
        or unknown) are ignored.
    limit : int
        Number of leaders (>= 1).

    Returns
    -------
    pandas.Index
        Site ids of `result`, sorted by rank: at most ``limit + len(selected)`` of them; all
        of them when `result` has ``limit`` rows or fewer.

    Raises
    ------
    ValueError
        ``limit`` is not an integer >= 1, or `result` has no ``rank`` column.

    Examples
    --------
    >>> r = pd.DataFrame({"rank": [3, 1, 4, 2]}, index=["a", "b", "c", "d"])
    >>> focus_sites(r, selected=["c", "zz"], limit=2).tolist()
    ['b', 'd', 'c']
    """
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        msg = f"limit is {limit!r}; give an integer >= 1."
        raise ValueError(msg)
    if "rank" not in result.columns:
        msg = "result has no 'rank' column; pass a ranking from scoring.score."
        raise ValueError(msg)
    by_rank = result["rank"].sort_values(kind="stable").index
    if len(by_rank) <= limit:
        return by_rank
    # no Python set of every site: 10,000 ids would cost more than the rest of the call
    keep = np.zeros(len(by_rank), dtype=bool)
    keep[:limit] = True
    chosen = [s for s in dict.fromkeys(selected) if s in result.index]
    if chosen:
        keep |= by_rank.isin(chosen)
    return by_rank[keep]


def focus_sentence(
    n_ranked: int,
    focus: Sequence[Hashable],
    limit: int = MAX_ANALYSIS_SITES,
    what: str = "This analysis",
) -> str:
    """Say which sites an analysis covers, e.g. for a page caption.

    Parameters
    ----------
    n_ranked : int
        Number of sites in the ranking.
    focus : Sequence
        The sites analysed (from :func:`focus_sites` with the same `limit`).
    limit : int
        The number of leaders `focus` was built with.
    what : str
        Subject of the sentence.

    Returns
    -------
    str
        Plain text without Markdown specials other than a comma and a full stop.

    Examples
    --------
    >>> focus_sentence(10_011, list(range(52)), what="Sensitivity")
    'Sensitivity covers the top 50 of 10,011 ranked sites plus your 2 selected sites.'
    >>> focus_sentence(11, list(range(11)))
    'This analysis covers all 11 ranked sites.'
    """
    if len(focus) >= n_ranked:
        return f"{what} covers all {n_ranked:,} ranked sites."
    extra = len(focus) - min(limit, n_ranked)
    plus = ""
    if extra > 0:
        plus = f" plus your {extra} selected site" + ("s" if extra > 1 else "")
    return f"{what} covers the top {min(limit, n_ranked):,} of {n_ranked:,} ranked sites{plus}."
