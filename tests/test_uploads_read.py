"""Tests of windrose_sites.uploads reading (:mod:`windrose_sites.uploads.read`) through
parse_sites: every hostile upload has a defined, reported outcome.
"""

from __future__ import annotations

import json
import tomllib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from upload_helpers import (
    GHENT,
    LYON,
    ROOT,
    collection,
    csv_bytes,
    feature,
    messages,
    point,
    square,
)

from windrose_sites import geo
from windrose_sites import uploads as up

# (id, bytes, filename, names kept, fragment of a problem (or None: no error), its row)
CASES = [
    ("empty file", b"", "s.csv", [], "the file is empty", None),
    ("blank lines only", b"\n \r\n\n", "s.csv", [], "the file is empty", None),
    ("header only", csv_bytes(), "s.csv", [], "no data rows after the header", None),
    (
        "semicolon delimiter, decimal comma",
        csv_bytes("Gent;51,05;3,72", header="name;lat;lon"),
        "s.csv",
        ["Gent"],
        "columns separated by ';'",
        None,
    ),
    (
        "tab delimiter",
        csv_bytes("Gent\t51.05\t3.72", header="name\tlat\tlon"),
        "s.tsv",
        ["Gent"],
        "columns separated by '\\t'",
        None,
    ),
    ("UTF-8 BOM", "\ufeffname,lat,lon\nKöln,50.94,6.96".encode(), "s.csv", ["Köln"], None, None),
    (
        "Latin-1 encoding",
        csv_bytes("Köln,50.94,6.96", encoding="latin-1"),
        "s.csv",
        ["Köln"],
        "not UTF-8; it was read as Windows-1252",
        None,
    ),
    (
        "UTF-16 with BOM",
        csv_bytes("Köln,50.94,6.96", encoding="utf-16"),
        "s.csv",
        ["Köln"],
        None,
        None,
    ),
    (
        "missing name column",
        csv_bytes("51.05,3.72", header="lat,lon"),
        "s.csv",
        [],
        "no name column; name it one of name, site",
        None,
    ),
    (
        "missing lat column",
        csv_bytes("Gent,3.72", header="name,lon"),
        "s.csv",
        [],
        "no latitude column; name it one of lat, latitude, y",
        None,
    ),
    (
        "missing lon column",
        csv_bytes("Gent,51.05", header="name,lat"),
        "s.csv",
        [],
        "no longitude column; name it one of lon, lng, long, longitude, x",
        None,
    ),
    (
        "one column: unknown delimiter",
        csv_bytes("Gent:51.05:3.72", header="name:lat:lon"),
        "s.csv",
        [],
        "one column only",
        None,
    ),
    (
        "aliases Latitude/LNG",
        csv_bytes(GHENT, header="Name,Latitude,LNG"),
        "s.csv",
        ["Ghent"],
        None,
        None,
    ),
    (
        "aliases site/y/x",
        csv_bytes("Ghent,3.72,51.05", header="site,x,y"),
        "s.csv",
        ["Ghent"],
        None,
        None,
    ),
    (
        "non-numeric lat",
        csv_bytes(GHENT, "Bad,abc,3.7"),
        "s.csv",
        ["Ghent"],
        "latitude 'abc' is not a number",
        2,
    ),
    (
        "NaN lat",
        csv_bytes(GHENT, "Bad,NaN,3.7"),
        "s.csv",
        ["Ghent"],
        "latitude 'NaN' is not a finite number",
        2,
    ),
    (
        "infinite lon",
        csv_bytes(GHENT, "Bad,51,-inf"),
        "s.csv",
        ["Ghent"],
        "longitude '-inf' is not a finite number",
        2,
    ),
    (
        "overflowing lon",
        csv_bytes(GHENT, "Bad,51,1e400"),
        "s.csv",
        ["Ghent"],
        "longitude '1e400' is not a finite number",
        2,
    ),
    ("empty lat", csv_bytes(GHENT, "Bad,,3.7"), "s.csv", ["Ghent"], "missing latitude", 2),
    ("lat above 90", csv_bytes(GHENT, "Bad,91,3.7"), "s.csv", ["Ghent"], "latitude outside ±90", 2),
    (
        "lon below -180",
        csv_bytes(GHENT, "Bad,51,-181"),
        "s.csv",
        ["Ghent"],
        "longitude outside ±180",
        2,
    ),
    (
        "lat/lon swapped, lat out of range",
        csv_bytes("Phoenix,-112.07,33.45"),
        "s.csv",
        [],
        "latitude outside ±90 (lat -112.07, lon 33.45); are the latitude and longitude swapped?",
        1,
    ),
    (
        "lat/lon swapped, in range: sea -> land",
        csv_bytes(LYON, "Ghent,3.72,51.05"),
        "s.csv",
        ["Lyon"],
        "lat 3.72, lon 51.05 is in the sea; swapped (lat 51.05, lon 3.72) it is in Belgium",
        2,
    ),
    (
        "open sea, swap also at sea: kept",
        csv_bytes("Mid-Atlantic,40,-40"),
        "s.csv",
        ["Mid-Atlantic"],
        "in the sea, over 50 km from land: imported",
        1,
    ),
    (
        "port on the coast: no sea warning",
        csv_bytes("Antwerp port,51.28,4.36"),
        "s.csv",
        ["Antwerp port"],
        None,
        None,
    ),
    (
        "duplicate names in the file",
        csv_bytes(GHENT, LYON, "ghent ,51.1,3.8"),
        "s.csv",
        ["Ghent", "Lyon"],
        "duplicate name (first used on row 1)",
        3,
    ),
    (
        "missing name value",
        csv_bytes(GHENT, ",45.76,4.84"),
        "s.csv",
        ["Ghent"],
        "missing name; every site needs one",
        2,
    ),
    (
        "Unicode and right-to-left names kept intact",
        csv_bytes("Zürich – 東京,47.37,8.54", "\u200fמפעל חיפה,32.79,34.99", "القاهرة,30.04,31.24"),
        "s.csv",
        ["Zürich – 東京", "\u200fמפעל חיפה", "القاهرة"],
        None,
        None,
    ),
    (
        "HTML and script kept as text",
        csv_bytes('"<script>alert(1)</script><b>x</b>",51.05,3.72'),
        "s.csv",
        ["<script>alert(1)</script><b>x</b>"],
        None,
        None,
    ),
    (
        "name starting with =",
        csv_bytes('"=HYPERLINK(""x"")",51.05,3.72'),
        "s.csv",
        ['=HYPERLINK("x")'],
        "name starts with '=': kept as text",
        1,
    ),
    (
        "name starting with +",
        csv_bytes("+32 site,51.05,3.72"),
        "s.csv",
        ["+32 site"],
        "name starts with '+'",
        1,
    ),
    (
        "name starting with -",
        csv_bytes("-North,51.05,3.72"),
        "s.csv",
        ["-North"],
        "name starts with '-'",
        1,
    ),
    (
        "name starting with @",
        csv_bytes("@SUM(1),51.05,3.72"),
        "s.csv",
        ["@SUM(1)"],
        "name starts with '@'",
        1,
    ),
    (
        "name starting with tab",
        csv_bytes('"\t=1+1",51.05,3.72'),
        "s.csv",
        ["=1+1"],
        "removed 1 control character(s)",
        1,
    ),
    (
        "name starting with CR",
        csv_bytes('"\rGhent",51.05,3.72'),
        "s.csv",
        ["Ghent"],
        "removed 1 control character(s)",
        1,
    ),
    (
        "control characters inside a name",
        csv_bytes("Gh\x07en\x1bt,51.05,3.72"),
        "s.csv",
        ["Ghent"],
        "removed 2 control character(s)",
        1,
    ),
    (
        "name longer than 200 characters",
        csv_bytes("N" * 250 + ",51.05,3.72"),
        "s.csv",
        ["N" * 200],
        "name of 250 characters truncated to 200",
        1,
    ),
    (
        "too many fields in a row",
        csv_bytes(GHENT, "Lyon, France,45.76,4.84"),
        "s.csv",
        ["Ghent"],
        "4 fields but the header has 3",
        2,
    ),
    (
        "binary garbage",
        np.random.default_rng(1).bytes(4096),
        "s.csv",
        [],
        "looks like a binary file",
        None,
    ),
    (
        "Excel file",
        b"PK\x03\x04" + bytes(100),
        "sites.xlsx",
        [],
        "save the sheet as 'CSV UTF-8'",
        None,
    ),
    (
        "over the size limit",
        b"name,lat,lon\n" + b"x" * up.MAX_UPLOAD_BYTES,
        "s.csv",
        [],
        "the limit is 20 MB",
        None,
    ),
    # ------------------------------------------------------------------ GeoJSON
    (
        "GeoJSON: a Feature, not a FeatureCollection",
        json.dumps(feature(point(3.72, 51.05))).encode(),
        "s.geojson",
        [],
        "expected a GeoJSON FeatureCollection, got 'Feature'",
        None,
    ),
    (
        "GeoJSON: a bare array",
        b"[1, 2]",
        "s.json",
        [],
        "expected a GeoJSON FeatureCollection, got 'array'",
        None,
    ),
    ("GeoJSON: not JSON", b"{'type': 'FeatureCollection'", "s.geojson", [], "not valid JSON", None),
    ("GeoJSON: nested 100k deep", b"[" * 100_000, "s.json", [], "not valid JSON", None),
    ("GeoJSON: no features", collection(), "s.geojson", [], "has no features", None),
    (
        "GeoJSON: points",
        collection(feature(point(3.72, 51.05), name="Ghent")),
        "s.geojson",
        ["Ghent"],
        None,
        None,
    ),
    (
        "GeoJSON: legacy crs EPSG:3857 is reprojected",
        collection(
            feature(point(414_000, 6_633_000), name="Ghent"),
            crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}},
        ),
        "s.geojson",
        ["Ghent"],
        "coordinates reprojected from EPSG:3857 to EPSG:4326",
        None,
    ),
    (
        "GeoJSON: projected, CRS not named",
        collection(feature(point(414_000, 6_633_000), name="Ghent")),
        "s.geojson",
        [],
        "the file uses a projected CRS it does not name",
        None,
    ),
    (
        "GeoJSON: unknown CRS",
        collection(
            feature(point(3.72, 51.05), name="Ghent"),
            crs={"type": "name", "properties": {"name": "EPSG:999999"}},
        ),
        "s.geojson",
        [],
        "unknown CRS 'EPSG:999999'",
        None,
    ),
    (
        "GeoJSON: crs CRS84 is lon/lat",
        collection(
            feature(point(3.72, 51.05), name="Ghent"),
            crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
        ),
        "s.geojson",
        ["Ghent"],
        None,
        None,
    ),
    (
        "GeoJSON: self-intersecting polygon is rejected",
        collection(
            feature(
                {
                    "type": "Polygon",
                    "coordinates": [[[4, 51], [4.1, 51.1], [4.1, 51], [4, 51.1], [4, 51]]],
                },
                name="Bowtie",
            ),
            feature(square(3.72, 51.05), name="Plot"),
        ),
        "s.geojson",
        ["Plot"],
        "invalid Polygon (Self-intersection",
        1,
    ),
    (
        "GeoJSON: unclosed polygon ring",
        collection(feature({"type": "Polygon", "coordinates": [[[4, 51], [4.1, 51]]]}, name="P")),
        "s.geojson",
        [],
        "unreadable Polygon",
        1,
    ),
    (
        "GeoJSON: MultiPolygon kept",
        collection(
            feature(
                {"type": "MultiPolygon", "coordinates": [square(4, 51)["coordinates"]]},
                name="Two plots",
            )
        ),
        "s.geojson",
        ["Two plots"],
        None,
        None,
    ),
    (
        "GeoJSON: LineString rejected",
        collection(
            feature({"type": "LineString", "coordinates": [[4, 51], [5, 52]]}, name="Road"),
            feature(point(3.72, 51.05), name="Ghent"),
        ),
        "s.geojson",
        ["Ghent"],
        "a LineString cannot be a site",
        1,
    ),
    (
        "GeoJSON: MultiPoint rejected",
        collection(feature({"type": "MultiPoint", "coordinates": [[4, 51]]}, name="M")),
        "s.geojson",
        [],
        "a MultiPoint cannot be a site",
        1,
    ),
    (
        "GeoJSON: null geometry",
        collection(feature(None, name="Nowhere")),
        "s.geojson",
        [],
        "the feature has no geometry",
        1,
    ),
    (
        "GeoJSON: text coordinates",
        collection(feature(point("4", "51"), name="T")),
        "s.geojson",
        [],
        "Point coordinates must be [lon, lat] numbers",
        1,
    ),
    (
        "GeoJSON: huge integer coordinate",
        b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"H"},'
        b'"geometry":{"type":"Point","coordinates":[1' + b"0" * 400 + b",51]}}]}",
        "s.geojson",
        [],
        "coordinate too large",
        1,
    ),
    (
        "GeoJSON: NaN coordinate",
        (
            b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"N"},'
            b'"geometry":{"type":"Point","coordinates":[NaN,51]}}]}'
        ),
        "s.geojson",
        [],
        "coordinates are not finite numbers",
        1,
    ),
    (
        "GeoJSON: a feature that is not an object",
        collection("oops", feature(point(3.72, 51.05), name="Ghent")),
        "s.geojson",
        ["Ghent"],
        "not a GeoJSON Feature object",
        1,
    ),
    (
        "GeoJSON: properties not an object",
        collection({"type": "Feature", "properties": [1], "geometry": point(4, 51)}),
        "s.geojson",
        [],
        "'properties' must be an object",
        1,
    ),
    (
        "GeoJSON: numeric name kept as text",
        collection(feature(point(3.72, 51.05), name=42)),
        "s.geojson",
        ["42"],
        None,
        None,
    ),
]


