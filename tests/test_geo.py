import numpy as np
import pytest
from shapely.geometry import Polygon

from windrose_sites import geo


def test_geodesic_km_matches_known_distance():
    # Antwerp Centraal to Paris Notre-Dame: ~301 km great-circle
    assert geo.geodesic_km(4.4211, 51.2172, 2.3499, 48.8530) == pytest.approx(301.4, abs=1.5)


def test_geodesic_km_broadcasts():
    d = geo.geodesic_km(np.array([0.0, 1.0]), np.array([0.0, 0.0]), 0.0, 0.0)
    assert d.shape == (2,)
    assert d[0] == 0
    assert d[1] == pytest.approx(111.32, abs=0.05)


def test_geodesic_area_of_one_hectare_square():
    # 100 m x 100 m square at the equator: 0.000898 degree of latitude ~ 99.5 m
    dlat = 100 / 111_320.0 * 1.0
    square = Polygon([(0, 0), (dlat, 0), (dlat, dlat), (0, dlat)])
    assert geo.geodesic_area_ha(square) == pytest.approx(1.0, rel=0.02)
    assert geo.geodesic_area_ha(square.centroid) == 0


def test_sea_distance_shanghai_rotterdam_via_suez_and_cape():
    # PEMP: Shanghai -> Rotterdam ~10,600 nm via Suez, ~13,800 nm via the Cape
    shanghai, rotterdam = (122.06, 30.63), (4.05, 51.95)
    assert geo.sea_distance_nm(shanghai, rotterdam) == pytest.approx(10_600, rel=0.05)
    assert geo.sea_distance_nm(shanghai, rotterdam, route="cape") == pytest.approx(13_800, rel=0.05)


def test_sea_route_rejects_unknown_route():
    with pytest.raises(ValueError, match="valid routes"):
        geo.sea_distance_nm((0, 0), (1, 1), route="arctic")


def test_transit_days():
    assert float(geo.transit_days(384.0, speed_kn=16)) == pytest.approx(1.0)


def test_nearest_returns_index_and_distance():
    idx, km = geo.nearest([4.4], [51.2], [0.0, 4.4, 10.0], [0.0, 51.3, 50.0])
    assert idx.tolist() == [1]
    assert km[0] == pytest.approx(11.1, abs=0.3)


def test_searoute_ports_are_the_shipped_list():
    ports = geo.searoute_ports()
    assert len(ports) > 3000
    assert {"locode", "name", "lon", "lat"} <= set(ports.columns)
    nearest = geo.nearest_searoute_port([4.40], [51.27])
    assert nearest["distance_km"].iloc[0] < 20


def test_catchment_matches_brute_force():
    rng = np.random.default_rng(0)
    lon, lat = rng.uniform(-10, 20, 40), rng.uniform(40, 55, 40)
    fast = geo.catchment_population(lon, lat, radius_km=60)
    c = geo.cities()
    clon, clat = np.radians(c["lon"].to_numpy()), np.radians(c["lat"].to_numpy())

    def great_circle_km(x, y):  # haversine on the mean-radius sphere, one city at a time
        x, y = np.radians(x), np.radians(y)
        h = np.sin((clat - y) / 2) ** 2 + np.cos(y) * np.cos(clat) * np.sin((clon - x) / 2) ** 2
        return 2 * geo.EARTH_RADIUS_KM * np.arcsin(np.sqrt(h))

    slow = [
        c["population"][great_circle_km(x, y) <= 60].sum() for x, y in zip(lon, lat, strict=True)
    ]
    np.testing.assert_array_equal(fast, slow)
    assert fast.sum() > 0


def test_catchment_rejects_bad_radius():
    with pytest.raises(ValueError, match="positive"):
        geo.catchment_population([0.0], [0.0], radius_km=0)


def test_market_centres_are_plausible():
    eu_lon, eu_lat = geo.market_centre("EU")
    us_lon, us_lat = geo.market_centre("US")
    assert 0 < eu_lon < 16
    assert 45 < eu_lat < 52
    assert -100 < us_lon < -85
    assert 35 < us_lat < 41
    with pytest.raises(ValueError, match="valid markets"):
        geo.market_centre("Mars")


def test_distance_to_market_nan_outside_markets():
    d = geo.distance_to_market_km(
        np.array([4.4, 120.0]), np.array([51.2, 31.0]), np.array(["BE", "CN"])
    )
    assert np.isfinite(d[0])
    assert np.isnan(d[1])
