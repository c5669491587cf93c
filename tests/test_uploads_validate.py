"""Tests of windrose_sites.uploads checks (:mod:`windrose_sites.uploads.validate`, the
completion in :mod:`windrose_sites.uploads.sites`) and of the user's saved sites.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from upload_helpers import (
    GHENT,
    LYON,
    PHOENIX,
    collection,
    csv_bytes,
    feature,
    messages,
    square,
)

from windrose_sites import catalog, geo
from windrose_sites import uploads as up


def test_result_schema_and_inferred_fields():
    data = csv_bytes(GHENT, PHOENIX, "Tokyo,35.68,139.69", LYON)
    result = up.parse_sites(data, "my sites.csv")
    sites = result.sites.set_index("name")
    assert list(result.sites.columns[:12]) == list(catalog.SITE_COLUMNS)
    assert sites.loc["Ghent", "country"] == "BE"
    assert sites.loc["Ghent", "indicator_areas"] == "BE;EU"
    assert sites.loc["Phoenix", "indicator_areas"] == "US-AZ;US"
    assert sites.loc["Tokyo", "indicator_areas"] == "JP"
    assert sites.loc["Lyon", "indicator_areas"] == "FR;EU"
    assert (sites["role"] == "candidate").all()
    assert (sites["status"] == "user upload (unverified)").all()
    assert (sites["source"] == "user upload: my sites.csv").all()
    assert (sites["kind"] == "estimate").all()
    assert (sites["gateway_port"] == "").all()
    assert sites["year"].dtype.kind == "i"
    assert sites["year"].iloc[0] >= 2025
    assert "nearest city Gent, BE" in sites.loc["Ghent", "location_note"]
    assert result.problems == []
    point = sites.loc["Phoenix", "geometry"]
    assert (point.x, point.y) == (-112.07, 33.45)


@pytest.mark.parametrize(
    ("given", "expected", "fragment"),
    [("be", "BE", None), ("UK", "GB", None), ("Belgium", "BE", "'BELGIUM' is not an ISO")],
)
def test_given_country(given, expected, fragment):
    result = up.parse_sites(
        csv_bytes(f"Ghent,51.05,3.72,{given}", header="name,lat,lon,country"), "s.csv"
    )
    assert result.sites["country"].tolist() == [expected]
    found = [p.message for p in result.problems if p.row == 1]
    assert (fragment is None and not found) or fragment in found[0]


def test_country_near_a_border_is_flagged():
    result = up.parse_sites(csv_bytes("Onnaing,50.38,3.60"), "s.csv")
    assert result.sites["country"].tolist() == ["FR"]
    (p,) = result.problems
    assert (p.row, p.column, p.level) == (1, "country", "warning")
    assert "inferred as FR from the nearest city (Valenciennes" in p.message
    assert "outlines put the point in Belgium (BE)" in p.message


def test_names_and_ids_against_existing():
    result = up.parse_sites(
        csv_bytes(GHENT, LYON, "Łódź,51.76,19.46", "東京,35.68,139.69"),
        "s.csv",
        existing_names=["LYON"],
        existing_ids=["user_ghent"],
    )
    assert result.sites["name"].tolist() == ["Ghent", "Łódź", "東京"]
    assert result.sites["site_id"].tolist() == ["user_ghent_2", "user_odz", "user_site_4"]
    assert [(p.row, p.column) for p in result.problems if p.level == "error"] == [(2, "name")]
    assert "a site named 'Lyon' already exists" in messages(result)


def test_polygon_is_kept_and_located_by_its_centroid():
    result = up.parse_sites(collection(feature(square(-111.5, 32.9, 0.02), name="Plot")), "p.json")
    (geom,) = result.sites.geometry
    assert geom.geom_type == "Polygon"
    assert result.sites["indicator_areas"].iloc[0] == "US-AZ;US"
    assert geo.geodesic_area_ha(geom) > 300


def test_criterion_columns_are_kept_and_checked():
    data = csv_bytes(
        "A,51.05,3.72,7.5,12",
        "B,45.76,4.84,,n/a",
        "C,50.94,6.96,abc,-3",
        "D,48.85,2.35,inf,40",
        header="name,lat,lon,Unemployment_PCT,road_to_port_km",
    )
    result = up.parse_sites(data, "s.csv")
    sites = result.sites.set_index("name")
    assert sites.loc["A", "unemployment_pct"] == 7.5
    assert sites.loc["A", "road_to_port_km"] == 12
    assert sites.loc[["B", "C", "D"], "unemployment_pct"].isna().all()
    assert np.isnan(sites.loc["C", "road_to_port_km"])
    warned = {(p.row, p.column) for p in result.problems if p.level == "warning" and p.row}
    assert warned == {(3, "unemployment_pct"), (3, "road_to_port_km"), (4, "unemployment_pct")}
    assert "not a finite non-negative number in km; treated as unknown" in messages(result)


def test_uploaded_sites_feed_compute_criteria():
    result = up.parse_sites(
        csv_bytes("Zelzate,51.20,3.81,13.5", header="name,lat,lon,labour_cost_eur_h"), "s.csv"
    )
    computed = catalog.compute_criteria(result.sites)
    row = computed.table.loc["user_zelzate"]
    assert 0 < row["road_to_port_km"] < 100
    assert row["unemployment_pct"] > 0  # looked up through indicator_areas "BE;EU"
    assert np.isfinite(row["sea_distance_nm"])


def test_shipped_sites_upload_cleanly():
    """The catalog's own sites, written as a CSV, pass; only Onnaing gets the border check."""
    sites = catalog.load_sites()
    pts = sites.geometry.representative_point()
    rows = [f'"{n}",{p.y},{p.x}' for n, p in zip(sites["name"], pts, strict=True)]
    result = up.parse_sites(csv_bytes(*rows), "shipped.csv")
    assert len(result.sites) == len(sites)
    flagged = {result.sites["name"].iloc[p.row - 1] for p in result.problems}
    assert flagged == {n for n in sites["name"] if "Onnaing" in n}, messages(result)
    assert {p.column for p in result.problems} == {"country"}
    assert (result.sites["country"].to_numpy() == sites["country"].to_numpy()).all()


