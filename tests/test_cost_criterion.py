"""``landed_cost_eur_per_truck`` in the ranking: the model's total, provenance, uploads, edits."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from windrose_sites import assumptions, catalog, cost, pipeline
from windrose_sites.cost.criterion import CRITERION, INSIDE, refresh

FREIGHT_EU = "freight_shanghai_antwerp_bruges_usd_per_feu@all"


@pytest.fixture(scope="module")
def inputs():
    return pipeline.load_inputs()


def test_ranking_criterion_equals_the_model_total(inputs):
    table = inputs.computed.table
    totals = cost.cost_table(cost.build_model()).set_index("site_id")["total_eur_per_truck"]
    pd.testing.assert_series_equal(
        table[CRITERION], totals.reindex(table.index), check_names=False, rtol=0, atol=1e-9
    )
    ranking = pipeline.rank(pipeline.working_set(inputs), inputs, pipeline.default_state(inputs))
    assert ranking.result[f"contrib_{CRITERION}"].max() > 0  # it weighs in the default ranking


def test_provenance_names_the_model_and_its_gaps(inputs):
    prov = inputs.computed.provenance
    rows = prov[prov["criterion"] == CRITERION].set_index("site_id")
    assert set(rows.index) == set(inputs.computed.table.index)
    assert rows["source"].str.contains("cost_assumptions.csv").all()
    assert rows["source"].str.contains("COST_MODEL.md").all()
    # the midpoint of missing parameters is in use (containers per kit...): estimates
    assert (rows["kind"] == "estimate").all()
    assert rows["note"].str.contains("feu_per_truck_kit@all").all()
    assert rows["note"].str.contains("Labour and electricity are counted inside").all()


def test_default_weights_avoid_double_counting(inputs):
    crit = inputs.criteria
    cost_group = crit[crit["group"] == "cost"]
    assert cost_group.at[CRITERION, "default_weight"] > 0
    for cid in INSIDE:
        assert cost_group.at[cid, "default_weight"] == 0, cid
        assert "landed cost" in cost_group.at[cid, "description"].lower(), cid
    assert cost_group.at[CRITERION, "basis"] == catalog.COST_BASIS


def _site(site_id: str, lon: float, lat: float, country: str, areas: str) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "site_id": [site_id],
            "name": [f"test {site_id}"],
            "country": [country],
            "status": ["test"],
            "indicator_areas": [areas],
            "gateway_port": [""],
            "source": ["test"],
            "year": [2026],
        },
        geometry=gpd.points_from_xy([lon], [lat]),
        crs="EPSG:4326",
    )


def test_an_uploaded_us_site_is_costed_and_an_eu_one_says_why_not():
    us = catalog.compute_criteria(_site("u_az", -111.9, 33.4, "US", "US-AZ;US"))
    assert np.isfinite(us.table.at["u_az", CRITERION])
    # same area and gateway as the shipped Phoenix-Mesa site: same non-distance components
    shipped = cost.cost_table(cost.build_model()).set_index("site_id")
    assert us.table.at["u_az", CRITERION] == pytest.approx(
        shipped.at["phoenix_mesa_gateway_az", "total_eur_per_truck"], rel=0.05
    )
    eu = catalog.compute_criteria(_site("u_be", 4.6, 50.9, "BE", "BE-VLG;BE;EU"))
    assert np.isnan(eu.table.at["u_be", CRITERION])
    row = eu.provenance.set_index(["site_id", "criterion"]).loc[("u_be", CRITERION)]
    assert row["kind"] == "missing"
    assert "capex_m" in row["source"]  # no announced investment for a new EU plot


def test_an_edit_of_labour_cost_flows_into_the_landed_cost(inputs):
    work = pipeline.working_set(inputs, None, {"onnaing": {"labour_cost_eur_h": 80.0}})
    assert work.table.at["onnaing", "labour_cost_eur_h"] == 80.0
    done = refresh(work, work.sites)
    hours = cost.build_model().params.at["assembly_hours_per_truck@all", "value"]
    before = inputs.computed.table.at["onnaing", CRITERION]
    old_rate = inputs.computed.table.at["onnaing", "labour_cost_eur_h"]
    assert done.table.at["onnaing", CRITERION] == pytest.approx(
        before + hours * (80.0 - old_rate), rel=1e-9
    )
    assert done.table.at["antwerp_romeynsweel", CRITERION] == pytest.approx(
        inputs.computed.table.at["antwerp_romeynsweel", CRITERION]
    )
    row = done.provenance.set_index(["site_id", "criterion"]).loc[("onnaing", CRITERION)]
    assert row["kind"] == assumptions.USER_KIND
    assert row["note"].endswith("Rests on your value(s) of labour_cost_eur_h.")


def test_cost_overrides_flow_and_are_marked(inputs):
    work = pipeline.working_set(inputs)
    assert refresh(work, work.sites) is work  # nothing to redo
    done = refresh(work, work.sites, {FREIGHT_EU: 9000.0})
    model = cost.build_model({FREIGHT_EU: 9000.0})
    totals = cost.cost_table(model).set_index("site_id")["total_eur_per_truck"]
    got = done.table[CRITERION]
    np.testing.assert_allclose(got.to_numpy(), totals.reindex(got.index).to_numpy(), rtol=1e-12)
    rows = done.provenance[done.provenance["criterion"] == CRITERION]
    assert len(rows) == len(work.table)
    assert (rows["kind"] == assumptions.USER_KIND).all()
    assert rows["note"].str.contains("User assumptions: " + FREIGHT_EU).all()


def test_a_typed_landed_cost_is_kept(inputs):
    work = pipeline.working_set(inputs, None, {"onnaing": {CRITERION: 12345.0}})
    done = refresh(work, work.sites, {FREIGHT_EU: 9000.0})
    assert done.table.at["onnaing", CRITERION] == 12345.0
    assert (
        done.table.at["antwerp_romeynsweel", CRITERION]
        > work.table.at["antwerp_romeynsweel", CRITERION]
    )


def test_criterion_draws_feed_the_value_smaa():
    from windrose_sites.cost.criterion import criterion_draws

    model = cost.build_model()
    draws = criterion_draws(model, 200, seed=1)
    assert draws.shape == (len(model.sites.ids), 200)
    mc = cost.simulate(model, 200, seed=1)
    np.testing.assert_array_equal(draws.to_numpy(), mc.totals)
