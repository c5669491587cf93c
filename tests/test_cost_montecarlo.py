"""Monte Carlo: same as a plain loop, ordered percentiles, probabilities that sum to 1."""

from __future__ import annotations

import numpy as np
import pytest

from windrose_sites.cost import build_model, cost_table, simulate, simulate_loop, summarise
from windrose_sites.cost.params import CostError


@pytest.fixture(scope="module")
def model():
    return build_model()


def test_vectorised_matches_a_plain_loop(model):
    fast, slow = simulate(model, 40, seed=5), simulate_loop(model, 40, seed=5)
    assert np.array_equal(fast.draws, slow.draws)
    assert np.allclose(fast.totals, slow.totals, rtol=1e-12, atol=1e-9)
    assert np.allclose(fast.npv, slow.npv, rtol=1e-12, atol=1e-12)


def test_percentiles_ordered_and_p_cheapest_sums_to_one(model):
    mc = simulate(model, 3000, seed=2)
    table, gap = summarise(mc, cost_table(model)["total_eur_per_truck"].to_numpy())
    assert (table["total_p10_eur_per_truck"] <= table["total_p50_eur_per_truck"]).all()
    assert (table["total_p50_eur_per_truck"] <= table["total_p90_eur_per_truck"]).all()
    assert table["p_cheapest"].sum() == pytest.approx(1.0)
    assert gap["gap_p10"] <= gap["gap_p50"] <= gap["gap_p90"]
    assert 0 <= gap["p_flip"] <= 1
    assert gap["leader"] != gap["runner_up"]


def test_same_seed_same_draws_other_seed_other_draws(model):
    a, b, c = simulate(model, 200, 1), simulate(model, 200, 1), simulate(model, 200, 2)
    assert np.array_equal(a.totals, b.totals)
    assert not np.array_equal(a.totals, c.totals)


def test_fixed_parameters_give_a_point_distribution(model):
    p = model.params.copy()
    p["distribution"] = "fixed"
    fixed = build_model(sites=model.sites, params=p)
    mc = simulate(fixed, 50, seed=0)
    base = cost_table(fixed)["total_eur_per_truck"].to_numpy()
    assert np.allclose(mc.totals, base[:, None])


@pytest.mark.parametrize("n", [0, -1, 10**7, 2.5, True])
def test_bad_sample_counts_are_refused(model, n):
    with pytest.raises(CostError, match="samples"):
        simulate(model, n)