def test_no_shipped_unit_can_be_negative():
    units = catalog.load_criteria()["unit"]
    assert not any(up.can_be_negative(u) for u in units), list(units)


# --------------------------------------------------------------------------- saved user sites

SHIPPED = catalog.load_sites()
KNOWN = {"shipped_ids": SHIPPED["site_id"], "shipped_names": SHIPPED["name"]}


def saved_sites(*rows: str, header: str = "name,lat,lon,unemployment_pct") -> dict:
    """GeoJSON (as a dict) of sites as a scenario stores them: parse_sites, then to_json."""
    data = csv_bytes(*rows, header=header)
    result = up.parse_sites(
        data, "mine.csv", existing_ids=SHIPPED["site_id"], existing_names=SHIPPED["name"]
    )
    assert result.ok, messages(result)
    return json.loads(result.sites.to_json(drop_id=True))


def test_saved_sites_round_trip_through_the_validator():
    doc = saved_sites("Ghent,51.05,3.72,5", "Zelzate,51.2,3.81,")
    sites, problems = up.user_sites_from_geojson(json.dumps(doc), **KNOWN)
    assert problems == []
    assert list(sites["site_id"]) == ["user_ghent", "user_zelzate"]
    assert sites["unemployment_pct"].tolist()[0] == 5.0
    assert np.isnan(sites["unemployment_pct"].tolist()[1])
    assert sites.crs == "EPSG:4326"
    assert sites["year"].dtype.kind == "i"
    # the shape parse_sites gives, so compute_criteria and the pages take it as an upload
    assert list(sites.columns[: len(catalog.SITE_COLUMNS)]) == list(catalog.SITE_COLUMNS)
    catalog.compute_criteria(sites)


