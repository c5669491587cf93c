"""Unit, oracle and degenerate-case tests for windrose_sites.sensitivity."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from windrose_sites import sensitivity as sens
from windrose_sites.scoring import METHODS, score, score_array
from windrose_sites.sensitivity import (
    crossovers,
    head_to_head,
    method_agreement,
    rank_acceptability,
    relative_spread,
    stability_intervals,
    weight_sweep,
)

GROUPS = {"c0": "logistics", "c1": "logistics", "c2": "jobs", "c3": "cost"}


def central_table(acc: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame.from_dict(acc.attrs["central_weights"], orient="index")


def problem(seed: int, n: int = 6, m: int = 4):
    """Seeded sites x criteria in their own units, random weights, mixed directions."""
    rng = np.random.default_rng(seed)
    cols = [f"c{j}" for j in range(m)]
    table = pd.DataFrame(
        rng.uniform(1.0, 100.0, size=(n, m)), columns=cols, index=[f"s{i}" for i in range(n)]
    )
    weights = dict(zip(cols, rng.uniform(0.2, 1.0, size=m), strict=True))
    directions = {c: "cost" if j % 3 == 0 else "benefit" for j, c in enumerate(cols)}
    return table, weights, directions


def weights_at(weights: dict, swept: list[str], share: float) -> dict:
    """The weights of a sweep at ``share``, written out independently of the module."""
    total = sum(weights.values())
    inside = sum(weights[c] for c in swept)
    return {
        c: share * w / inside if c in swept else (1 - share) * w / (total - inside)
        for c, w in weights.items()
    }


def brute_scores(table, weights, directions, swept, shares, method):
    """Scores along a sweep, one scoring.score_array call per share (no batching)."""
    benefit = np.array([directions[c] == "benefit" for c in table.columns])
    x = table.to_numpy()
    return np.array(
        [
            score_array(x, np.array(list(weights_at(weights, swept, t).values())), benefit, method)
            for t in shares
        ]
    )


# --------------------------------------------------------------------------- weight_sweep


@pytest.mark.parametrize("method", METHODS)
def test_sweep_scores_and_ranks_equal_scoring_at_the_same_weights(method):
    table, weights, directions = problem(1)
    sweep = weight_sweep(
        table, weights, directions, criterion_or_group="c2", method=method, steps=5
    )
    assert list(sweep.columns) == ["share", "site", "score", "rank"]
    assert len(sweep) == 5 * len(table)
    for share, rows in sweep.groupby("share"):
        expected = score(table, weights_at(weights, ["c2"], share), directions, method=method)
        rows = rows.set_index("site")
        np.testing.assert_allclose(rows["score"], expected["score"], rtol=0, atol=1e-12)
        assert rows["rank"].tolist() == expected["rank"].tolist()


def test_sweep_reproduces_the_current_weights_at_the_current_share():
    table, weights, directions = problem(2)
    sweep = weight_sweep(
        table, weights, directions, criterion_or_group="logistics", groups=GROUPS, steps=3
    )
    t0 = sweep.attrs["current_share"]
    assert t0 == pytest.approx((weights["c0"] + weights["c1"]) / sum(weights.values()))
    assert sweep.attrs["swept"] == ["c0", "c1"]
    # the group keeps its inner proportions: the path passes through the current weights
    mine = weights_at(weights, ["c0", "c1"], t0)
    total = sum(weights.values())
    assert mine == pytest.approx({c: w / total for c, w in weights.items()})


def test_sweep_endpoints_put_all_weight_on_or_off_the_swept_criterion():
    table, weights, directions = problem(3)
    sweep = weight_sweep(table, weights, directions, criterion_or_group="c1", steps=2)
    at_one = sweep[sweep["share"] == 1.0].set_index("site")["score"]
    only = score(table, {"c1": 1.0}, directions)["score"]
    np.testing.assert_allclose(at_one, only, atol=1e-12)


# --------------------------------------------------------------------------- crossovers


def grid_crossings(table, weights, directions, swept, method, steps=1001):
    """(cell, frozenset(pair)) for every order change between neighbouring grid points."""
    shares = np.linspace(0, 1, steps)
    scores = brute_scores(table, weights, directions, swept, shares, method)
    found = set()
    n = scores.shape[1]
    for i in range(n):
        for j in range(i + 1, n):
            sign = np.sign(scores[:, i] - scores[:, j])
            for k in np.flatnonzero(sign[:-1] * sign[1:] < 0):
                found.add((int(k), frozenset((table.index[i], table.index[j]))))
    return found, shares


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("seed", [0, 1])
def test_crossovers_match_a_brute_force_fine_grid(method, seed):
    table, weights, directions = problem(seed)
    expected, shares = grid_crossings(table, weights, directions, ["c1"], method)
    cross = crossovers(table, weights, directions, criterion_or_group="c1", method=method)
    cells = np.searchsorted(shares, cross["share"].to_numpy()) - 1
    got = {
        (int(k), frozenset((r, f)))
        for k, r, f in zip(cells, cross["rising"], cross["falling"], strict=True)
    }
    assert got == expected
    assert cross["share"].is_monotonic_increasing


@pytest.mark.parametrize("method", METHODS)
def test_at_a_crossover_the_two_scores_are_equal(method):
    table, weights, directions = problem(4)
    cross = crossovers(table, weights, directions, criterion_or_group="c0", method=method)
    assert len(cross) > 0
    for row in cross.itertuples():
        result = score(table, weights_at(weights, ["c0"], row.share), directions, method=method)
        assert abs(result.at[row.rising, "score"] - result.at[row.falling, "score"]) < 1e-9
        assert result.at[row.rising, "score"] == pytest.approx(row.score, abs=1e-9)
        # the rising site is ahead just above the share, behind just below
        above = score(
            table, weights_at(weights, ["c0"], row.share + 1e-6), directions, method=method
        )
        below = score(
            table, weights_at(weights, ["c0"], row.share - 1e-6), directions, method=method
        )
        assert above.at[row.rising, "score"] > above.at[row.falling, "score"]
        assert below.at[row.rising, "score"] < below.at[row.falling, "score"]


@pytest.mark.parametrize("method", ["wsm", "topsis"])
def test_leader_changes_where_the_grid_leader_changes(method):
    table, weights, directions = problem(5, n=8)
    cross = crossovers(table, weights, directions, criterion_or_group="c2", method=method)
    shares = np.linspace(0, 1, 2001)
    leaders = table.index[
        brute_scores(table, weights, directions, ["c2"], shares, method).argmax(1)
    ]
    sweep = weight_sweep(
        table, weights, directions, criterion_or_group="c2", method=method, steps=shares.size
    )
    firsts = sweep[sweep["rank"] == 1].set_index("share")["site"]
    assert firsts.index.is_unique
    assert firsts.tolist() == leaders.tolist()
    changes = np.flatnonzero(leaders[1:] != leaders[:-1])
    flagged = cross[cross["leader_changes"]]
    assert len(flagged) == len(changes)
    for k, row in zip(changes, flagged.itertuples(), strict=True):
        assert shares[k] <= row.share <= shares[k + 1]
        assert (row.leader_before, row.leader_after) == (leaders[k], leaders[k + 1])
        assert (row.falling, row.rising) == (leaders[k], leaders[k + 1])


def test_crossover_sentences_are_relative_to_the_current_share():
    table = pd.DataFrame({"port_km": [10.0, 40.0], "jobs": [5.0, 9.0]}, index=["Ayr", "Bute"])
    directions = {"port_km": "cost", "jobs": "benefit"}
    up = crossovers(table, {"port_km": 2, "jobs": 1}, directions, criterion_or_group="jobs")
    assert up["sentence"].tolist() == ["Bute overtakes Ayr when jobs reaches 50.0%"]
    down = crossovers(
        table, {"port_km": 1, "jobs": 2}, directions, criterion_or_group="jobs", label="Jobs"
    )
    assert down["sentence"].tolist() == ["Ayr overtakes Bute when Jobs falls to 50.0%"]


def test_identical_sites_never_cross_and_share_ranks():
    table, weights, directions = problem(6)
    table.loc["twin"] = table.loc["s0"]
    cross = crossovers(table, weights, directions, criterion_or_group="c1")
    pairs = {frozenset(p) for p in zip(cross["rising"], cross["falling"], strict=True)}
    assert frozenset(("s0", "twin")) not in pairs
    sweep = weight_sweep(table, weights, directions, criterion_or_group="c1", steps=11)
    ranks = sweep.pivot(index="share", columns="site", values="rank")
    assert (ranks["s0"] == ranks["twin"]).all()


@settings(max_examples=15, deadline=None)
@given(
    values=hnp.arrays(np.float64, (5, 3), elements=st.integers(1, 6).map(float)),
    raw=hnp.arrays(np.float64, 3, elements=st.floats(0.05, 1.0)),
    method=st.sampled_from(["wsm", "promethee", "wpm"]),
)
def test_property_every_crossing_is_a_tie_and_the_order_flips(values, raw, method):
    """Integer-valued criteria make many exact ties and identical sites: the hard cases."""
    table = pd.DataFrame(values, columns=["a", "b", "c"], index=list("vwxyz"))
    weights = dict(zip(table.columns, raw, strict=True))
    directions = {"a": "benefit", "b": "cost", "c": "benefit"}
    cross = crossovers(table, weights, directions, criterion_or_group="b", method=method)
    assert ((cross["share"] > 0) & (cross["share"] < 1)).all()
    for row in cross.itertuples():
        result = score(table, weights_at(weights, ["b"], row.share), directions, method=method)
        assert abs(result.at[row.rising, "score"] - result.at[row.falling, "score"]) < 1e-9
    acc = rank_acceptability(table, weights, directions, method=method, samples=64)
    np.testing.assert_allclose(acc.sum(axis=1), 1.0)


# --------------------------------------------------------------------------- head_to_head


@pytest.mark.parametrize(
    ("weights", "expected"),
    [
        (
            {"port_km": 2, "jobs": 1},
            (
                "Bute is behind Ayr with jobs at 33.3% of the weight; Bute overtakes Ayr when jobs "
                "reaches 50.0%, and is then first overall."
            ),
        ),
        (
            {"port_km": 1, "jobs": 2},
            (
                "Bute already beats Ayr with jobs at 66.7% of the weight, and more jobs keeps it "
                "ahead; Ayr overtakes Bute if jobs falls to 50.0%."
            ),
        ),
    ],
)
def test_head_to_head_sentences(weights, expected):
    table = pd.DataFrame({"port_km": [10.0, 40.0], "jobs": [5.0, 9.0]}, index=["Ayr", "Bute"])
    directions = {"port_km": "cost", "jobs": "benefit"}
    got = head_to_head(
        table, weights, directions, site="Bute", rival="Ayr", criterion_or_group="jobs"
    )
    assert got == expected


def test_head_to_head_when_nothing_changes_the_order():
    table = pd.DataFrame({"a": [1.0, 2.0], "b": [1.0, 2.0]}, index=["Low", "High"])
    directions = {"a": "benefit", "b": "benefit"}
    kwargs = {"criterion_or_group": "a", "names": {"Low": "Lowtown"}}
    behind = head_to_head(table, {"a": 1, "b": 1}, directions, site="Low", rival="High", **kwargs)
    assert behind.endswith("no weight of a puts Lowtown ahead.")
    ahead = head_to_head(table, {"a": 1, "b": 1}, directions, site="High", rival="Low", **kwargs)
    assert ahead.endswith("stays ahead whatever the weight of a.")
    with pytest.raises(ValueError, match="Unknown site 'Nowhere'"):
        head_to_head(table, {"a": 1, "b": 1}, directions, site="Nowhere", rival="Low", **kwargs)
    with pytest.raises(ValueError, match="two different sites"):
        head_to_head(table, {"a": 1, "b": 1}, directions, site="Low", rival="Low", **kwargs)


# --------------------------------------------------------------------------- stability


@pytest.mark.parametrize("method", METHODS)
def test_stability_intervals_agree_with_the_sweep(method):
    table, weights, directions = problem(7, n=7)
    intervals = stability_intervals(table, weights, directions, method=method)
    assert list(intervals.columns) == ["criterion", "share", "lower", "upper", "leader", "sentence"]
    assert intervals["criterion"].tolist() == list(weights)
    steps = 1001
    for row in intervals.itertuples():
        assert row.lower <= row.share <= row.upper
        sweep = weight_sweep(
            table, weights, directions, criterion_or_group=row.criterion, method=method, steps=steps
        )
        first = sweep[(sweep["site"] == row.leader) & (sweep["rank"] == 1)]["share"].to_numpy()
        # the grid shares where the leader is first, in the run that holds the current share
        inside = first[(first >= row.lower - 1e-12) & (first <= row.upper + 1e-12)]
        assert inside.min() - row.lower < 1 / (steps - 1) + 1e-12
        assert row.upper - inside.max() < 1 / (steps - 1) + 1e-12
        grid = np.linspace(0, 1, steps)
        between = grid[(grid >= row.lower) & (grid <= row.upper)]
        assert np.isin(np.round(between, 9), np.round(inside, 9)).all()


def test_stability_sentences_and_groups():
    table = pd.DataFrame({"port_km": [10.0, 40.0], "jobs": [5.0, 9.0]}, index=["Ayr", "Bute"])
    directions = {"port_km": "cost", "jobs": "benefit"}
    out = stability_intervals(
        table,
        {"port_km": 2, "jobs": 1},
        directions,
        names={"Ayr": "Ayrshire"},
        labels={"jobs": "the jobs group"},
    )
    assert out["sentence"].tolist() == [
        "Ayrshire stays first while port_km is at least 50.0%",
        "Ayrshire stays first while the jobs group is at most 50.0%",
    ]
    table, weights, directions = problem(8)
    grouped = stability_intervals(table, weights, directions, groups=GROUPS)
    assert grouped["criterion"].tolist() == ["logistics", "jobs", "cost"]
    assert grouped["share"].sum() == pytest.approx(1.0)


def test_stability_between_and_whatever_wordings():
    table = pd.DataFrame({"a": [10.0, 0.0, 6.0], "b": [0.0, 10.0, 6.0]}, index=["A", "B", "Mid"])
    directions = {"a": "benefit", "b": "benefit"}
    out = stability_intervals(table, {"a": 1, "b": 1}, directions)
    assert out["sentence"].tolist() == [
        "Mid stays first while a is between 40.0% and 60.0%",
        "Mid stays first while b is between 40.0% and 60.0%",
    ]
    one = stability_intervals(table.loc[["Mid"]], {"a": 1, "b": 1}, directions)
    assert one["sentence"].tolist()[0] == "Mid stays first whatever the weight of a (0% to 100%)"


# --------------------------------------------------------------------------- acceptability


@pytest.mark.parametrize("method", METHODS)
def test_rank_acceptability_rows_sum_to_one(method):
    table, weights, directions = problem(9, n=12)
    acc = rank_acceptability(table, weights, directions, method=method, samples=3000)
    assert acc.index.equals(table.index)
    assert acc.columns.tolist() == list(range(1, 13))
    np.testing.assert_allclose(acc.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(acc.sum(axis=0), 1.0, atol=1e-12)  # no ties here
    assert acc.attrs["samples"] == 3000


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("spread", [None, 5.0])
def test_a_dominated_site_is_never_first(method, spread):
    table, weights, directions = problem(10)
    best = table.iloc[0].copy()
    worse = {c: best[c] * (1.1 if directions[c] == "cost" else 0.9) for c in table.columns}
    table.loc["dominated"] = pd.Series(worse)
    acc = rank_acceptability(table, weights, directions, method=method, samples=2000, spread=spread)
    assert acc.at["dominated", 1] == 0.0
    assert "dominated" not in acc.attrs["central_weights"]


@pytest.mark.parametrize("spread", [None, 10.0])
def test_two_sites_one_criterion_is_deterministic(spread):
    table = pd.DataFrame({"jobs": [5.0, 9.0]}, index=["Ayr", "Bute"])
    acc = rank_acceptability(table, {"jobs": 1}, {"jobs": "benefit"}, samples=500, spread=spread)
    assert acc.to_numpy().tolist() == [[0.0, 1.0], [1.0, 0.0]]
    assert acc.attrs["central_weights"] == {"Bute": {"jobs": 1.0}}
    assert acc.attrs["confidence"] == {"Bute": 1.0}


def test_fixed_seed_is_reproducible_and_independent_of_the_block_size(monkeypatch):
    table, weights, directions = problem(11, n=9)
    a = rank_acceptability(table, weights, directions, samples=2000, seed=7)
    b = rank_acceptability(table, weights, directions, samples=2000, seed=7)
    pd.testing.assert_frame_equal(a, b)
    monkeypatch.setattr(sens.smaa, "_CHUNK_CELLS", 50)
    c = rank_acceptability(table, weights, directions, samples=2000, seed=7)
    pd.testing.assert_frame_equal(a, c)
    pd.testing.assert_frame_equal(central_table(a), central_table(c), rtol=1e-12)
    d = rank_acceptability(table, weights, directions, samples=2000, seed=8)
    assert not a.equals(d)


def slow_acceptability(table, weights, directions, method, samples, seed, spread=None):
    """Independent SMAA-2: a Python loop calling scoring.score once per weight sample."""
    rng = np.random.default_rng(seed)
    names = list(weights)
    w = np.array([weights[c] for c in names], dtype=float)
    w /= w.sum()
    alpha = np.ones_like(w) if spread is None else spread * w
    counts = np.zeros((len(table), len(table)))
    for _ in range(samples):
        sample = dict(zip(names, rng.dirichlet(alpha), strict=True))
        ranks = score(table, sample, directions, method=method)["rank"].to_numpy()
        counts[np.arange(len(table)), ranks - 1] += 1
    return counts / samples


@pytest.mark.parametrize(("method", "spread"), [("wsm", None), ("topsis", None), ("wpm", 20.0)])
def test_rank_acceptability_agrees_with_a_slow_loop_within_monte_carlo_error(method, spread):
    table, weights, directions = problem(12, n=5, m=3)
    fast = rank_acceptability(
        table, weights, directions, method=method, samples=20_000, seed=1, spread=spread
    ).to_numpy()
    slow = slow_acceptability(table, weights, directions, method, 400, seed=99, spread=spread)
    # 4.5 standard errors of the difference of two independent proportions (+ 1 sample)
    p = (fast + slow) / 2
    sigma = np.sqrt(p * (1 - p) * (1 / 20_000 + 1 / 400))
    assert (np.abs(fast - slow) <= 4.5 * sigma + 1 / 400).all()
    assert (slow > 0.05).sum() >= 5  # the check is not vacuous: ranks really vary


def test_central_weights_and_confidence():
    table, weights, directions = problem(13, n=6)
    for method in ("wsm", "topsis"):
        acc = rank_acceptability(table, weights, directions, method=method, samples=4000)
        central, confidence = central_table(acc), pd.Series(acc.attrs["confidence"])
        assert set(central.index) == set(acc.index[acc[1] > 0])
        np.testing.assert_allclose(central.sum(axis=1), 1.0, atol=1e-12)
        assert set(confidence.unique()) <= {0.0, 1.0}
        if method == "wsm":  # the weights where a site is first form a convex set
            assert (confidence == 1.0).all()
        for site in central.index:
            result = score(table, central.loc[site].to_dict(), directions, method=method)
            assert confidence[site] == float(result.at[site, "rank"] == 1)


def test_a_tight_spread_reproduces_the_current_ranking():
    table, weights, directions = problem(14, n=6)
    current = score(table, weights, directions)["rank"]
    acc = rank_acceptability(table, weights, directions, samples=500, spread=1e7)
    for site, rank in current.items():
        assert acc.at[site, rank] == 1.0
    assert relative_spread(weights, 1e7) < 1e-3
    assert relative_spread({"a": 0.5, "b": 0.5}, 99) == pytest.approx(0.1)


def test_zero_weight_stays_zero_around_the_current_weights():
    table, weights, directions = problem(15)
    weights["c3"] = 0.0
    acc = rank_acceptability(table, weights, directions, samples=300, spread=50.0)
    assert (central_table(acc)["c3"] == 0.0).all()
    uniform = rank_acceptability(table, weights, directions, samples=300)
    assert (central_table(uniform)["c3"] > 0).all()


def test_results_survive_pandas_reshaping():
    """attrs hold plain dicts: pandas compares attrs on concat/melt and must not choke."""
    table, weights, directions = problem(25)
    acc = rank_acceptability(table, weights, directions, samples=200)
    agree = method_agreement(table, weights, directions)
    assert len(acc.reset_index().melt(id_vars="index")) == len(table) ** 2
    assert len(pd.concat([acc, acc])) == 2 * len(table)
    assert len(pd.concat([agree, agree.copy()])) == 2 * len(table)


def test_progress_is_reported_up_to_one():
    table, weights, directions = problem(16)
    seen: list[float] = []
    rank_acceptability(table, weights, directions, samples=1000, progress=seen.append)
    assert len(seen) >= 10
    assert seen == sorted(seen)
    assert seen[-1] == 1.0


def test_ties_share_the_best_rank():
    table, weights, directions = problem(17, n=4)
    table.loc["twin"] = table.loc["s1"]
    acc = rank_acceptability(table, weights, directions, samples=1000)
    pd.testing.assert_series_equal(acc.loc["s1"], acc.loc["twin"], check_names=False)
    np.testing.assert_allclose(acc.sum(axis=1), 1.0)


def test_sorted_ranks_match_pandas_min_ranks():
    rng = np.random.default_rng(3)
    scores = np.round(rng.uniform(-1, 1, size=(200, 9)), 1)  # many ties
    scores[:5] = 0.25
    expected = pd.DataFrame(scores).rank(axis=1, method="min", ascending=False).to_numpy()
    np.testing.assert_array_equal(sens._ranks(scores), expected)


# --------------------------------------------------------------------------- method agreement


def test_method_agreement_contract():
    table, weights, directions = problem(18, n=8)
    out = method_agreement(table, weights, directions)
    assert list(out.columns) == list(METHODS)
    for method in METHODS:
        assert (
            out[method].tolist()
            == score(table, weights, directions, method=method)["rank"].tolist()
        )
    tau = pd.DataFrame(out.attrs["tau"])
    np.testing.assert_allclose(np.diag(tau), 1.0)
    np.testing.assert_allclose(tau, tau.T)
    assert out.attrs["unavailable"] == {}


def test_method_agreement_scores_a_zero_with_wpm_and_stays_finite():
    """Issue 11 §9: a zero broke the page with NaN; wpm now shifts it (WPM_RULE)."""
    table, weights, directions = problem(19)
    table.iloc[2, 1] = 0.0
    out = method_agreement(table, weights, directions)
    assert out.attrs["unavailable"] == {}
    assert list(out.columns) == list(METHODS)
    expected = score(table, weights, directions, method="wpm")
    assert out["wpm"].tolist() == expected["rank"].tolist()
    assert expected.attrs["shifted"].keys() == {"c1"}
    tau = pd.DataFrame(out.attrs["tau"])
    assert np.isfinite(tau.to_numpy()).all()
    assert tau.at["wsm", "wpm"] == tau.at["wpm", "wsm"]


def test_method_agreement_tau_is_finite_when_a_ranking_ties_everyone():
    table = pd.DataFrame({"a": [1.0, 1.0]}, index=["x", "y"])
    out = method_agreement(table, {"a": 1}, {"a": "benefit"})
    tau = pd.DataFrame(out.attrs["tau"])
    assert (tau == 1.0).all(axis=None)  # every method ties both sites: the rankings agree
    assert out.attrs["all_tied"] == list(METHODS)
    single = method_agreement(table.iloc[:1], {"a": 1}, {"a": "benefit"})
    assert (pd.DataFrame(single.attrs["tau"]) == 1.0).all(axis=None)
    assert single.attrs["all_tied"] == []


def test_tau_convention_for_one_tied_ranking():
    assert sens._tau(np.array([1.0, 1.0, 1.0]), np.array([1.0, 2.0, 3.0])) == 0.0
    assert sens._tau(np.array([1.0, 2.0, 3.0]), np.array([3.0, 2.0, 1.0])) == -1.0


# --------------------------------------------------------------------------- NaN and errors


def test_missing_worst_passes_through():
    table, weights, directions = problem(20)
    table.iloc[1, 2] = np.nan
    with pytest.raises(ValueError, match="missing='worst'"):
        rank_acceptability(table, weights, directions, samples=10)
    filled = table.copy()
    # c2 is a benefit criterion: MISSING_RULE puts a gap a tenth of the known range below the min
    known = table["c2"].dropna()
    filled.iloc[1, 2] = known.min() - 0.1 * (known.max() - known.min())
    for fn, kwargs in [
        (rank_acceptability, {"samples": 500}),
        (crossovers, {"criterion_or_group": "c2"}),
        (weight_sweep, {"criterion_or_group": "c2"}),
        (stability_intervals, {}),
        (method_agreement, {}),
    ]:
        got = fn(table, weights, directions, missing="worst", **kwargs)
        expected = fn(filled, weights, directions, **kwargs)
        pd.testing.assert_frame_equal(got, expected)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda t, w, d: weight_sweep(t, w, d, criterion_or_group="nope"), "Unknown criterion"),
        (
            lambda t, w, d: weight_sweep(t, w, d, criterion_or_group="c0", steps=1),
            "steps is 1",
        ),
        (lambda t, w, d: crossovers(t, w, d, criterion_or_group="c0", method="x"), "method"),
        (lambda t, w, d: rank_acceptability(t, w, d, samples=0), "samples is 0"),
        (lambda t, w, d: rank_acceptability(t, w, d, spread=0.0), "spread is 0.0"),
        (lambda t, w, d: rank_acceptability(t, w, d, spread=float("inf")), "spread is inf"),
        (lambda t, w, d: stability_intervals(t, dict.fromkeys(w, 0.0), d), "All weights"),
    ],
)
def test_invalid_inputs_raise_clear_errors(call, message):
    table, weights, directions = problem(21)
    with pytest.raises(ValueError, match=message):
        call(table, weights, directions)


def test_sweeping_everything_or_an_empty_group_is_an_error():
    table, weights, directions = problem(22, m=2)
    with pytest.raises(ValueError, match="no other weight to trade"):
        weight_sweep(
            table, weights, directions, criterion_or_group="all", groups={"c0": "all", "c1": "all"}
        )
    with pytest.raises(ValueError, match="no weighted criterion"):
        weight_sweep(
            table, weights, directions, criterion_or_group="x", groups={"c0": "a", "c9": "x"}
        )
    # a criterion holding every weight has no stability row
    only = stability_intervals(table[["c0"]], {"c0": 1.0}, {"c0": directions["c0"]})
    assert only.empty


def test_a_single_site():
    table, weights, directions = problem(23, n=1)
    acc = rank_acceptability(table, weights, directions, samples=50)
    assert acc.to_numpy().tolist() == [[1.0]]
    assert crossovers(table, weights, directions, criterion_or_group="c0").empty
    sweep = weight_sweep(table, weights, directions, criterion_or_group="c0", steps=4)
    assert (sweep["rank"] == 1).all()
    intervals = stability_intervals(table, weights, directions)
    assert (intervals["lower"] == 0.0).all()
    assert (intervals["upper"] == 1.0).all()


def test_a_zero_weight_swept_criterion_is_split_equally_and_other_weights_kept():
    table, weights, directions = problem(24)
    weights = {**weights, "c0": 0.0, "c1": 0.0}
    sweep = weight_sweep(
        table, weights, directions, criterion_or_group="logistics", groups=GROUPS, steps=3
    )
    assert sweep.attrs["current_share"] == 0.0
    half = sweep[sweep["share"] == 0.5].set_index("site")["score"]
    rest = sum(weights.values())
    w = {"c0": 0.25, "c1": 0.25, "c2": 0.5 * weights["c2"] / rest, "c3": 0.5 * weights["c3"] / rest}
    np.testing.assert_allclose(half, score(table, w, directions)["score"], atol=1e-12)


# --------------------------------------------------------------------------- zeros and gaps


@st.composite
def zero_gap_problems(draw):
    """Sites with zeros, negative values and gaps (issue 11 §9: a catchment of 0)."""
    n = draw(st.integers(2, 7))
    m = draw(st.integers(2, 4))
    values = st.sampled_from([0.0, 0.0, -3.0, 1.0, 2.5, 7.0, 40.0])
    matrix = draw(hnp.arrays(np.float64, (n, m), elements=values))
    matrix[draw(hnp.arrays(np.bool_, (n, m), elements=st.booleans()))] = np.nan
    weights = draw(hnp.arrays(np.float64, m, elements=st.integers(0, 5).map(float)))
    weights[draw(st.integers(0, m - 1))] += 1.0
    cols = [f"c{j}" for j in range(m)]
    table = pd.DataFrame(matrix, columns=cols, index=[f"s{i}" for i in range(n)])
    directions = {c: draw(st.sampled_from(["benefit", "cost"])) for c in cols}
    return table, dict(zip(cols, weights, strict=True)), directions


def _all_finite(frame: pd.DataFrame) -> bool:
    numbers = frame.select_dtypes("number").to_numpy(dtype=np.float64)
    return bool(np.isfinite(numbers).all())


@settings(max_examples=40, deadline=None)
@given(problem=zero_gap_problems(), method=st.sampled_from(METHODS))
def test_every_output_is_finite_with_zeros_and_gaps(problem, method):
    """Nothing NaN or infinite reaches the page (NaN is not valid JSON in the frontend)."""
    table, weights, directions = problem
    kw = {"method": method, "missing": "worst"}
    target = "c0"  # m >= 2, so c0 never holds every weighted criterion
    sweep = weight_sweep(table, weights, directions, criterion_or_group=target, steps=5, **kw)
    assert _all_finite(sweep)
    cross = crossovers(table, weights, directions, criterion_or_group=target, **kw)
    assert _all_finite(cross)
    assert _all_finite(stability_intervals(table, weights, directions, **kw))
    acc = rank_acceptability(table, weights, directions, samples=40, **kw)
    assert _all_finite(acc)
    assert all(np.isfinite(v) for v in acc.attrs["confidence"].values())
    sentence = head_to_head(
        table, weights, directions, site="s0", rival="s1", criterion_or_group=target, **kw
    )
    assert "nan" not in sentence.lower()
    assert "inf" not in sentence.lower()
    agree = method_agreement(table, weights, directions, missing="worst")
    assert agree.attrs["unavailable"] == {}
    assert list(agree.columns) == list(METHODS)
    assert agree.notna().all(axis=None)
    assert np.isfinite(pd.DataFrame(agree.attrs["tau"]).to_numpy()).all()


# ------------------------------------------------------------------ uncertain values (SMAA)


def _prov(table: pd.DataFrame, kind: str | dict) -> pd.DataFrame:
    rows = []
    for c in table.columns:
        for s in table.index:
            k = kind if isinstance(kind, str) else kind.get(c, "estimate")
            rows.append({"site_id": s, "criterion": c, "source": f"src {s}", "kind": k})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("method", METHODS)
def test_value_draws_score_as_scoring_score(method):
    """Each value draw is scored exactly as scoring.score would score that table."""
    t, w, d = problem(3, n=7, m=4)
    t.iloc[2, 1] = np.nan  # a missing value stays missing in every draw
    vr = sens.value_ranges(t, _prov(t, "estimate"))
    x = sens.sample_values(t, w, d, vr, samples=40, seed=5, method=method, missing="worst")
    assert x.shape == (40, 7, 4)
    assert np.isnan(x[:, 2, 1]).all()
    ww = np.random.default_rng(1).dirichlet(np.ones(4), size=40)
    benefit = np.array([d[c] == "benefit" for c in w])
    got = sens.value_scores(x, ww, benefit, method)
    for k in range(40):
        draw = pd.DataFrame(x[k], index=t.index, columns=list(w))
        ref = score(draw, dict(zip(w, ww[k], strict=True)), d, method=method, missing="worst")
        np.testing.assert_allclose(got[k], ref["score"].to_numpy(), rtol=0, atol=1e-12)


def test_value_ranges_follow_the_rule_per_kind():
    t = pd.DataFrame({"a": [100.0, 200.0], "b": [10.0, np.nan]}, index=["x", "y"])
    prov = _prov(t, {"a": "official", "b": "user assumption"})
    prov.loc[(prov["criterion"] == "a") & (prov["site_id"] == "y"), "kind"] = "estimate"
    vr = sens.value_ranges(t, prov)
    assert vr.low["a"].tolist() == pytest.approx([99.0, 170.0])
    assert vr.high["a"].tolist() == pytest.approx([101.0, 230.0])
    assert vr.low.at["x", "b"] == vr.high.at["x", "b"] == 10.0  # typed in: fixed
    assert np.isnan(vr.low.at["y", "b"])  # missing stays missing
    assert set(sens.VALUE_SPREAD) >= {"official", "derived", "estimate"}
    assert "±1 %" in sens.VALUE_RULE
    assert "±15 %" in sens.VALUE_RULE


def test_sites_sharing_one_figure_move_together():
    t = pd.DataFrame({"wage": [40.0, 40.0, 50.0], "km": [1.0, 2.0, 3.0]}, index=list("abc"))
    prov = _prov(t, "estimate")
    prov["source"] = "one state table"  # a and b share the value and the source
    vr = sens.value_ranges(t, prov)
    w, d = {"wage": 1.0, "km": 1.0}, {"wage": "cost", "km": "cost"}
    x = sens.sample_values(t, w, d, vr, samples=200, seed=2)
    np.testing.assert_array_equal(x[:, 0, 0], x[:, 1, 0])
    assert not np.array_equal(x[:, 0, 0], x[:, 2, 0])
    assert (x[:, :, 0] >= 34.0 - 1e-9).all()
    assert (x[:, :, 0] <= 57.5 + 1e-9).all()


@pytest.mark.parametrize("method", METHODS)
def test_fixed_values_give_the_weights_only_result(method):
    t, w, d = problem(4, n=6, m=3)
    vr = sens.value_ranges(t, _prov(t, "user assumption"))  # no range anywhere
    plain = rank_acceptability(t, w, d, method=method, samples=500, seed=9)
    both = rank_acceptability(t, w, d, method=method, samples=500, seed=9, values=vr)
    pd.testing.assert_frame_equal(plain, both, atol=0)
    assert both.attrs["values"] is True
    assert both.attrs["confidence"] == pytest.approx(plain.attrs["confidence"])


def test_uncertain_values_change_acceptability_and_confidence():
    """Two sites, one criterion: only the values can make the second one first."""
    t = pd.DataFrame({"cost": [100.0, 104.0], "jobs": [5.0, 5.0]}, index=["a", "b"])
    w, d = {"cost": 1.0, "jobs": 1.0}, {"cost": "cost", "jobs": "benefit"}
    plain = rank_acceptability(t, w, d, samples=2000, seed=1)
    assert plain.at["a", 1] == 1.0
    vr = sens.value_ranges(t, _prov(t, "estimate"))
    both = rank_acceptability(t, w, d, samples=2000, seed=1, values=vr)
    assert 0.5 < both.at["a", 1] < 1.0
    assert both.at["b", 1] > 0.05
    np.testing.assert_allclose(both.sum(axis=1), 1.0)
    conf = both.attrs["confidence"]
    assert 0.5 < conf["a"] < 1.0
    assert conf["b"] < 0.5


def test_joint_draws_are_used_as_given():
    """The landed cost comes from the cost model's Monte Carlo: correlated across sites."""
    t = pd.DataFrame({"cost": [100.0, 101.0], "km": [1.0, 1.0]}, index=["a", "b"])
    w, d = {"cost": 1.0, "km": 1.0}, {"cost": "cost", "km": "cost"}
    common = np.random.default_rng(0).uniform(50, 150, 300)
    joint = pd.DataFrame([common, common + 1.0], index=["a", "b"])  # b is always 1 dearer
    prov = _prov(t, {"cost": "estimate", "km": "user assumption"})  # km fixed: equal
    vr = sens.value_ranges(t, prov, joint={"cost": joint})
    x = sens.sample_values(t, w, d, vr, samples=300, seed=0)
    np.testing.assert_array_equal(x[:, 0, 0], common)
    acc = rank_acceptability(t, w, d, samples=300, seed=0, values=vr)
    assert acc.at["a", 1] == 1.0  # correlated draws never swap them


