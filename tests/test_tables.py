"""Tests of windrose_sites.tables: the Compare page's tables, from a tiny scored example."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from windrose_sites import comparison, scoring, tables

SITES = pd.Index(["a", "b", "c"], name="site_id")


@pytest.fixture
def criteria() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "label": ["Port distance", "Unemployment", "Rail distance"],
            "group": ["logistics", "jobs", "logistics"],
            "unit": ["km", "%", "km"],
            "direction": ["cost", "benefit", "cost"],
        },
        index=["port_km", "jobs", "rail_km"],
    )


@pytest.fixture
def table() -> pd.DataFrame:
    return pd.DataFrame(
        {"port_km": [10.0, 40.0, 20.0], "jobs": [5.0, 9.0, 7.0], "rail_km": [1.0, 2.0, 3.0]},
        index=SITES,
    )


def _score(table: pd.DataFrame, method: str = "wsm") -> pd.DataFrame:
    return scoring.score(
        table[["port_km", "jobs"]],
        {"port_km": 1.0, "jobs": 1.0},
        {"port_km": "cost", "jobs": "benefit"},
        method=method,
    )


@pytest.fixture
def attributes() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": ["Alpha", "Bravo", "Charlie"],
            "country": ["BE", "FR", "US"],
            "status": ["candidate", "announced", "candidate"],
            "region": ["VLG", "HDF", "AZ"],
        },
        index=SITES,
    )


def test_old_module_name_reexports_the_same_functions():
    assert comparison.ranking_table is tables.ranking_table
    assert comparison.METHOD_NOTES is tables.METHOD_NOTES
    assert set(comparison.__all__) <= set(tables.__all__)


# --------------------------------------------------------------------------- effective weights


def test_effective_weights_table_in_percent_with_unweighted_criteria_at_zero(criteria):
    weights = pd.Series({"jobs": 0.25, "port_km": 0.75})  # rail_km has no weight
    out = tables.effective_weights_table(criteria, weights)
    assert list(out.columns) == ["id", "criterion", "group", "unit", "direction", "weight %"]
    assert out["id"].tolist() == ["port_km", "jobs", "rail_km"]  # criteria order, not weights'
    assert out["weight %"].tolist() == [75.0, 25.0, 0.0]
    assert out["criterion"].tolist() == ["Port distance", "Unemployment", "Rail distance"]
    assert out["direction"].tolist() == ["cost", "benefit", "cost"]


def test_effective_weights_table_rounds_to_one_decimal(criteria):
    weights = pd.Series({"port_km": 1 / 3, "jobs": 2 / 3, "rail_km": 0.0})
    assert tables.effective_weights_table(criteria, weights)["weight %"].tolist() == [
        33.3,
        66.7,
        0.0,
    ]


def test_effective_weights_table_without_weights_is_all_zero(criteria):
    out = tables.effective_weights_table(criteria, None)
    assert (out["weight %"] == 0.0).all()
    assert len(out) == 3


# --------------------------------------------------------------------------- ranking


def test_ranking_table_best_first_with_names(table, attributes):
    result = _score(table)
    out = tables.ranking_table(result, attributes)
    assert list(out.columns) == ["site_id", "rank", "score", "name", "country", "status"]
    assert out["site_id"].iloc[0] == "c"
    assert out["rank"].iloc[0] == 1
    assert out["rank"].is_monotonic_increasing
    assert out.set_index("site_id").loc["b", "name"] == "Bravo"
    assert out.attrs == {}  # the score's attrs (DataFrames) stay out of the display table
    assert result.attrs  # ... and the result keeps them


def test_ranking_table_ties_share_a_rank_higher_score_first(attributes):
    result = pd.DataFrame({"rank": [2, 1, 2], "score": [0.4, 0.9, 0.6]}, index=SITES)
    out = tables.ranking_table(result, attributes)
    assert out["site_id"].tolist() == ["b", "c", "a"]


# --------------------------------------------------------------------------- contributions


def test_contributions_long_adds_up_to_the_score(table, attributes, criteria):
    result = _score(table)
    long = tables.contributions_long(result, attributes["name"], criteria)
    assert list(long.columns) == ["site_id", "criterion", "contribution", "site", "rank"]
    assert len(long) == 3 * 2
    assert set(long["criterion"]) == {"Port distance", "Unemployment"}
    sums = long.groupby("site_id")["contribution"].sum()
    np.testing.assert_allclose(sums.reindex(SITES), result["score"].reindex(SITES))
    c_rows = long[long["site_id"] == "c"]
    assert set(c_rows["site"]) == {"Charlie"}
    assert set(c_rows["rank"]) == {1}


def test_contributions_long_is_none_for_a_method_without_contributions(table, attributes, criteria):
    assert tables.contributions_long(_score(table, "topsis"), attributes["name"], criteria) is None


# --------------------------------------------------------------------------- side by side


def test_side_by_side_values_normalized_and_sources(table, attributes, criteria):
    result = _score(table)
    provenance = pd.DataFrame(
        {
            "site_id": ["a", "a", "b"],
            "criterion": ["port_km", "jobs", "port_km"],
            "source": ["searoute", "Eurostat", "searoute"],
            "year": [np.nan, 2024.0, np.nan],
            "kind": ["derived", "official", "derived"],
        }
    )
    out = tables.side_by_side(result, table, provenance, criteria, "a", "b", attributes["name"])
    assert out["criterion"].tolist() == ["Port distance", "Unemployment", "Rail distance"]
    rows = out.set_index("criterion")
    assert rows.at["Port distance", "Alpha: value"] == 10.0
    assert rows.at["Port distance", "Bravo: value"] == 40.0
    assert rows.at["Port distance", "Alpha: normalized"] == 1.0  # the best port distance
    assert rows.at["Port distance", "Bravo: normalized"] == 0.0
    assert np.isnan(rows.at["Rail distance", "Alpha: normalized"])  # not weighted
    assert rows.at["Unemployment", "Alpha: source"] == "Eurostat (2024)"
    assert rows.at["Port distance", "Alpha: source"] == "searoute"  # no year, no brackets
    assert rows.at["Unemployment", "Bravo: source"] == "NOT FOUND"
    assert rows.at["Unemployment", "Bravo: kind"] == "missing"
    assert rows.at["Unemployment", "Alpha: kind"] == "official"
    assert rows.at["Port distance", "unit"] == "km"


def test_side_by_side_falls_back_to_the_site_id_without_a_name(table, criteria):
    result = _score(table)
    empty = pd.DataFrame(columns=["site_id", "criterion", "source", "year", "kind"])
    out = tables.side_by_side(result, table, empty, criteria, "a", "c", pd.Series(dtype=object))
    assert "a: value" in out.columns
    assert "c: source" in out.columns
    assert (out["c: source"] == "NOT FOUND").all()


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (10510.9458, "nm", "10,511 nm"),
        (492.1782, "km", "492 km"),
        (9.7345, "%", "9.7 %"),
        (2648506.0, "people", "2,648,506 people"),
        (18423.8574, "EUR/truck", "18,424 EUR/truck"),
        (38.456, "EUR/h", "38.5 EUR/h"),
        (13.634, "M TEU/yr", "13.63 M TEU/yr"),
        (175, "EUR m", "EUR 175 M"),
        ("9.5", "ha", "9.5 ha"),
        ("90000", "m2", "90,000 m²"),
        ("2027", "year", "2027"),
        ("2026-01", "date", "2026-01"),
        ("Van Wellen Group (JV)", "text", "Van Wellen Group (JV)"),
        (None, "km", "—"),
        (np.nan, "%", "—"),
        ("", "text", "—"),
    ],
)
def test_format_value_one_format_per_unit_and_a_dash_for_missing(value, unit, shown):
    assert tables.format_value(value, unit) == shown


def test_format_value_signed_differences():
    assert tables.format_value(19.4, "km", signed=True) == "+19 km"
    assert tables.format_value(-3.61, "%", signed=True) == "−3.6 pp"
    assert tables.format_value(-0.2, "km", signed=True) == "0 km"  # a rounded zero: no sign


def test_side_by_side_view_difference_in_the_unit_and_which_is_better(table, criteria):
    names = pd.Series({"a": "Alpha (north plot)", "b": "Bravo, quay 4"})
    table = table.astype(float)
    table.loc["b", "rail_km"] = np.nan
    out = tables.side_by_side_view(table, criteria, "a", "b", names).set_index("criterion")
    assert list(out.columns) == ["direction", "A: Alpha", "B: Bravo", "B − A", "better"]
    assert out.at["Port distance", "A: Alpha"] == "10 km"
    assert out.at["Port distance", "B − A"] == "+30 km"
    assert out.at["Port distance", "better"] == "Alpha"  # lower is better
    assert out.at["Port distance", "direction"] == "lower is better"
    assert out.at["Unemployment", "B − A"] == "+4.0 pp"
    assert out.at["Unemployment", "better"] == "Bravo"  # higher is better
    assert out.at["Rail distance", "B: Bravo"] == "—"
    assert out.at["Rail distance", "B − A"] == "—"
    assert out.at["Rail distance", "better"] == "—"
    same = tables.side_by_side_view(table, criteria, "a", "a", names)
    assert set(same["better"]) <= {"equal", "—"}
    table.loc["b", "port_km"] = 10.2  # differs by less than the km shown
    near = tables.side_by_side_view(table, criteria, "a", "b", names).set_index("criterion")
    assert near.at["Port distance", "B − A"] == "0 km"
    assert near.at["Port distance", "better"] == "equal"


def test_side_by_side_view_tells_sites_with_the_same_short_name_apart(table, criteria):
    names = pd.Series({"a": "Antwerp – North quay", "b": "Antwerp – South quay"})
    out = tables.side_by_side_view(table, criteria, "a", "b", names)
    assert list(out.columns[2:4]) == ["A: Antwerp – North quay", "B: Antwerp – South quay"]


def test_side_by_side_sources_names_missing_provenance(criteria):
    provenance = pd.DataFrame(
        {
            "site_id": ["a"],
            "criterion": ["jobs"],
            "source": ["Eurostat"],
            "year": [2024.0],
            "kind": ["official"],
        }
    )
    names = pd.Series({"a": "Alpha", "b": "Bravo"})
    out = tables.side_by_side_sources(provenance, criteria, "a", "b", names).set_index("criterion")
    assert out.at["Unemployment", "A: Alpha source"] == "Eurostat (2024)"
    assert out.at["Unemployment", "B: kind"] == "missing"


def test_key_facts_table_shows_labels_and_values_with_units():
    facts = pd.DataFrame(
        {
            "site_id": ["a", "a", "b"],
            "fact": ["concession_area_ha", "jobs_fte_long_term", "some_new_fact"],
            "value": ["9.5", "200", "x"],
            "unit": ["ha", "FTE", "text"],
            "source": ["https://example.org"] * 3,
            "year": [2026, 2026, 2025],
            "kind": ["official"] * 3,
            "note": ["", "", ""],
        }
    )
    out = tables.key_facts_table(facts, pd.Series({"a": "Alpha"}))
    assert out["fact"].tolist() == ["Concession area", "Jobs in the long term", "Some new fact"]
    assert out["value"].tolist() == ["9.5 ha", "200 FTE", "x"]
    assert out["site"].tolist() == ["Alpha", "Alpha", "b"]  # no name: the id rather than blank
    assert "unit" not in out.columns


def test_every_shipped_fact_has_a_label():
    from windrose_sites import catalog

    assert set(catalog.load_site_facts()["fact"]) <= set(tables.FACT_LABELS)


def test_user_sites_table_readable_headers_and_values(criteria):
    sites = pd.DataFrame(
        {
            "site_id": ["user_ghent"],
            "name": ["Ghent"],
            "country": ["BE"],
            "region": [""],
            "role": ["candidate"],
            "status": ["user upload (unverified)"],
            "indicator_areas": ["BE;EU"],
            "gateway_port": [""],
            "location_note": [None],
            "source": ["user upload: sites.csv"],
            "port_km": [12.345],
            "jobs": [np.nan],
        }
    )
    out = tables.user_sites_table(sites, criteria)
    assert not {"role", "indicator_areas", "site_id", "gateway_port"} & set(out.columns)
    assert out.at[0, "statistics from (most specific first)"] == "BE, then EU"
    assert out.at[0, "region"] == "—"
    assert out.at[0, "location"] == "—"
    assert out.at[0, "Port distance [km]"] == "12 km"
    assert out.at[0, "Unemployment [%]"] == "—"


# --------------------------------------------------------------------------- flags


def test_true_cells_row_by_row():
    mask = pd.DataFrame(
        {"x": [False, True, True], "y": [True, False, True]}, index=["r1", "r2", "r3"]
    )
    assert tables.true_cells(mask) == [("r1", "y"), ("r2", "x"), ("r3", "x"), ("r3", "y")]
    assert tables.true_cells(mask & False) == []


def test_no_information_note_names_the_labels(criteria):
    result = pd.DataFrame({"score": [1.0]})
    result.attrs["no_information"] = ["jobs", "unknown_id"]
    note = tables.no_information_note(result, criteria)
    assert note.startswith("No information in Unemployment, unknown_id: ")
    assert note.endswith(scoring.NO_INFORMATION_RULE)
    result.attrs["no_information"] = []
    assert tables.no_information_note(result, criteria) is None


def test_method_notes_cover_every_method():
    assert set(tables.METHOD_NOTES) == set(scoring.METHODS)
