"""Incentive programmes: a golden case per programme, with its cap and eligibility."""

from __future__ import annotations

import numpy as np
import pytest

from windrose_sites.cost import build_model, cost_table
from windrose_sites.cost import incentives as inc


def test_arizona_qualified_facility_golden_and_caps():
    """Lesser of 10 % of capex, USD 20,000 per net new job and USD 30 M (azcommerce.com).

    USD 250 M, 350 jobs: min(25 M, 7 M, 30 M) = 7 M. USD 100 M, 5,000 jobs: min(10 M, 100 M,
    30 M) = 10 M. USD 1 bn, 5,000 jobs: min(100 M, 100 M, 30 M) = 30 M (the cap). Under the
    USD 250,000 minimum investment, or not eligible: 0.
    """
    args = {"capex_pct": 10, "per_job": 20_000, "cap": 30e6, "min_capex": 0.25e6, "eligible": 1}
    assert inc.arizona_qualified_facility(250e6, 350, **args) == pytest.approx(7e6)
    assert inc.arizona_qualified_facility(100e6, 5000, **args) == pytest.approx(10e6)
    assert inc.arizona_qualified_facility(1e9, 5000, **args) == pytest.approx(30e6)
    assert inc.arizona_qualified_facility(0.2e6, 50, **args) == 0
    assert inc.arizona_qualified_facility(250e6, 350, **{**args, "eligible": 0}) == 0


def test_california_competes_golden_and_cap():
    """Award = min(pct × capex, 20 % of the USD 180 M pool = 36 M) × usable share.

    5 % of 250 M = 12.5 M, half usable: 6.25 M. 20 % of 500 M = 100 M, capped at 36 M, all
    usable: 36 M.
    """
    assert inc.california_competes(250e6, 5, 180e6, 20, 0.5) == pytest.approx(6.25e6)
    assert inc.california_competes(500e6, 20, 180e6, 20, 1.0) == pytest.approx(36e6)
    assert inc.california_competes(500e6, 20, 180e6, 20, 0.0) == 0


def test_france_regional_aid_golden_afr_cap_and_adge_eligibility():
    """Implantation aid + ADGE (if established in the region), capped at 15 % in an AFR zone.

    EUR 175 M, 20 % requested, in zone: min(35 M, 15 % × 175 M = 26.25 M) = 26.25 M. Outside
    an AFR zone: 0. 5 % requested + ADGE 5 % for a firm established in the region with 300 jobs
    = 10 % = 17.5 M (< cap). The same firm not established: ADGE 0, 8.75 M. With 50 jobs
    (< 100) ADGE does not apply either.
    """
    base = {"afr_max_pct": 15, "adge_min_invest": 2e6, "adge_min_jobs": 100}
    f = inc.france_regional_aid
    assert f(
        175e6, 300, zone_eligible=1, implantation_pct=20, adge_established=0, adge_pct=5, **base
    ) == pytest.approx(26.25e6)
    assert (
        f(175e6, 300, zone_eligible=0, implantation_pct=20, adge_established=0, adge_pct=5, **base)
        == 0
    )
    assert f(
        175e6, 300, zone_eligible=1, implantation_pct=5, adge_established=1, adge_pct=5, **base
    ) == pytest.approx(17.5e6)
    assert f(
        175e6, 300, zone_eligible=1, implantation_pct=5, adge_established=0, adge_pct=5, **base
    ) == pytest.approx(8.75e6)
    assert f(
        175e6, 50, zone_eligible=1, implantation_pct=5, adge_established=1, adge_pct=5, **base
    ) == pytest.approx(8.75e6)


def test_flanders_strategic_ecology_golden_cap_and_threshold():
    """25 % of the ecological extra cost, at most EUR 1 M, only from EUR 3 M (vlaio.be).

    EUR 3.2 M: 0.8 M. EUR 10 M: 2.5 M, capped at 1 M. EUR 2.9 M: below the threshold, 0.
    """
    assert inc.flanders_strategic_ecology(3.2e6, 25, 1e6, 3e6) == pytest.approx(0.8e6)
    assert inc.flanders_strategic_ecology(10e6, 25, 1e6, 3e6) == pytest.approx(1e6)
    assert inc.flanders_strategic_ecology(2.9e6, 25, 1e6, 3e6) == 0


def test_programmes_broadcast_over_samples():
    capex = np.array([[100e6, 300e6, 1e9]])
    out = inc.arizona_qualified_facility(capex, 5000, 10, 20_000, 30e6, 0.25e6, 1)
    assert out.shape == (1, 3)
    assert np.allclose(out, [[10e6, 30e6, 30e6]])


def test_each_region_gets_only_its_own_programme():
    model = build_model()
    table = cost_table(model).set_index("site_id")
    assert (table["incentives_eur_per_truck"] <= 0).all()
    # Antwerp: STRES at its EUR 1 M cap (ecological extra cost midpoint 5 M x 25 % = 1.25 M)
    trucks = 2000 + 2750 + 3500 + 4250 + 5000 * 6  # ramp 4 years from 2,000 to 5,000
    assert table.at["antwerp_romeynsweel", "incentives_eur_per_truck"] == pytest.approx(
        -1e6 / trucks
    )
    # switching Arizona's programme off moves only Arizona sites
    off = cost_table(build_model({"az_qf_eligible": 0}, model.sites, model.params)).set_index(
        "site_id"
    )
    moved = ~np.isclose(off["incentives_eur_per_truck"], table["incentives_eur_per_truck"])
    assert set(table.index[moved]) == {s for s in table.index if s.endswith("_az")}
    assert np.allclose(off.loc[table.index[moved], "incentives_eur_per_truck"], 0)