# ------------------------------------------------------- the Problem and shortlists (among=)

SHORTLIST = ["s4", "s1", "s6"]


@pytest.mark.parametrize("method", METHODS)
def test_a_shortlist_keeps_the_full_rankings_scores(method):
    """among=: normalized over every site, analysed on the shortlist (its scores are the full
    ranking's, its ranks are among the shortlist)."""
    table, weights, directions = problem(30, n=9)
    full = score(table, weights, directions, method=method)
    p = sens.Problem(table, weights, directions, method=method, among=SHORTLIST)
    assert p.sites.tolist() == SHORTLIST
    np.testing.assert_allclose(p.current["score"], full.loc[SHORTLIST, "score"], atol=1e-12)
    expected_rank = full.loc[SHORTLIST, "score"].round(12).rank(method="min", ascending=False)
    assert p.current["rank"].tolist() == expected_rank.astype(int).tolist()
    # along a sweep too: at every share, the full table's scores at those weights
    sweep = sens.sweep.weight_sweep(p, "c2", steps=5)
    for share, rows in sweep.groupby("share"):
        at = score(table, weights_at(weights, ["c2"], share), directions, method=method)
        got = rows.set_index("site")["score"]
        np.testing.assert_allclose(got, at.loc[SHORTLIST, "score"], rtol=0, atol=1e-12)
    # re-scoring the shortlist on its own gives other scores (the old rule)
    alone = score(table.loc[SHORTLIST], weights, directions, method=method)
    assert not np.allclose(alone["score"], p.current["score"], atol=1e-6)


