import pandas as pd
import pytest

from windrose_sites import catalog
from windrose_sites import ranking as decision  # the module was windrose_sites.decision
from windrose_sites import state as ws


@pytest.fixture
def inputs():
    crit = catalog.load_criteria()
    default = ws.default_state(list(dict.fromkeys(crit["group"])), crit["default_weight"])
    return catalog.criteria_table(), catalog.site_attributes(), crit, default


def test_filters_say_which_filter_removed_a_site(inputs):
    _, attrs, _, _ = inputs
    f = ws.Filters(min_area_ha=5.0)
    reasons = decision.apply_filters(attrs, f)
    assert reasons["antwerp_romeynsweel"] == ""  # 9.5 ha polygon
    assert reasons["onnaing"] == ""  # a point, but announced as 22 ha in site_facts.csv
    f = ws.Filters(min_area_ha=30.0)
    reasons = decision.apply_filters(attrs, f)
    assert "22.0 ha (announced) < minimum 30 ha" in reasons["onnaing"]
    assert "9.5 ha (geometry)" in reasons["antwerp_romeynsweel"]
    f = ws.Filters(max_port_km=200.0, countries=("US",))
    reasons = decision.apply_filters(attrs, f)
    assert "km to gateway port" in reasons["tucson_az"]
    assert "country BE" in reasons["antwerp_romeynsweel"]


def test_evaluate_ranks_only_kept_sites(inputs):
    table, attrs, crit, state = inputs
    from dataclasses import replace

    ranking = decision.evaluate(
        table, attrs, crit, replace(state, filters=ws.Filters(countries=("US",)))
    )
    assert set(ranking.result.index) == set(attrs.index[attrs["country"] == "US"])
    assert ranking.weights.sum() == pytest.approx(1.0)
    assert (ranking.removed != "").all()


def test_all_filtered_or_all_zero_is_a_clear_error(inputs):
    table, attrs, crit, state = inputs
    from dataclasses import replace

    with pytest.raises(ValueError, match="filtered out"):
        decision.evaluate(
            table,
            attrs,
            crit,
            replace(state, filters=ws.Filters(min_area_ha=1e5, keep_unknown_area=False)),
        )
    zero = replace(state, group_weights=dict.fromkeys(state.group_weights, 0.0))
    with pytest.raises(ValueError, match="weight"):
        decision.evaluate(table, attrs, crit, zero)


def test_logistics_at_100_percent_ranks_by_logistics_only(inputs):
    table, attrs, crit, state = inputs
    from dataclasses import replace

    only = {g: (100.0 if g == "logistics" else 0.0) for g in state.group_weights}
    result = decision.evaluate(table, attrs, crit, replace(state, group_weights=only)).result
    logistics = crit.index[crit["group"] == "logistics"]
    assert set(result.attrs["weights"]) == set(logistics)
    expected = pd.Series(0.0, index=table.index)
    for c in logistics:
        x = table[c]
        expected += ((x.max() - x) / (x.max() - x.min())) * result.attrs["weights"][c]
    assert result["score"].to_numpy() == pytest.approx(expected.to_numpy())


def test_area_filter_keeps_unknown_areas_marked_and_says_why_for_every_removed_site(inputs):
    """Regression (issue 11, defect 6): 5 ha removed Onnaing (22 ha announced) and every US
    site, and 10 ha filtered everything out with no reasons."""
    table, attrs, crit, state = inputs
    from dataclasses import replace

    ranking = decision.evaluate(
        table, attrs, crit, replace(state, filters=ws.Filters(min_area_ha=10.0))
    )
    kept = set(ranking.result.index)
    assert "onnaing" in kept
    assert "antwerp_romeynsweel" not in kept
    us = set(attrs.index[attrs["country"] == "US"])
    assert us <= kept  # no area known: kept ...
    assert set(ranking.notes[ranking.notes == "area unknown"].index) == us  # ... and marked
    assert "9.5 ha" in ranking.removed["antwerp_romeynsweel"]
    strict = replace(state, filters=ws.Filters(min_area_ha=100.0, keep_unknown_area=False))
    with pytest.raises(decision.NoSiteLeftError) as info:
        decision.evaluate(table, attrs, crit, strict)
    assert (info.value.removed != "").all()  # a reason for every site
    assert "unknown" in info.value.removed["tucson_az"]


def test_remote_sites_are_left_out_unless_kept(inputs):
    table, attrs, crit, state = inputs

    attrs = attrs.copy()
    attrs["labour_catchment_pop"] = table["labour_catchment_pop"]
    attrs.loc["tucson_az", "labour_catchment_pop"] = 0.0  # as for a point in the sea
    reasons = decision.apply_filters(attrs, ws.Filters())
    assert "no town of 15,000+" in reasons["tucson_az"]
    assert (reasons.drop("tucson_az") == "").all()
    assert decision.apply_filters(attrs, ws.Filters(keep_remote=True)).eq("").all()
    table = table.copy()
    table.loc["tucson_az", "labour_catchment_pop"] = 0.0
    ranking = decision.evaluate(table, catalog.site_attributes(), crit, state)
    assert "tucson_az" not in ranking.result.index
    assert "no town" in ranking.removed["tucson_az"]


def test_direction_flip_reverses_a_criterion(inputs):
    table, attrs, crit, state = inputs
    from dataclasses import replace

    only_jobs = {g: (100.0 if g == "jobs" else 0.0) for g in state.group_weights}
    c_only = {c: (100.0 if c == "unemployment_pct" else 0.0) for c in crit.index}
    base = replace(state, group_weights=only_jobs, criterion_weights=c_only)
    up = decision.evaluate(table, attrs, crit, base).result
    flipped = replace(base, directions={"unemployment_pct": "cost"})
    down = decision.evaluate(table, attrs, crit, flipped).result
    best_up, best_down = up["rank"].idxmin(), down["rank"].idxmin()
    x = table["unemployment_pct"].dropna()
    assert best_up == x.idxmax()
    assert best_down == x.idxmin()
    assert crit.at["unemployment_pct", "direction"] == "benefit"  # the input is not changed