def _tamper(change) -> list[up.Problem]:
    doc = saved_sites("Ghent,51.05,3.72,5", "Zelzate,51.2,3.81,")
    change(doc["features"])
    sites, problems = up.user_sites_from_geojson(json.dumps(doc), **KNOWN)
    assert len(sites) == 0  # refused as a whole
    return [p for p in problems if p.level == "error"]


def _set(prop, value, i=0):
    def change(features):
        features[i]["properties"][prop] = value

    return change


def _drop(prop):
    def change(features):
        for f in features:
            del f["properties"][prop]

    return change


def _geometry(geometry):
    def change(features):
        features[1]["geometry"] = geometry

    return change


@pytest.mark.parametrize(
    ("change", "column", "fragment"),
    [
        (_drop("gateway_port"), "gateway_port", "missing column 'gateway_port'"),
        (_set("site_id", "onnaing"), "site_id", "'onnaing' is the id of a shipped site"),
        (_set("site_id", "user_zelzate"), "site_id", "'user_zelzate' repeats row 1"),
        (_set("site_id", "a,b"), "site_id", "is not a site id"),
        (_set("site_id", None), "site_id", "missing site_id"),
        (_set("name", SHIPPED["name"].iloc[0].upper()), "name", "a shipped site is named"),
        (_set("name", "ZELZATE", 0), "name", "repeats row 1"),
        (_set("name", "a\nb"), "name", "control characters"),
        (_set("name", 12), "name", "expected text, got number"),
        (_set("country", "Belgium"), "country", "not an ISO alpha-2 code"),
        (_set("role", "reference"), "role", "'candidate'"),
        (_set("kind", "missing"), "kind", "one of official, derived, estimate"),
        (_set("year", "2025"), "year", "expected a whole year 1900-2100, got string"),
        (_set("year", 10**400), "year", "expected a whole year"),
        (_set("unemployment_pct", -3), "unemployment_pct", "non-negative number"),
        (_set("unemployment_pct", "5"), "unemployment_pct", "got string"),
        (_set("unemployment_pct", 1e300), "unemployment_pct", "up to 1e+15"),
        (_geometry(None), "geometry", "got nothing"),
        (_geometry({"type": "Point", "coordinates": [200, 10]}), "geometry", "outside ±180°"),
        (_geometry({"type": "LineString", "coordinates": [[0, 0], [1, 1]]}), "geometry", "got"),
        (
            _geometry(
                {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
            ),
            "geometry",
            "invalid Polygon",
        ),
        (_geometry({"type": "Point", "coordinates": "x"}), "geometry", "unreadable geometry"),
    ],
)
def test_saved_sites_that_would_break_a_page_are_refused(change, column, fragment):
    errors = _tamper(change)
    assert errors, "nothing reported"
    assert any(p.column == column and fragment in p.message for p in errors), errors


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("{", "not valid GeoJSON text"),
        ('{"type": "Feature"}', "expected a GeoJSON FeatureCollection"),
        ('{"type": "FeatureCollection", "features": {}}', "'features' must be an array"),
        ('{"type": "FeatureCollection", "features": [1]}', "not a GeoJSON Feature object"),
    ],
)
def test_saved_sites_text_that_is_not_a_feature_collection(text, fragment):
    sites, problems = up.user_sites_from_geojson(text, **KNOWN)
    assert len(sites) == 0
    assert fragment in problems[0].message


def test_saved_sites_limit_and_unknown_columns():
    doc = saved_sites("Ghent,51.05,3.72,5")
    doc["features"] = doc["features"] * (up.MAX_ROWS + 1)
    sites, problems = up.user_sites_from_geojson(json.dumps(doc), **KNOWN)
    assert len(sites) == 0
    assert "the limit is 10,000" in problems[0].message
    doc = saved_sites("Ghent,51.05,3.72,5")
    doc["features"][0]["properties"]["colour"] = "red"
    sites, problems = up.user_sites_from_geojson(json.dumps(doc), **KNOWN)
    assert len(sites) == 1
    assert "colour" not in sites.columns
    assert [p.level for p in problems] == ["warning"]
    assert "colour" in problems[0].message