@pytest.mark.parametrize("method", METHODS)
def test_shortlist_acceptability_and_agreement_rank_the_full_scores(method):
    table, weights, directions = problem(31, n=8)
    p = sens.Problem(table, weights, directions, method=method, among=SHORTLIST)
    acc = sens.smaa.rank_acceptability(p, samples=300, seed=4)
    assert acc.index.tolist() == SHORTLIST
    assert list(acc.columns) == [1, 2, 3]
    w = np.random.default_rng(4).dirichlet(np.ones(len(weights)), size=300)
    benefit = np.array([directions[c] == "benefit" for c in table.columns])
    rows = table.index.get_indexer(SHORTLIST)
    firsts = np.zeros(len(SHORTLIST))
    for wk in w:  # one full-table score per sample, then the shortlist's leader
        firsts[np.argmax(score_array(table.to_numpy(), wk, benefit, method)[rows])] += 1
    np.testing.assert_array_equal(acc[1].to_numpy(), firsts / 300)
    agree = sens.agreement.method_agreement(p)
    for m in METHODS:
        s = score(table, weights, directions, method=m).loc[SHORTLIST, "score"]
        assert agree[m].tolist() == s.round(12).rank(method="min", ascending=False).tolist()


@pytest.mark.parametrize("method", METHODS)
def test_agreement_on_a_problem_equals_scoring_score_ranks(method):
    """The agreement scores the validated matrix once per method, without scoring.score: its
    ranks are scoring.score's (gaps, zeros and ties included)."""
    table, weights, directions = problem(32, n=10)
    table.iloc[2, 1] = np.nan
    table.iloc[:4, 3] = 0.0
    table.iloc[5] = table.iloc[6]
    p = sens.Problem(table, weights, directions, method=method, missing="worst")
    agree = sens.agreement.method_agreement(p)
    for m in METHODS:
        expected = score(table, weights, directions, method=m, missing="worst")["rank"]
        assert agree[m].tolist() == expected.tolist()


