"""Tests of windrose_sites/road.py: the road-distance estimator (geodesic x regional circuity).

Golden tests compare the estimator with road distances read in stored public copies; each
test cites the address it read. Coordinates come from the shipped GeoNames table and
ports.csv, never typed in.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from windrose_sites import catalog, geo, map_views, road
from windrose_sites import surface as sf
from windrose_sites.state import Filters

KM_PER_MILE = 1.609344
#: Tolerance of the issue: road estimates within 10 % of a sourced road distance.
TOLERANCE = 0.10


def city(name: str, country: str, admin1: str) -> tuple[float, float]:
    """(lon, lat) of the most populous GeoNames city of that name in that state/region."""
    c = geo.cities()
    row = c[(c["name"] == name) & (c["country"] == country) & (c["admin1"] == admin1)]
    best = row.sort_values("population").iloc[-1]
    return float(best["lon"]), float(best["lat"])


def port(port_id: str) -> tuple[float, float]:
    p = catalog.load_ports().loc[port_id]
    return float(p["lon"]), float(p["lat"])


def estimate(a: tuple[float, float], b: tuple[float, float], region: str) -> float:
    return float(road.road_km(geo.geodesic_km(*a, *b), region))


# ------------------------------------------------------------ golden: sourced road distances


def test_phoenix_to_the_port_of_long_beach_within_10_pct_of_the_i10_drive():
    """Phoenix -> Port of Long Beach by I-10: about 630-640 km.

    Source: issue 12 section 5 and shared/reference/data-leads.md ("the I-10 drive is about
    630-640 km"). No stored page with this figure was found (searched the pages corpus for
    "driving distance Phoenix to Long Beach miles I-10" and "Port of Long Beach to Phoenix
    truck miles drayage distance"), so the issue's figure is used, as the brief allows.
    The former geodesic x 1.3 gave about 742 km here (+17 %).
    """
    km = estimate(city("Phoenix", "US", "AZ"), port("long_beach"), "US-AZ-PHX;US-AZ;US")
    assert abs(km / 635.0 - 1) <= TOLERANCE
    assert 630 * (1 - TOLERANCE) <= km <= 640 * (1 + TOLERANCE)


def test_boston_to_dallas_within_10_pct_of_the_fastest_route():
    """Boston -> Dallas, fastest driving route about 1750 miles (geodesic about 1520 miles).

    Source: https://christopherwolfram.com/projects/efficiency-of-road-networks (C. Wolfram,
    "Efficiency of Road Networks", April 2021, opening example), read in the pages corpus.
    """
    km = estimate(city("Boston", "US", "MA"), city("Dallas", "US", "TX"), "US-MA;US")
    assert abs(km / (1750 * KM_PER_MILE) - 1) <= TOLERANCE
    # on the page's own geodesic the US factor gives the route to within 3.1 %
    assert float(road.road_km(1520.0, "US")) == pytest.approx(1750.0, rel=0.031)


@pytest.mark.xfail(
    strict=True,
    reason="known miss: a national US factor (1.186) overshoots the near-straight I-10 "
    "corridor (road / geodesic = 1.04) by about 14 %; no per-state factor was found",
)
def test_phoenix_to_downtown_los_angeles_within_10_pct():
    """Phoenix -> downtown Los Angeles by I-10: 372 miles (downtown to downtown).

    Sources: https://namegenerator.biz/distance-from-phoenix-arizona-to-los-angeles-what-you-need-to-know-before-you-drive-7d5
    ("exactly 372 miles from downtown to downtown") and
    https://pixelation.org/how-far-is-los-angeles-from-phoenix-the-reality-of-the-desert-drive-1gvy
    ("roughly 372 miles"); both are travel pages, low trust.
    """
    km = estimate(city("Phoenix", "US", "AZ"), city("Los Angeles", "US", "CA"), "US-AZ;US")
    assert abs(km / (372 * KM_PER_MILE) - 1) <= TOLERANCE


@pytest.mark.xfail(
    strict=True,
    reason="known miss: the national US factor (1.186) undershoots the Altamont Pass route "
    "(road / geodesic = 1.32) by just over 10 %; no California factor was found",
)
def test_oakland_to_stockton_within_10_pct():
    """Oakland -> Stockton (I-580 / I-205): "about 72 miles".

    Source: https://namegenerator.biz/getting-from-oakland-ca-to-stockton-ca-without-losing-your-mind-179j
    (a travel page, low trust). Stockton's gateway port in the catalog is Oakland.
    """
    km = estimate(city("Oakland", "US", "CA"), city("Stockton", "US", "CA"), "US-CA;US")
    assert abs(km / (72 * KM_PER_MILE) - 1) <= TOLERANCE


def test_no_single_us_factor_fits_both_sourced_corridors():
    """Why the two misses above cannot both be fixed with one US-wide factor.

    The sourced drives (addresses in the two tests above) give road / geodesic = 1.04 on I-10
    and 1.32 over the Altamont Pass: no factor is within 10 % of both, so only per-state or
    per-corridor factors (not found in stored copies) could pass them together.
    """
    i10 = (
        372
        * KM_PER_MILE
        / geo.geodesic_km(*city("Phoenix", "US", "AZ"), *city("Los Angeles", "US", "CA"))
    )
    altamont = (
        72
        * KM_PER_MILE
        / geo.geodesic_km(*city("Oakland", "US", "CA"), *city("Stockton", "US", "CA"))
    )
    # a factor f is within 10 % of a ratio r when 0.9 r <= f <= 1.1 r
    assert float(i10) * (1 + TOLERANCE) < float(altamont) * (1 - TOLERANCE)


def test_antwerp_to_onnaing_uses_the_european_factor():
    """Antwerp -> Onnaing: no sourced road distance was found in stored copies (searched the
    pages corpus for "Antwerpen Valenciennes afstand km auto", "distance Anvers Valenciennes km
    route", "Antwerp to Valenciennes driving distance", "Valenciennes Anvers distance par la
    route autoroute A2 E19 kilometres"), so this checks the estimator's basis, not a drive.
    """
    attrs = catalog.site_attributes()
    a, b = attrs.loc["antwerp_romeynsweel"], attrs.loc["onnaing"]
    km = float(geo.geodesic_km(a["lon"], a["lat"], b["lon"], b["lat"]))
    assert road.road_km(km, "FR-59-VAL;FR-59;FR-HDF;FR;EU") == pytest.approx(km / 0.767)
    lines = map_views.view_spec("Europe", catalog.load_sites(), catalog.load_ports(), attrs).lines
    label = lines["label"].iloc[0]
    assert f"{km / 0.767:,.0f} km" in label
    assert "EU circuity" in label


# ------------------------------------------------------------------ the table and look-ups


def test_every_factor_is_sourced_an_estimate_and_computed_from_the_published_figure():
    table = road.load_circuity()
    assert road.DEFAULT_REGION in table.index
    assert table["source"].str.contains("https://").all()
    assert (table["kind"] == "estimate").all()
    assert table["year"].between(2000, 2100).all()
    # the published route efficiencies are stored; the factor is computed, not typed
    assert table.at["US", "factor"] == 1 / 0.843
    assert table.at["EU", "factor"] == 1 / 0.767
    assert table.at["default", "factor"] == 1.3 == geo.CIRCUITY_FACTOR


@pytest.mark.parametrize(
    ("areas", "region", "skipped"),
    [
        ("US-AZ-PIN;US-AZ;US", "US", ("US-AZ-PIN", "US-AZ")),
        ("US-CA", "US", ("US-CA",)),
        ("US", "US", ()),
        ("BE-VAN;BE-VLG;BE;EU", "EU", ("BE-VAN", "BE-VLG", "BE")),
        ("FR", "EU", ("FR",)),
        ("CN", road.DEFAULT_REGION, ("CN",)),
        ("", road.DEFAULT_REGION, ()),
    ],
)
def test_a_chain_uses_its_most_specific_region_with_a_row(areas, region, skipped):
    c = road.circuity_for(areas)
    assert (c.region, c.skipped, c.fallback) == (region, skipped, bool(skipped))
    assert f"the {region} row of road_circuity.csv" in c.describe()
    assert f"x circuity {c.factor:.3f}" in c.describe()


def test_road_km_is_vectorised_and_broadcasts():
    km = np.array([[10.0, 20.0], [30.0, np.nan]])
    one = road.road_km(km, "US-AZ")
    assert one.shape == (2, 2)
    assert np.isnan(one[1, 1])
    assert np.allclose(one[0], km[0] / 0.843)
    each = road.road_km(km, np.array([["US", "BE"], ["CN", None]], dtype=object))
    assert np.allclose(each[0], [10 / 0.843, 20 / 0.767])
    assert each[1, 0] == pytest.approx(39.0)
    assert road.road_km(np.zeros(0), "US").shape == (0,)


@pytest.mark.parametrize("bad", [-1.0, np.inf, -np.inf])
def test_road_km_refuses_negative_or_infinite_distances(bad):
    with pytest.raises(ValueError, match="finite and non-negative"):
        road.road_km(np.array([1.0, bad]), "US")


CSV_HEADER = "region,factor,route_efficiency,source,year,kind,note\n"
GOOD = 'default,1.3,,"https://example.org",2024,estimate,""\n'


@pytest.mark.parametrize(
    ("body", "where", "message"),
    [
        ('US,1.2,0.8,"https://x",2021,estimate,""\n' + GOOD, "line 2, column 'factor'", "one of"),
        ('US,,,"https://x",2021,estimate,""\n' + GOOD, "line 2, column 'factor'", "one of"),
        ('US,0.9,,"https://x",2021,estimate,""\n' + GOOD, "line 2, column 'factor'", "range"),
        ('US,,1.5,"https://x",2021,estimate,""\n' + GOOD, "column 'route_efficiency'", "range"),
        ('US,abc,,"https://x",2021,estimate,""\n' + GOOD, "line 2, column 'factor'", "number"),
        ('US,1.2,,"",2021,estimate,""\n' + GOOD, "line 2, column 'source'", "empty"),
        ('US,1.2,,"https://x",20x1,estimate,""\n' + GOOD, "line 2, column 'year'", "year"),
        ('US,1.2,,"https://x",2021,guess,""\n' + GOOD, "line 2, column 'kind'", "guess"),
        (GOOD + GOOD, "column 'region'", "duplicate"),
        ('US,1.2,,"https://x",2021,estimate,""\n', "column 'region'", "default"),
    ],
)
def test_a_malformed_table_is_refused_naming_file_line_and_column(tmp_path, body, where, message):
    path = tmp_path / "road_circuity.csv"
    path.write_text(CSV_HEADER + body, encoding="utf-8")
    with pytest.raises(road.CircuityError, match=message) as err:
        road.load_circuity(path)
    assert str(path.resolve()) in str(err.value)
    assert where in str(err.value)


def test_a_missing_table_or_column_is_refused(tmp_path):
    with pytest.raises(road.CircuityError, match="file not found"):
        road.load_circuity(tmp_path / "none.csv")
    path = tmp_path / "road_circuity.csv"
    path.write_text("region,factor\ndefault,1.3\n", encoding="utf-8")
    with pytest.raises(road.CircuityError, match="missing column"):
        road.load_circuity(Path(path))


# ------------------------------------------------------- one estimator: sites and surface cells


def test_site_road_distance_is_geodesic_times_its_region_factor_with_provenance():
    table, attrs, prov = catalog.criteria_table(), catalog.site_attributes(), catalog.provenance()
    sites = catalog.load_sites().set_index("site_id").loc[table.index]
    factor = road.circuity(sites["indicator_areas"].to_numpy(dtype=object))
    assert np.allclose(table["road_to_port_km"], attrs["gateway_geodesic_km"] * factor)
    rows = prov[prov["criterion"] == "road_to_port_km"].set_index("site_id")
    assert (rows["kind"] == "estimate").all()
    assert not rows["fallback"].any()  # the factor's resolution is stated in the note instead
    phx = rows.loc["phoenix_mesa_gateway_az"]
    assert "x circuity 1.186 (the US row of road_circuity.csv, 2021" in phx["note"]
    assert phx["note"].endswith("to Long Beach")
    assert (
        "circuity: https://christopherwolfram.com/projects/efficiency-of-road-networks"
        in (phx["source"])
    )
    assert "the EU row" in rows.at["onnaing", "note"]


def test_an_uploaded_site_without_areas_uses_its_country():
    site = gpd.GeoDataFrame(
        {
            "site_id": ["u1"],
            "name": ["upload"],
            "country": ["DE"],
            "status": ["candidate"],
            "indicator_areas": [""],
            "gateway_port": [""],
            "source": ["user upload"],
            "year": [2026],
        },
        geometry=[shapely.Point(6.96, 50.94)],  # Cologne
        crs="EPSG:4326",
    )
    out = catalog.compute_criteria(site)
    km = out.attributes.at["u1", "gateway_geodesic_km"]
    assert out.table.at["u1", "road_to_port_km"] == pytest.approx(km / 0.767)


def test_surface_cells_use_the_same_estimator_as_sites():
    lon, lat = city("Phoenix", "US", "AZ")
    disk = gpd.GeoDataFrame(
        {
            "part_id": ["US-AZ"],
            "name": ["disk"],
            "country": ["US"],
            "indicator_areas": ["US-AZ;US"],
        },
        geometry=[shapely.Point(lon, lat).buffer(0.3)],
        crs="EPSG:4326",
    )
    s = sf.build_surface(disk, 10)
    ports = catalog.load_ports().loc[s.gateway]
    geodesic = geo.geodesic_km(s.grid.lon, s.grid.lat, ports["lon"], ports["lat"])
    cells = s.matrix[:, s.columns.index("road_to_port_km")]
    assert np.allclose(cells, road.road_km(geodesic, "US-AZ;US"), rtol=1e-12)
    note = s.provenance[
        (s.provenance["criterion"] == "road_to_port_km") & (s.provenance["part_id"] == "US-AZ")
    ]
    assert len(note) == 1
    assert "the US row of road_circuity.csv" in note["note"].iloc[0]
    assert (note["kind"] == "estimate").all()
    limit = float(np.median(geodesic))
    keep, _ = sf.cell_filter(s, Filters(max_port_km=limit))
    assert np.array_equal(keep, geodesic <= limit)


def test_no_core_code_multiplies_by_the_old_constant():
    core = Path(road.__file__).parent
    uses = [
        p.name
        for p in core.rglob("*.py")
        if "CIRCUITY_FACTOR" in p.read_text(encoding="utf-8") and p.name != "geo.py"
    ]
    assert uses == []
