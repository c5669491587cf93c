"""The landed-cost model: components add up, the levers behave, a hand-worked golden case."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from windrose_sites.cost import COMPONENTS, build_model, cost_table, ten_year
from windrose_sites.cost.model import INPUTS, CostModel, SiteInputs
from windrose_sites.cost.params import COLUMNS, CostError


@pytest.fixture(scope="module")
def model():
    return build_model()


def _rows(model: CostModel, **overrides):
    m = build_model(overrides, model.sites, model.params) if overrides else model
    return cost_table(m).set_index("site_id")


def _cols():
    return [f"{c}_eur_per_truck" for c in COMPONENTS]


def test_components_add_up(model):
    table = _rows(model)
    assert np.allclose(table[_cols()].sum(axis=1), table["total_eur_per_truck"], rtol=0, atol=1e-6)
    assert (table["incentives_eur_per_truck"] <= 0).all()
    assert table["total_eur_per_truck"].gt(0).all()


def test_every_candidate_is_costed(model):
    table = _rows(model)
    assert set(table.index) == {
        "antwerp_romeynsweel", "onnaing", "coolidge_inland_port_az", "casa_grande_az",
        "phoenix_mesa_gateway_az", "buckeye_az", "tucson_az", "huntington_beach_ca",
        "lancaster_ca", "fontana_ca", "stockton_ca",
    }  # fmt: skip
    assert table.notna().all().all()


def test_doubling_freight_doubles_ocean_freight_and_nothing_else(model):
    """Insurance and EU duty follow the customs value; nothing else moves.

    Insurance = rate × 1.10 × (goods + freight): it rises by rate × 1.10 × Δfreight. EU duty is
    on the CIF value (goods + freight + insurance): it rises by the parts rate × (Δfreight +
    Δinsurance). US duty is on the FOB value: unchanged.
    """
    p = model.params
    lanes = [r for r in p.index if r.startswith("freight_shanghai_")]
    base = _rows(model)
    doubled = _rows(model, **{r: 2 * p.at[r, "value"] for r in lanes})
    assert np.allclose(
        doubled["ocean_freight_eur_per_truck"], 2 * base["ocean_freight_eur_per_truck"]
    )
    unchanged = ["port_and_inland", "labour", "energy", "outbound", "capex", "incentives"]
    for c in unchanged:
        assert np.allclose(doubled[f"{c}_eur_per_truck"], base[f"{c}_eur_per_truck"]), c
    d_freight = base["ocean_freight_eur_per_truck"]
    rate = p.at["insurance_pct_of_insured_value@all", "value"] / 100
    rate *= p.at["insurance_uplift@all", "value"]
    d_ins = doubled["insurance_eur_per_truck"] - base["insurance_eur_per_truck"]
    assert np.allclose(d_ins, rate * d_freight)
    eu = ["antwerp_romeynsweel", "onnaing"]
    us = [s for s in base.index if s not in eu]
    d_duty = doubled["duty_eur_per_truck"] - base["duty_eur_per_truck"]
    eu_rate = p.at["eu_parts_duty_pct@EU", "value"] / 100
    assert np.allclose(d_duty[eu], eu_rate * (d_freight[eu] + d_ins[eu]))
    assert np.allclose(d_duty[us], 0.0)


def test_doubling_assembly_hours_doubles_labour_only(model):
    base = _rows(model)
    hours = model.params.at["assembly_hours_per_truck@all", "value"]
    doubled = _rows(model, assembly_hours_per_truck=2 * hours)
    assert np.allclose(doubled["labour_eur_per_truck"], 2 * base["labour_eur_per_truck"])
    others = [c for c in _cols() if c != "labour_eur_per_truck"]
    assert np.allclose(doubled[others], base[others])


def test_section232_zero_lowers_us_duty_and_leaves_eu_duty(model):
    base = _rows(model)
    lifted = _rows(model, us_section232_pct=0.0)
    eu = ["antwerp_romeynsweel", "onnaing"]
    us = [s for s in base.index if s not in eu]
    assert (lifted.loc[us, "duty_eur_per_truck"] < base.loc[us, "duty_eur_per_truck"] - 1).all()
    assert np.allclose(lifted.loc[eu, "duty_eur_per_truck"], base.loc[eu, "duty_eur_per_truck"])
    # 25 points of the FOB kit value, nothing else
    price = model.params.at["truck_price_usd@all", "value"]
    share = model.params.at["kit_value_share_of_price@all", "value"]
    fx = model.params.at["fx_usd_per_eur@all", "value"]
    drop = base.loc[us, "duty_eur_per_truck"] - lifted.loc[us, "duty_eur_per_truck"]
    assert np.allclose(drop, 0.25 * price * share / fx)


def test_higher_discount_rate_lowers_npv_of_costs(model):
    base = _rows(model)
    higher = _rows(model, discount_rate=0.15)
    assert (higher["npv_10y_eur_m"] < base["npv_10y_eur_m"]).all()
    assert np.allclose(higher["total_eur_per_truck"], base["total_eur_per_truck"])


def test_ten_year_present_values_sum_to_npv(model):
    table = _rows(model)
    for site in ("onnaing", "huntington_beach_ca"):
        years = ten_year(model, site)
        assert len(years) == 11
        assert years["one_off_eur_m"].iloc[0] > 0
        assert years["pv_eur_m"].sum() == pytest.approx(table.at[site, "npv_10y_eur_m"])
        assert years["recurring_eur_m"].iloc[0] == 0
    with pytest.raises(ValueError, match="unknown site"):
        ten_year(model, "nowhere")


def test_onnaing_inbound_is_barge_antwerp_is_road(model):
    table = _rows(model)
    barge = model.params.at["barge_to_plant_per_feu@onnaing", "value"]
    handling = model.params.at["port_handling_per_feu@EU", "value"]
    feu = model.params.at["feu_per_truck_kit@all", "value"]
    assert table.at["onnaing", "port_and_inland_eur_per_truck"] == pytest.approx(
        feu * (handling + barge)
    )
    # twice the barge rate moves Onnaing only
    more = _rows(model, **{"barge_to_plant_per_feu@onnaing": 2 * barge})
    assert more.at["antwerp_romeynsweel", "total_eur_per_truck"] == pytest.approx(
        table.at["antwerp_romeynsweel", "total_eur_per_truck"]
    )
    assert more.at["onnaing", "total_eur_per_truck"] > table.at["onnaing", "total_eur_per_truck"]


def test_import_built_trucks_removes_plant_costs(model):
    built = _rows(model, **{"built_import_share@US": 1.0})
    base = _rows(model)
    us = [s for s in base.index if s.endswith(("_az", "_ca"))]
    assert np.allclose(built.loc[us, ["capex_eur_per_truck", "incentives_eur_per_truck"]], 0.0)
    assert np.allclose(built.loc[us, "energy_eur_per_truck"], 0.0)
    numeric = [*_cols(), "total_eur_per_truck", "npv_10y_eur_m"]
    assert np.allclose(
        built.loc["onnaing", numeric].astype(float), base.loc["onnaing", numeric].astype(float)
    )
    # the built flow pays the built-vehicle duty on the built value (US: MFN + 301 + 232)
    assert (built.loc[us, "duty_eur_per_truck"] > base.loc[us, "duty_eur_per_truck"]).all()


def _golden_params() -> pd.DataFrame:
    values = {
        "fx_usd_per_eur@all": (1.25, "USD/EUR"),
        "freight_shanghai_testport_usd_per_feu@all": (2500, "USD/FEU"),
        "feu_per_truck_kit@all": (2, "FEU/truck"),
        "feu_per_built_truck@all": (3, "FEU/truck"),
        "truck_price_usd@all": (250_000, "USD/truck"),
        "kit_value_share_of_price@all": (0.5, "fraction"),
        "built_value_share_of_price@all": (0.8, "fraction"),
        "built_import_share@all": (0, "fraction"),
        "built_pdi_hours_per_truck@all": (0, "h/truck"),
        "insurance_pct_of_insured_value@all": (0.5, "%"),
        "insurance_uplift@all": (1.0, "factor"),
        "eu_parts_duty_pct@EU": (4, "%"),
        "eu_built_duty_pct@EU": (16, "%"),
        "port_handling_per_feu@all": (200, "EUR/FEU"),
        "road_cost_per_km@all": (1.5, "EUR/km"),
        "drayage_round_trip_factor@all": (2, "factor"),
        "inbound_by_barge@all": (0, "flag"),
        "assembly_hours_per_truck@all": (50, "h/truck"),
        "labour_cost_eur_h@all": (40, "EUR/h"),
        "energy_kwh_per_truck@all": (2000, "kWh/truck"),
        "electricity_eur_mwh@all": (150, "EUR/MWh"),
        "road_circuity_factor@all": (1.2, "factor"),
        "capex_m@all": (65, "EUR m"),
        "volume_start@all": (1000, "trucks/yr"),
        "volume_target@all": (2000, "trucks/yr"),
        "ramp_years@all": (2, "years"),
        "horizon_years@all": (4, "years"),
        "discount_rate@all": (0.10, "1/yr"),
        "jobs@all": (200, "FTE"),
        "be_stres_rate_pct@BE-VLG": (25, "%"),
        "be_stres_cap_eur_m@BE-VLG": (1.0, "EUR m"),
        "be_stres_min_invest_eur_m@BE-VLG": (3.0, "EUR m"),
        "be_eco_extra_cost_eur_m@BE-VLG": (4.0, "EUR m"),
    }
    rows = []
    for rid, (value, unit) in values.items():
        param, where = rid.split("@")
        rows.append(dict(zip(COLUMNS, [param, float(value), unit, float(value), float(value),
                    "fixed", where, "test", 2026, "estimate", ""], strict=True)))  # fmt: skip
    return pd.DataFrame(rows, index=list(values))


def _golden_site() -> SiteInputs:
    table = pd.DataFrame(
        {
            "name": ["Golden"],
            "country": ["BE"],
            "gateway_port_id": ["testport"],
            "road_to_port_km": [10.0],
            "distance_to_market_km": [500.0],
            "chain": [("golden", "BE-VLG", "BE", "EU", "all")],
        },
        index=pd.Index(["golden"], name="site_id"),
    )
    return SiteInputs(table)


def test_golden_hand_worked_landed_cost():
    """A Flemish site with round numbers, worked by hand (EUR per truck unless stated).

    - FX 1.25 USD/EUR. Freight 2,500 USD/FEU = 2,000 EUR/FEU; 2 FEU per kit:
      ocean_freight = 2 × 2,000 = 4,000.
    - Truck price 250,000 USD = 200,000 EUR; kit value 50 % = 100,000.
    - insurance = 0.5 % × 1.0 × (100,000 + 4,000) = 520.
    - duty (EU, CIF) = 4 % × (100,000 + 4,000 + 520) = 4 % × 104,520 = 4,180.80.
    - port_and_inland = 2 FEU × (200 handling + 10 km × 1.5 EUR/km × 2 round trip)
      = 2 × 230 = 460.
    - labour = 50 h × 40 EUR/h = 2,000. energy = 2,000 kWh × 150 EUR/MWh / 1,000 = 300.
    - outbound = 500 km × 1.2 × 1.5 EUR/km = 900.
    - Volumes, ramp 2 years from 1,000 to 2,000 over a 4-year horizon: 1,000, 1,500, 2,000,
      2,000 = 6,500 trucks. capex = 65,000,000 / 6,500 = 10,000.
    - Flanders STRES: ecological extra cost EUR 4 M >= 3 M threshold; 25 % × 4 M = 1 M, at the
      1 M cap: incentives = −1,000,000 / 6,500 = −153.846...
    - Recurring = 4,000 + 520 + 4,180.80 + 460 + 2,000 + 300 + 900 = 12,360.80.
      total = 12,360.80 + 10,000 − 153.846 = 22,206.954.
    - NPV at 10 %: discounted trucks = 1,000/1.1 + 1,500/1.1² + 2,000/1.1³ + 2,000/1.1⁴
      = 5,017.4168; NPV = (65 M − 1 M/1.1 + 12,360.80 × 5,017.4168) / 1 M = 126.1102 EUR M.
    """
    model = CostModel(_golden_params(), _golden_site())
    row = cost_table(model).set_index("site_id").loc["golden"]
    expected = {
        "ocean_freight": 4000.0,
        "insurance": 520.0,
        "duty": 4180.80,
        "port_and_inland": 460.0,
        "labour": 2000.0,
        "energy": 300.0,
        "outbound": 900.0,
        "capex": 10000.0,
        "incentives": -1e6 / 6500,
    }
    for c, v in expected.items():
        assert row[f"{c}_eur_per_truck"] == pytest.approx(v, abs=1e-9), c
    assert row["total_eur_per_truck"] == pytest.approx(22206.953846153847, abs=1e-6)
    assert row["npv_10y_eur_m"] == pytest.approx(126.11019520524553, abs=1e-9)


def test_missing_parameter_for_a_site_is_a_clear_error():
    params = _golden_params().drop(index="eu_parts_duty_pct@EU")
    with pytest.raises(CostError, match="eu_parts_duty_pct"):
        _ = CostModel(params, _golden_site()).index


def test_inputs_cover_every_kernel_name():
    assert len(set(INPUTS)) == len(INPUTS)


def test_landed_cost_criterion_equals_the_model_total(model):
    from windrose_sites.cost import CRITERION, landed_cost_criterion

    values, prov = landed_cost_criterion(model)
    table = _rows(model)
    assert values.name == CRITERION
    assert np.allclose(values.reindex(table.index), table["total_eur_per_truck"])
    assert list(prov.columns) == [
        "site_id",
        "criterion",
        "value",
        "unit",
        "source",
        "year",
        "kind",
        "note",
    ]
    assert set(prov["kind"]) <= {"derived", "estimate"}
    onnaing = prov.set_index("site_id").loc["onnaing"]
    assert "missing" in onnaing["note"]
    assert "Labour and electricity are counted inside" in onnaing["note"]