@pytest.mark.parametrize(
    ("data", "filename", "kept", "fragment", "row"),
    [pytest.param(*c[1:], id=c[0]) for c in CASES],
)
def test_upload_case(data, filename, kept, fragment, row):
    result = up.parse_sites(data, filename)
    assert isinstance(result, up.UploadResult)
    assert list(result.sites["name"]) == kept, messages(result)
    assert result.ok == bool(kept)
    assert "internal error" not in messages(result)
    if fragment is None:
        assert not [p for p in result.problems if p.level == "error"], messages(result)
        assert not [p for p in result.problems if p.row is not None], messages(result)
    else:
        hits = [p for p in result.problems if fragment in p.message]
        assert hits, f"{fragment!r} not in:\n{messages(result)}"
        assert hits[0].row == row
    if kept:
        assert result.sites.crs == "EPSG:4326"
        assert result.sites["site_id"].is_unique
        assert result.sites["site_id"].str.startswith("user_").all()
        assert result.sites.geometry.is_valid.all()


def test_max_rows_parse():
    cities = geo.cities().sample(up.MAX_ROWS, replace=True, random_state=7)
    jitter = np.random.default_rng(7).uniform(-0.01, 0.01, (up.MAX_ROWS, 2))
    lines = [
        f"Site {i},{lat:.5f},{lon:.5f},{i % 30}"
        for i, (lat, lon) in enumerate(
            zip(cities["lat"] + jitter[:, 0], cities["lon"] + jitter[:, 1], strict=True)
        )
    ]
    data = csv_bytes(*lines, header="name,lat,lon,unemployment_pct")
    up.parse_sites(csv_bytes(GHENT), "warm.csv")  # loads cities and outlines once
    # behaviour only: speed is measured in benchmarks, never asserted in tests
    result = up.parse_sites(data, "big.csv")
    assert len(result.sites) > 0.97 * up.MAX_ROWS, messages(result)[:2000]
    too_many = b"name,lat,lon\n" + b"a,1,1\n" * (up.MAX_ROWS + 1)
    result = up.parse_sites(too_many, "big.csv")
    assert not result.ok
    assert "more than 10,000 data rows" in messages(result)


