import pandas as pd
import pytest

from windrose_sites import catalog, decision
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
    assert "point site" in reasons["onnaing"]
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
        decision.evaluate(table, attrs, crit, replace(state, filters=ws.Filters(min_area_ha=1e5)))
    zero = replace(state, group_weights=dict.fromkeys(state.group_weights, 0.0))
    with pytest.raises(ValueError):
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
