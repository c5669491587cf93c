import numpy as np
import pandas as pd
import pytest

from windrose_sites import assumptions, catalog, decision, health
from windrose_sites import state as ws


@pytest.fixture
def ranked():
    crit = catalog.load_criteria()
    state = ws.default_state(list(dict.fromkeys(crit["group"])), crit["default_weight"])
    sc = catalog.SiteCriteria(
        table=catalog.criteria_table(),
        provenance=catalog.provenance(),
        attributes=catalog.site_attributes(),
    )
    return crit, state, sc


def test_counts_add_up_to_one_value_per_site_and_criterion(ranked):
    crit, state, sc = ranked
    r = decision.evaluate(sc.table, sc.attributes, crit, state)
    h = health.criterion_health(sc.provenance, crit, r.result.attrs["imputed"])
    kinds = [*catalog.KINDS, assumptions.USER_KIND]
    assert (h[kinds].sum(axis=1) == len(sc.table)).all()
    assert (
        h.loc["unemployment_pct", "fallback"]
        == sc.provenance.query("criterion == 'unemployment_pct'")["fallback"].sum()
    )


def test_sentence_names_the_fallback_and_the_users_values(ranked):
    crit, state, sc = ranked
    edited = assumptions.apply_edits(sc, {"tucson_az": {"electricity_eur_mwh": 150.0}})
    from dataclasses import replace

    weighted = {**state.criterion_weights, "electricity_eur_mwh": 50.0}  # weight 0 by default
    state = replace(state, criterion_weights=weighted)
    r = decision.evaluate(edited.table, edited.attributes, crit, state)
    cv = health.site_caveats(edited.provenance, crit, r.weights.to_dict(), r.result.index)
    names = edited.attributes["name"].to_dict()
    antwerp = health.summary_sentence(cv, names, "antwerp_romeynsweel")
    assert antwerp.startswith(names["antwerp_romeynsweel"] + "'s rank uses 1 fallback value")
    assert "unemployment rate: Flanders" in antwerp
    assert "1 user value (industrial electricity price)" in health.summary_sentence(
        cv, names, "tucson_az"
    )


def test_a_fallback_in_an_unweighted_criterion_is_not_a_caveat(ranked):
    crit, _state, sc = ranked
    weights = dict.fromkeys(crit.index, 0.1)
    weights["unemployment_pct"] = 0.0
    cv = health.site_caveats(sc.provenance, crit, weights, sc.table.index)
    assert "unemployment_pct" not in set(cv["criterion"])


def test_imputed_cells_are_listed():
    crit = catalog.load_criteria().loc[["sea_distance_nm"]]
    prov = pd.DataFrame(
        {
            "site_id": ["a", "b"],
            "criterion": ["sea_distance_nm"] * 2,
            "kind": ["derived", "missing"],
            "note": ["", ""],
        }
    )
    imputed = pd.DataFrame({"sea_distance_nm": [False, True]}, index=["a", "b"])
    cv = health.site_caveats(prov, crit, {"sea_distance_nm": 1.0}, pd.Index(["a", "b"]), imputed)
    assert list(cv["site_id"]) == ["b"]
    assert list(cv["issue"]) == ["imputed"]
    h = health.criterion_health(prov, crit, imputed)
    assert h.loc["sea_distance_nm", "missing"] == 1
    assert h.loc["sea_distance_nm", "imputed in ranking"] == 1
    assert health.summary_sentence(cv, {}, "a") == ""
    assert np.isfinite(h.drop(columns="label").to_numpy()).all()