def test_upload_limit_matches_streamlit_config():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] * 1024 * 1024 == up.MAX_UPLOAD_BYTES


def test_problem_text():
    assert str(up.Problem(3, "lat", "bad")) == "row 3, column 'lat': bad"
    assert str(up.Problem(None, None, "empty")) == "file: empty"


# --------------------------------------------------------------------------- fuzzing


def _assert_never_raises(data: bytes, filename: str) -> None:
    result = up.parse_sites(data, filename)
    assert isinstance(result, up.UploadResult)
    assert "internal error" not in messages(result), messages(result)
    assert result.ok == (len(result.sites) > 0)


FUZZ = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.binary(max_size=3000), st.sampled_from(["a.csv", "a.geojson", "a.json", "a", ""]))
def test_fuzz_bytes(data, filename):
    _assert_never_raises(data, filename)


csv_cell = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8"), max_size=12),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["", "51.05", "3,72", "-112.07", "nan", "=1+1", "\t", '"', "\r\n"]),
)


@FUZZ
@given(
    st.lists(
        st.sampled_from(
            [
                "name",
                "lat",
                "lon",
                "x",
                "Y",
                "country",
                "unemployment_pct",
                "road_to_port_km",
                "note",
                "",
            ]
        ),
        min_size=1,
        max_size=6,
    ),
    st.lists(st.lists(csv_cell, max_size=7), max_size=8),
    st.sampled_from([",", ";", "\t", "|"]),
)
def test_fuzz_csvish_text(header, rows, delimiter):
    text = "\n".join(delimiter.join(r) for r in [header, *rows])
    _assert_never_raises(text.encode("utf-8", "surrogatepass"), "fuzz.csv")


