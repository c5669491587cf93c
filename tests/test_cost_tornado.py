"""Tornado swings, break-even values and sentences; tariff scenarios."""

from __future__ import annotations

import numpy as np
import pytest

from windrose_sites.cost import (
    TARIFF_SCENARIOS,
    break_even,
    break_even_sentences,
    build_model,
    cost_table,
    tariff_scenario,
    tornado,
)
from windrose_sites.cost.params import CostError
from windrose_sites.cost.tariffs import check_scenario
from windrose_sites.cost.tornado import influential_missing


@pytest.fixture(scope="module")
def model():
    return build_model()


def _totals(m):
    return cost_table(m).set_index("site_id")["total_eur_per_truck"]


def test_tornado_sorted_and_swings_are_differences(model):
    t = tornado(model)
    size = np.maximum(t["swing_leader"].abs(), t["swing_gap"].abs()).to_numpy()
    assert (np.diff(size) <= 1e-9).all()
    assert size[-1] > 0
    assert np.allclose(t["swing_leader"], t["leader_high"] - t["leader_low"])
    leader = t.attrs["leader"]
    assert leader == _totals(model).idxmin()
    row = t.index[0]  # re-evaluate the largest swing by hand
    hi = build_model({row: t.at[row, "high"]}, model.sites, model.params)
    assert _totals(hi)[leader] == pytest.approx(t.at[row, "leader_high"])
    assert (
        model.params.loc[t.index, "distribution"] != "fixed"
    ).all() or "us_section232_pct@US" in t.index


def test_break_even_is_where_the_two_totals_meet(model):
    totals = _totals(model)
    a, b = totals.sort_values().index[:2]
    row = "barge_to_plant_per_feu@onnaing"
    hit = break_even(model, row, a, b)
    assert hit is not None
    x, _side = hit
    at = _totals(build_model({row: x}, model.sites, model.params))
    assert at[a] == pytest.approx(at[b], abs=0.05)


def test_no_break_even_when_a_parameter_moves_both_sites_alike(model):
    totals = _totals(model)
    a, b = totals.sort_values().index[:2]  # both EU sites share the Antwerp lane
    assert break_even(model, "freight_shanghai_antwerp_bruges_usd_per_feu@all", a, b) is None


def test_break_even_sentences_name_sites_and_values(model):
    sentences = break_even_sentences(model)
    assert sentences
    assert any("becomes cheaper than" in s and "(now " in s for s in sentences)
    assert all(s.endswith(".") for s in sentences)


def test_influential_missing_lists_only_missing_rows_that_move_the_total(model):
    used = influential_missing(model)
    assert "feu_per_truck_kit@all" in used["onnaing"]
    assert "barge_to_plant_per_feu@onnaing" in used["onnaing"]
    assert "barge_to_plant_per_feu@onnaing" not in used["antwerp_romeynsweel"]
    kinds = model.params["kind"]
    assert all(kinds[r] == "missing" for rows in used.values() for r in rows)
    assert "feu_per_built_truck@all" not in used["onnaing"]  # no built imports today


def test_tariff_scenarios(model):
    base = cost_table(model).set_index("site_id")
    eu, us = ["antwerp_romeynsweel", "onnaing"], ["huntington_beach_ca", "buckeye_az"]

    def run(name):
        m = build_model(tariff_scenario(name), model.sites, model.params)
        return cost_table(m).set_index("site_id")

    assert np.allclose(run("today")["total_eur_per_truck"], base["total_eur_per_truck"])
    lifted = run("s232_lifted")
    assert (lifted.loc[us, "duty_eur_per_truck"] < base.loc[us, "duty_eur_per_truck"]).all()
    assert np.allclose(lifted.loc[eu, "duty_eur_per_truck"], base.loc[eu, "duty_eur_per_truck"])
    parts = run("eu_parts_at_built_rate")
    ratio = parts.loc[eu, "duty_eur_per_truck"] / base.loc[eu, "duty_eur_per_truck"]
    built, kit = (
        model.params.at[r, "value"] for r in ("eu_built_duty_pct@EU", "eu_parts_duty_pct@EU")
    )
    assert np.allclose(ratio, built / kit)
    assert np.allclose(parts.loc[us, "duty_eur_per_truck"], base.loc[us, "duty_eur_per_truck"])
    imported = run("us_import_built")
    assert np.allclose(imported.loc[us, "capex_eur_per_truck"], 0)
    assert set(TARIFF_SCENARIOS) >= {
        "today",
        "s232_lifted",
        "eu_parts_at_built_rate",
        "us_import_built",
    }


def test_user_defined_scenarios_are_checked(model):
    ok = check_scenario({"us_section232_pct": 10, "feu_per_truck_kit": 2}, model.params)
    assert ok == {"us_section232_pct": 10, "feu_per_truck_kit": 2}
    with pytest.raises(CostError, match="unknown cost parameter"):
        check_scenario({"no_such": 1}, model.params)
    with pytest.raises(CostError, match="mapping"):
        check_scenario([("us_section232_pct", 1)], model.params)  # type: ignore[arg-type]
    with pytest.raises(CostError, match="unknown tariff scenario"):
        tariff_scenario("free_trade")
