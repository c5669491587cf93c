"""Tests of windrose_sites.limits: the focus set of leaders plus the user's selection."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from windrose_sites import limits


def ranking(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ranks = rng.permutation(n) + 1
    return pd.DataFrame({"rank": ranks}, index=[f"s{i}" for i in range(n)])


def test_small_rankings_are_kept_whole_in_rank_order():
    r = ranking(11)
    focus = limits.focus_sites(r, selected=["s3"])
    assert focus.tolist() == r.sort_values("rank").index.tolist()
    assert limits.focus_sentence(11, focus) == "This analysis covers all 11 ranked sites."


def test_large_rankings_keep_the_leaders_plus_the_selection():
    r = ranking(10_011)
    worst = r["rank"].idxmax()
    focus = limits.focus_sites(r, selected=[worst, "not_a_site", r["rank"].idxmin()])
    assert len(focus) == limits.MAX_ANALYSIS_SITES + 1
    assert r.loc[focus[:-1], "rank"].tolist() == list(range(1, 51))
    assert focus[-1] == worst  # the selection comes in rank order, so last
    assert limits.focus_sentence(len(r), focus, what="Sensitivity") == (
        "Sensitivity covers the top 50 of 10,011 ranked sites plus your 1 selected site."
    )


def test_ties_at_the_boundary_keep_the_order_of_the_result():
    r = pd.DataFrame({"rank": [1, 2, 2, 2]}, index=list("abcd"))
    assert limits.focus_sites(r, limit=2).tolist() == ["a", "b"]
    assert limits.focus_sites(r, selected=["d"], limit=2).tolist() == ["a", "b", "d"]


@pytest.mark.parametrize("limit", [0, -1, 2.5, True, "50"])
def test_a_bad_limit_is_refused(limit):
    with pytest.raises(ValueError, match="limit"):
        limits.focus_sites(ranking(3), limit=limit)


def test_a_frame_without_ranks_is_refused():
    with pytest.raises(ValueError, match="rank"):
        limits.focus_sites(pd.DataFrame({"score": [1.0]}))