json_value = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=20,
)
coordinate = st.one_of(st.floats(), st.integers(-(10**6), 10**6), json_value)
geometry = st.one_of(
    json_value,
    st.builds(lambda c: {"type": "Point", "coordinates": c}, st.lists(coordinate, max_size=4)),
    st.builds(
        lambda t, c: {"type": t, "coordinates": c},
        st.sampled_from(["Polygon", "MultiPolygon", "LineString", "MultiPoint", "Nope"]),
        st.lists(st.lists(st.lists(coordinate, min_size=2, max_size=3), max_size=6), max_size=3),
    ),
)
fuzz_feature = st.one_of(
    json_value,
    st.builds(
        lambda g, p: {"type": "Feature", "geometry": g, "properties": p},
        geometry,
        st.one_of(
            json_value,
            st.dictionaries(
                st.sampled_from(["name", "Name", "title", "country", "unemployment_pct", "lat"]),
                json_value,
                max_size=4,
            ),
        ),
    ),
)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(fuzz_feature, max_size=6),
    st.one_of(
        st.none(),
        json_value,
        st.sampled_from(["EPSG:3857", "EPSG:4326", "nonsense", "EPSG:5703", "+proj=merc"]),
    ),
)
def test_fuzz_jsonish(features, crs):
    doc = {"type": "FeatureCollection", "features": features}
    if crs is not None:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    _assert_never_raises(json.dumps(doc).encode(), "fuzz.geojson")


@FUZZ
@given(json_value)
def test_fuzz_any_json(doc):
    _assert_never_raises(json.dumps(doc).encode(), "fuzz.json")


def test_geojson_over_the_row_limit_is_refused():
    features = [feature(point(3.7, 51.0), name=f"s{i}") for i in range(up.MAX_ROWS + 1)]
    result = up.parse_sites(collection(*features), "big.geojson")
    assert not result.ok
    assert "10,001 features; the limit is 10,000" in messages(result)
