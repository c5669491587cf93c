"""Data truth (issue 12): the shipped default ranking rests on no imputed value, and the duty
criterion separates the regions once it is weighted.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from windrose_sites import catalog, decision, export
from windrose_sites import state as ws

EU_SITES = ("antwerp_romeynsweel", "onnaing")


def _ranking(query: dict[str, str]):
    crit = catalog.load_criteria()
    default = ws.default_state(list(dict.fromkeys(crit["group"])), crit["default_weight"])
    state = ws.parse_query_params(query, default)[0]
    attrs, table = catalog.site_attributes(), catalog.criteria_table()
    return decision.evaluate(table, attrs, crit, state), table, crit, attrs


def _downloaded_csv(query: dict[str, str]) -> pd.DataFrame:
    """The comparison CSV exactly as the download button serves it (see test_browser)."""
    ranking, table, crit, attrs = _ranking(query)
    frame = export.comparison_frame(
        ranking.result, table, crit, catalog.provenance(), attrs["name"]
    )
    return pd.read_csv(io.BytesIO(export.to_csv(frame)))


def test_default_ranking_weights_no_imputed_or_missing_value():
    csv = _downloaded_csv({})
    weighted = [c.removesuffix(" weight [%]") for c in csv.columns if c.endswith(" weight [%]")]
    weighted = [c for c in weighted if (csv[f"{c} weight [%]"] > 0).all()]
    assert len(weighted) >= 8  # the default weights most criteria
    for cid in weighted:
        if f"{cid} imputed worst" in csv:
            assert not csv[f"{cid} imputed worst"].astype(bool).any(), cid
        assert (csv[f"{cid} kind"] != "missing").all(), cid
        unit_col = next(c for c in csv.columns if c.startswith(f"{cid} ["))
        assert csv[unit_col].notna().all(), cid


def test_every_shipped_candidate_has_a_sourced_duty_and_electricity_price():
    table = catalog.criteria_table()
    for cid in ("import_duty_pct", "electricity_eur_mwh", "unemployment_pct"):
        assert table[cid].notna().all(), cid
    assert table.loc[list(EU_SITES), "import_duty_pct"].tolist() == [4.5, 4.5]
    us = table.drop(index=list(EU_SITES))
    assert us["import_duty_pct"].eq(54.0).all()


@pytest.mark.parametrize("method", ["wsm", "topsis", "promethee", "wpm"])
def test_duty_weighted_at_50_lowers_every_us_site_relative_to_europe(method):
    """Golden: the kit duty is 4.5 % in the EU and 54 % in the US (4 + 25 + 25), so weighting
    it at 50 must widen the EU lead over every US site (before the fix the EU duty was missing,
    imputed at the US value, and the weight moved nobody).
    """
    # the landed cost already counts the duty: compare on the separate cost criteria, as a user
    # who sets the landed cost's weight to 0 and weights labour and electricity does
    separate = {"c_landed_cost_eur_per_truck": "0", "c_labour_cost_eur_h": "50",
                "c_electricity_eur_mwh": "50"}  # fmt: skip
    base = _ranking({"method": method, **separate})[0].result["score"]
    duty = _ranking({"method": method, **separate, "c_import_duty_pct": "50"})[0].result["score"]
    us = [s for s in base.index if s not in EU_SITES]
    for eu in EU_SITES:
        gap_before = base[eu] - base[us]
        gap_after = duty[eu] - duty[us]
        assert np.all(gap_after > gap_before), (method, eu)


def test_fallback_values_are_marked_in_provenance():
    prov = catalog.provenance().set_index(["site_id", "criterion"])
    antwerp = prov.loc[("antwerp_romeynsweel", "unemployment_pct")]
    assert antwerp["fallback"]
    assert antwerp["note"].startswith("fallback: Flanders")
    assert prov.loc[("onnaing", "unemployment_pct"), "fallback"]
    pinal = prov.loc[("coolidge_inland_port_az", "unemployment_pct")]
    assert pinal["fallback"]
    assert "Phoenix" in pinal["note"]
    assert pinal["value"] == 4.0
    assert not prov.loc[("tucson_az", "unemployment_pct"), "fallback"]
    assert not prov.loc[("onnaing", "import_duty_pct"), "fallback"]


def test_us_unemployment_rows_of_candidates_share_one_month_and_basis():
    prov = catalog.provenance()
    us = prov[
        (prov["criterion"] == "unemployment_pct") & prov["site_id"].str.endswith(("_az", "_ca"))
    ]
    assert us["note"].str.contains(r"\(Mar 2026").all()
    assert us["note"].str.contains("NOT seasonally adjusted").all()


def test_sources_md_states_the_scoring_rules_in_the_codes_words():
    from pathlib import Path

    from windrose_sites import scoring

    text = (Path(__file__).resolve().parent.parent / "data" / "SOURCES.md").read_text()
    for rule in (scoring.MISSING_RULE, scoring.NO_INFORMATION_RULE, scoring.WPM_RULE):
        assert rule in text
