"""Tests of windrose_sites.assumptions: the user's sites and edits on top of the catalog.

``merge`` adds the user's sites, ``apply_edits`` replaces values and marks their provenance,
``parse_edits`` checks a table edited in the UI (its tests moved here from test_uploads.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from windrose_sites import assumptions, uploads
from windrose_sites.catalog import SiteCriteria

PROV_COLUMNS = [
    "site_id",
    "criterion",
    "value",
    "unit",
    "source",
    "year",
    "kind",
    "note",
    "fallback",
]


def criteria_of(values: dict[str, dict[str, float]], source: str = "Eurostat") -> SiteCriteria:
    """A tiny SiteCriteria: site id -> {criterion: value}, one official provenance row each."""
    table = pd.DataFrame.from_dict(values, orient="index")
    table.index.name = "site_id"
    prov = pd.DataFrame(
        [
            (site, cid, value, "km", source, 2024.0, "official", "", False)
            for site, row in values.items()
            for cid, value in row.items()
        ],
        columns=PROV_COLUMNS,
    )
    attributes = pd.DataFrame({"name": [f"Site {s}" for s in values]}, index=table.index)
    return SiteCriteria(table=table, provenance=prov, attributes=attributes)


@pytest.fixture
def base() -> SiteCriteria:
    return criteria_of(
        {"a": {"port_km": 10.0, "rail_km": 4.0}, "b": {"port_km": 20.0, "rail_km": np.nan}}
    )


# --------------------------------------------------------------------------- merge


def test_merge_nothing_returns_the_base(base):
    assert assumptions.merge(base, None) is base
    empty = SiteCriteria(base.table.iloc[:0], base.provenance.iloc[:0], base.attributes.iloc[:0])
    assert assumptions.merge(base, empty) is base


def test_merge_appends_the_users_sites_after_the_shipped_ones(base):
    extra = criteria_of({"user_x": {"port_km": 30.0, "rail_km": 1.0}}, source="user upload")
    merged = assumptions.merge(base, extra)
    assert list(merged.table.index) == ["a", "b", "user_x"]
    assert merged.table.at["user_x", "port_km"] == 30.0
    assert list(merged.attributes.index) == ["a", "b", "user_x"]
    assert len(merged.provenance) == len(base.provenance) + len(extra.provenance)
    assert list(merged.provenance.index) == list(range(len(merged.provenance)))
    user_rows = merged.provenance[merged.provenance["site_id"] == "user_x"]
    assert set(user_rows["source"]) == {"user upload"}
    assert list(base.table.index) == ["a", "b"]  # the inputs are not changed


def test_merge_refuses_a_clashing_site_id(base):
    clash = criteria_of({"b": {"port_km": 1.0, "rail_km": 1.0}})
    with pytest.raises(ValueError, match=r"site ids already in use: \['b'\]"):
        assumptions.merge(base, clash)


# --------------------------------------------------------------------------- apply_edits


def _prov(sc: SiteCriteria, site: str, cid: str) -> pd.Series:
    rows = sc.provenance[(sc.provenance["site_id"] == site) & (sc.provenance["criterion"] == cid)]
    (i,) = rows.index
    return rows.loc[i]


def test_apply_edits_replaces_the_value_and_marks_its_provenance(base):
    edited = assumptions.apply_edits(base, {"a": {"port_km": 12.5}})
    assert edited.table.at["a", "port_km"] == 12.5
    p = _prov(edited, "a", "port_km")
    assert p["value"] == 12.5
    assert p["kind"] == assumptions.USER_KIND == "user assumption"
    assert p["source"] == "edited in the app"
    assert np.isnan(p["year"])
    assert p["note"] == "shipped value 10 (official, Eurostat)"
    # everything else is as shipped, and the input is untouched
    assert _prov(edited, "a", "rail_km")["kind"] == "official"
    assert edited.table.at["b", "port_km"] == 20.0
    assert base.table.at["a", "port_km"] == 10.0
    assert _prov(base, "a", "port_km")["kind"] == "official"
    assert edited.attributes is base.attributes


def test_apply_edits_none_means_unknown_and_source_is_named(base):
    edited = assumptions.apply_edits(base, {"a": {"rail_km": None}}, source="user upload")
    assert np.isnan(edited.table.at["a", "rail_km"])
    p = _prov(edited, "a", "rail_km")
    assert np.isnan(p["value"])
    assert p["source"] == "user upload"
    assert p["note"] == "shipped value 4 (official, Eurostat)"


def test_apply_edits_fills_a_missing_value(base):
    edited = assumptions.apply_edits(base, {"b": {"rail_km": 7.0}})
    assert edited.table.at["b", "rail_km"] == 7.0
    p = _prov(edited, "b", "rail_km")
    assert p["value"] == 7.0
    assert p["kind"] == assumptions.USER_KIND


@pytest.mark.parametrize(
    "edits",
    [
        pytest.param({"a": {"port_km": 10.0}}, id="same value"),
        pytest.param({"b": {"rail_km": None}}, id="unknown stays unknown"),
        pytest.param({"b": {"rail_km": float("nan")}}, id="NaN stays NaN"),
        pytest.param({"gone": {"port_km": 1.0}}, id="unknown site"),
        pytest.param({"a": {"no_such_criterion": 1.0}}, id="unknown criterion"),
        pytest.param({}, id="no edits"),
    ],
)
def test_apply_edits_that_change_nothing(base, edits):
    edited = assumptions.apply_edits(base, edits)
    pd.testing.assert_frame_equal(edited.table, base.table)
    pd.testing.assert_frame_equal(edited.provenance, base.provenance)
    assert (edited.provenance["kind"] == "official").all()


def test_apply_edits_value_without_a_provenance_row(base):
    """A cell with no provenance row (none shipped) still takes the user's value."""
    sc = SiteCriteria(
        base.table, base.provenance[base.provenance["criterion"] != "port_km"], base.attributes
    )
    edited = assumptions.apply_edits(sc, {"a": {"port_km": 3.0}})
    assert edited.table.at["a", "port_km"] == 3.0
    pd.testing.assert_frame_equal(edited.provenance, sc.provenance)


