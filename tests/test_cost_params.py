"""The cost parameter table: sourced or missing, ranges, duty links, overrides, sampling."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from windrose_sites import catalog
from windrose_sites.cost import params as cp
from windrose_sites.cost.params import CostError


@pytest.fixture(scope="module")
def table():
    return cp.parameter_table()


def test_every_parameter_has_a_range_containing_its_value_and_a_source_or_missing(table):
    assert table["value"].notna().all()
    assert (table["low"] <= table["value"]).all()
    assert (table["value"] <= table["high"]).all()
    sourced = table["source"].astype(str).str.strip() != ""
    assert (sourced | (table["kind"] == "missing")).all()
    assert table["kind"].isin(catalog.KINDS).all()
    assert table["distribution"].isin(cp.DISTRIBUTIONS).all()
    missing = table[table["kind"] == "missing"]
    assert (missing["note"].str.len() > 20).all()
    assert (missing["high"] > missing["low"]).all()


def test_missing_rows_use_the_midpoint(table):
    raw = pd.read_csv(cp.ASSUMPTIONS_PATH, keep_default_na=False)
    csv_missing = raw[raw["kind"] == "missing"]
    assert (csv_missing["value"] == "").all()
    for _, row in csv_missing.iterrows():
        rid = cp.row_id(row["param"], row["applies_to"])
        assert table.at[rid, "value"] == pytest.approx((row["low"] + row["high"]) / 2)


def test_required_ids_and_one_freight_lane_per_gateway(table):
    params = set(table["param"])
    for p in cp.REQUIRED:
        assert p in params
    for port in catalog.site_attributes()["gateway_port_id"].unique():
        assert f"freight_shanghai_{port}_usd_per_feu" in params


def test_duty_rows_read_the_indicator_components(table):
    us = catalog.duty_components("US").set_index("indicator")["value"]
    assert table.at["us_section232_pct@US", "value"] == us["duty_extra_s232_pct"]
    assert table.at["us_section301_pct@US", "value"] == us["duty_extra_s301_pct"]
    assert table.at["us_mfn_kit_pct@US", "value"] == us["duty_mfn_kit_pct"]
    assert table.at["us_section232_pct@US", "low"] == 0
    eu = catalog.import_duty_pct("EU", "kit")["value"]
    assert table.at["eu_parts_duty_pct@EU", "value"] == pytest.approx(eu)


def test_fx_row_is_the_ecb_mean_of_the_freight_year(table):
    from windrose_sites import fx

    assert table.at["fx_usd_per_eur@all", "value"] == fx.usd_per_eur(cp.FX_YEAR)


def test_site_rows_from_criteria_and_facts(table):
    crit = catalog.criteria_table()
    assert table.at["labour_cost_eur_h@onnaing", "value"] == pytest.approx(
        crit.at["onnaing", "labour_cost_eur_h"]
    )
    assert table.at["capex_m@onnaing", "value"] == 175
    assert table.at["capex_m@antwerp_romeynsweel", "value"] == 100
    assert table.at["volume_start@antwerp_romeynsweel", "value"] == 2000
    assert table.at["volume_target@onnaing", "value"] == 10000


def test_a_criterion_value_that_is_missing_becomes_a_missing_row():
    crit = catalog.criteria_table().copy()
    crit.loc["onnaing", "electricity_eur_mwh"] = np.nan
    t = cp.parameter_table(crit)
    row = t.loc["electricity_eur_mwh@onnaing"]
    assert row["kind"] == "missing"
    known = crit["electricity_eur_mwh"].dropna()
    assert row["low"] == known.min()
    assert row["high"] == known.max()
    assert row["value"] == pytest.approx((known.min() + known.max()) / 2)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("kind", "guess"), "kind"),
        (("distribution", "normal"), "distribution"),
        (("value", "99999"), "not within"),
        (("source", ""), "needs a source"),
        (("value", "abc"), "not a number"),
    ],
)
def test_a_broken_assumptions_file_names_line_and_column(tmp_path, edit, message):
    raw = pd.read_csv(cp.ASSUMPTIONS_PATH, dtype=str, keep_default_na=False)
    i = raw.index[raw["param"] == "discount_rate"][0]
    raw.loc[i, edit[0]] = edit[1]
    path = tmp_path / "cost_assumptions.csv"
    raw.to_csv(path, index=False)
    with pytest.raises(CostError, match=message) as info:
        cp.load_assumptions(path)
    assert "cost_assumptions.csv" in str(info.value)


def test_a_missing_row_with_a_value_is_refused(tmp_path):
    raw = pd.read_csv(cp.ASSUMPTIONS_PATH, dtype=str, keep_default_na=False)
    i = raw.index[raw["param"] == "feu_per_truck_kit"][0]
    raw.loc[i, "value"] = "1.5"
    path = tmp_path / "c.csv"
    raw.to_csv(path, index=False)
    with pytest.raises(CostError, match="missing row has no value"):
        cp.load_assumptions(path)


def test_required_parameter_absent_is_refused(tmp_path):
    raw = pd.read_csv(cp.ASSUMPTIONS_PATH, dtype=str, keep_default_na=False)
    path = tmp_path / "c.csv"
    raw[raw["param"] != "us_section232_pct"].to_csv(path, index=False)
    with pytest.raises(CostError, match="us_section232_pct"):
        cp.load_assumptions(path)


def test_overrides_mark_user_rows_and_widen_the_range(table):
    out = cp.apply_overrides(table, {"assembly_hours_per_truck": 200.0})
    row = out.loc["assembly_hours_per_truck@all"]
    assert row["value"] == 200
    assert row["high"] == 200
    assert row["kind"] == "user"
    copied = cp.apply_overrides(table, {"eu_parts_duty_pct": "eu_built_duty_pct@EU"})
    assert copied.at["eu_parts_duty_pct@EU", "value"] == table.at["eu_built_duty_pct@EU", "value"]
    added = cp.apply_overrides(table, {"built_import_share@US": 1.0})
    assert added.at["built_import_share@US", "value"] == 1.0
    assert table.at["assembly_hours_per_truck@all", "kind"] != "user"  # the input is not changed


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"nope": 1.0}, "unknown cost parameter"),
        ({"discount_rat": 1.0}, "did you mean discount_rate"),
        ({"discount_rate": -1.0}, ">= 0"),
        ({"discount_rate": math.inf}, "finite"),
        ({"discount_rate": "x"}, "unknown cost parameter"),
    ],
)
def test_bad_overrides_are_clear_errors(table, overrides, message):
    with pytest.raises(CostError, match=message):
        cp.apply_overrides(table, overrides)


def test_sampling_respects_bounds_and_seed(table):
    a = cp.sample(table, 4000, np.random.default_rng(7))
    b = cp.sample(table, 4000, np.random.default_rng(7))
    assert np.array_equal(a, b)
    lo, hi = table["low"].to_numpy()[:, None], table["high"].to_numpy()[:, None]
    assert ((a >= lo - 1e-12) & (a <= hi + 1e-12)).all()
    fixed = (table["distribution"] == "fixed").to_numpy()
    assert np.allclose(a[fixed], table["value"].to_numpy()[fixed, None])
    i = table.index.get_loc("discount_rate@all")  # triangular: mean (lo + mode + hi) / 3
    r = table.loc["discount_rate@all"]
    assert a[i].mean() == pytest.approx((r["low"] + r["value"] + r["high"]) / 3, rel=0.01)


def test_lognormal_has_its_median_at_the_value():
    t = pd.DataFrame(
        [
            dict(
                zip(
                    cp.COLUMNS,
                    ["x", 100.0, "u", 50.0, 200.0, "lognormal", "all", "s", 2026, "estimate", ""],
                    strict=True,
                )
            )
        ],
        index=["x@all"],
    )
    draws = cp.sample(t, 20000, np.random.default_rng(3))[0]
    assert np.median(draws) == pytest.approx(100, rel=0.03)
    assert np.mean(draws < 50) == pytest.approx(0.10, abs=0.02)


def test_site_chain_most_specific_first():
    chain = cp.site_chain("onnaing", "FR-59-VAL;FR-59;FR-HDF;FR;EU", "FR")
    assert chain[0] == "onnaing"
    assert chain[-1] == "all"
    assert chain.index("FR") < chain.index("EU")
    assert cp.site_chain("x", "US-AZ-PIN;US-AZ;US", "US")[-2:] == ("US", "all")