def test_a_shortlist_of_every_site_is_the_whole_problem_reordered():
    table, weights, directions = problem(33, n=6)
    everyone = list(reversed(table.index))
    a = sens.Problem(table, weights, directions, groups=GROUPS, among=everyone)
    b = sens.Problem(table, weights, directions, groups=GROUPS)
    acc_a = sens.smaa.rank_acceptability(a, samples=500)
    pd.testing.assert_frame_equal(acc_a, sens.smaa.rank_acceptability(b, samples=500).loc[everyone])
    sa, sb = sens.sweep.stability_intervals(a), sens.sweep.stability_intervals(b)
    pd.testing.assert_frame_equal(sa, sb)
    vr = sens.value_ranges(table)
    va = sens.smaa.rank_acceptability(a, samples=200, values=vr)
    vb = sens.smaa.rank_acceptability(b, samples=200, values=vr)
    pd.testing.assert_frame_equal(va, vb.loc[everyone])


@pytest.mark.parametrize(
    ("among", "message"),
    [([], "among is empty"), (["s1", "s1"], "among repeats"), (["s1", "zz"], "not sites")],
)
def test_a_bad_shortlist_is_a_clear_error(among, message):
    table, weights, directions = problem(34)
    with pytest.raises(ValueError, match=message):
        sens.Problem(table, weights, directions, among=among)


def test_a_problem_validates_once_for_every_analysis(monkeypatch):
    """One Problem, every analysis of a page rerun: scoring.score runs once."""
    from windrose_sites import scoring

    calls = []
    real = scoring.score
    monkeypatch.setattr(scoring, "score", lambda *a, **k: calls.append(1) or real(*a, **k))
    table, weights, directions = problem(35, n=7)
    p = sens.Problem(table, weights, directions, method="topsis", missing="worst", groups=GROUPS)
    sens.sweep.weight_sweep(p, "logistics")
    sens.sweep.crossovers(p, "logistics")
    sens.sweep.head_to_head(p, "s1", "s2", "logistics")
    sens.sweep.stability_intervals(p)
    sens.sweep.stability_intervals(p, per="criterion")
    sens.smaa.rank_acceptability(p, samples=100)
    sens.agreement.method_agreement(p)
    assert len(calls) == 1