# --------------------------------------------------------------------------- parse_edits


def test_parse_edits_is_still_importable_from_uploads():
    assert uploads.parse_edits is assumptions.parse_edits


CRITERIA = pd.DataFrame(
    {"unit": ["km", "%", "°C"]}, index=["road_to_port_km", "unemployment_pct", "mean_temp_c"]
)
PREVIOUS = pd.DataFrame(
    {"road_to_port_km": [10.0, 20.0], "unemployment_pct": [5.0, np.nan], "mean_temp_c": [1.0, 2.0]},
    index=pd.Index(["a", "b"], name="site_id"),
)


@pytest.mark.parametrize(
    ("column", "typed", "expected", "fragment"),
    [
        ("road_to_port_km", "12.5", 12.5, None),
        ("road_to_port_km", 7, 7.0, None),
        ("road_to_port_km", None, np.nan, None),
        ("road_to_port_km", "", np.nan, None),
        ("road_to_port_km", np.nan, np.nan, None),
        ("road_to_port_km", "abc", 10.0, "'abc' is not a finite non-negative number in km"),
        ("road_to_port_km", np.inf, 10.0, "'inf' is not a finite non-negative number in km"),
        ("road_to_port_km", -1, 10.0, "kept the previous value (10)"),
        ("unemployment_pct", "-0.5", 5.0, "non-negative number in %"),
        ("mean_temp_c", -12, -12.0, None),
        ("mean_temp_c", "-inf", 1.0, "'-inf' is not a finite number in °C"),
    ],
)
def test_parse_edits_cell(column, typed, expected, fragment):
    frame = PREVIOUS.copy().astype(object)
    frame.at["a", column] = typed
    frame["name"] = ["Site A", "Site B"]
    out, problems = assumptions.parse_edits(frame, CRITERIA, PREVIOUS)
    assert out[column].dtype == float
    np.testing.assert_equal(out.at["a", column], expected)
    assert out["name"].tolist() == ["Site A", "Site B"]
    if fragment is None:
        assert problems == []
    else:
        (p,) = problems
        assert (p.row, p.column) == (1, column)
        assert fragment in p.message
        assert p.message.startswith("a: ")


def test_parse_edits_new_row_has_no_previous_value():
    frame = pd.DataFrame({"road_to_port_km": ["x"]}, index=["new"])
    out, problems = assumptions.parse_edits(frame, CRITERIA, PREVIOUS)
    assert np.isnan(out.at["new", "road_to_port_km"])
    assert "kept the previous value (unknown)" in problems[0].message
