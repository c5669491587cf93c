"""The criteria engine: one code path for sites and suitability-surface cells."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from windrose_sites import catalog, criteria, geo, indicators, road
from windrose_sites import surface as sf


@pytest.fixture(scope="module")
def be_nfr() -> sf.Surface:
    return sf.build_surface("be_nfr", 10)


def sites_at(lon, lat, country: str, chain: str, gateway: str = "") -> gpd.GeoDataFrame:
    n = len(lon)
    return gpd.GeoDataFrame(
        {
            "site_id": [f"p{i}" for i in range(n)],
            "name": [f"point {i}" for i in range(n)],
            "country": country,
            "status": "test point",
            "indicator_areas": chain,
            "gateway_port": gateway,
            "source": "test",
            "year": 2026,
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs="EPSG:4326",
    )


def test_gateways_exclude_the_origin_country_and_the_origin_is_required():
    ports = catalog.load_ports()
    gateways = criteria.gateway_ports(ports)
    origin = criteria.origin_port(ports)
    assert origin["locode"] == catalog.ORIGIN_LOCODE
    assert origin["country"] not in set(gateways["country"])
    assert len(gateways) == (ports["country"] != origin["country"]).sum()
    with pytest.raises(catalog.CatalogError, match="no row with locode CNSHA"):
        criteria.origin_port(ports[ports["locode"] != catalog.ORIGIN_LOCODE])


def test_a_site_at_a_cell_centre_gets_the_cells_values(be_nfr):
    """Sites and cells share the engine: same point, chain and country, same numbers."""
    cells = np.flatnonzero(be_nfr.grid.part == 0)[::40]  # Belgian cells, BE;EU
    lon, lat = be_nfr.grid.lon[cells], be_nfr.grid.lat[cells]
    got = catalog.compute_criteria(sites_at(lon, lat, "BE", "BE;EU"))
    for cid in be_nfr.columns:
        if cid not in got.table.columns:
            continue
        j = be_nfr.columns.index(cid)
        cell = np.where(be_nfr.missing[cells, j], np.nan, be_nfr.matrix[cells, j])
        np.testing.assert_array_equal(got.table[cid].to_numpy(), cell, err_msg=cid)
    assert (got.attributes["gateway_port_id"].to_numpy() == be_nfr.gateway[cells]).all()
    np.testing.assert_array_equal(
        got.attributes["gateway_geodesic_km"].to_numpy(), be_nfr.gateway_km[cells]
    )


def test_cells_keep_the_geodesic_km_to_their_gateway(be_nfr):
    ports = catalog.load_ports().loc[be_nfr.gateway]
    km = geo.geodesic_km(be_nfr.grid.lon, be_nfr.grid.lat, ports["lon"], ports["lat"])
    np.testing.assert_array_equal(be_nfr.gateway_km, km)
    road_km = be_nfr.matrix[:, be_nfr.columns.index("road_to_port_km")]
    factor = road.circuity(be_nfr.parts["indicator_areas"].to_numpy(dtype=object))
    np.testing.assert_array_equal(road_km, km * factor[be_nfr.grid.part])
    assert not be_nfr.gateway_km.flags.writeable


def test_a_declared_gateway_wins_over_the_nearest():
    lon, lat = np.array([4.40]), np.array([51.22])  # Antwerp
    nearest = catalog.compute_criteria(sites_at(lon, lat, "BE", "BE;EU"))
    declared = catalog.compute_criteria(sites_at(lon, lat, "BE", "BE;EU", gateway="rotterdam"))
    assert nearest.attributes["gateway_port_id"].iloc[0] == "antwerp_bruges"
    assert declared.attributes["gateway_port_id"].iloc[0] == "rotterdam"
    assert bool(declared.attributes["gateway_declared"].iloc[0])
    rotterdam = catalog.load_ports().loc["rotterdam"]
    km = geo.geodesic_km(4.40, 51.22, rotterdam["lon"], rotterdam["lat"])
    assert declared.attributes["gateway_geodesic_km"].iloc[0] == pytest.approx(float(km))


def test_method_notes_come_from_one_table(be_nfr):
    sites = catalog.compute_criteria(sites_at(np.array([4.40]), np.array([51.22]), "BE", "BE;EU"))
    prov = sites.provenance.set_index("criterion")["note"]
    port = sites.attributes["gateway_port"].iloc[0]
    for cid in ("sea_distance_nm", "gateway_teu_m", "distance_to_market_km"):
        expected = criteria.method_note(
            cid, port=port, point="site", catchment_km=catalog.CATCHMENT_RADIUS_KM
        )
        assert prov[cid] == expected
    cells = be_nfr.provenance[be_nfr.provenance["part_id"] == "all"].set_index("criterion")
    for cid in ("sea_distance_nm", "gateway_teu_m", criteria.SUPPLIER_CRITERION):
        expected = criteria.method_note(
            cid, port=criteria.CELL_PORT, point="cell", catchment_km=be_nfr.catchment_km
        )
        assert cells.at[cid, "note"] == expected
    assert f"within {be_nfr.catchment_km:g} km" in cells.at["labour_catchment_pop", "note"]


def test_no_probe_sites_every_part_has_its_indicator_rows(be_nfr):
    looked = indicators.looked_up(catalog.load_criteria())
    rows = be_nfr.provenance[be_nfr.provenance["criterion"].isin(looked)]
    assert set(rows["part_id"]) == {"BE", "FR-N"}
    assert len(rows) == 2 * len(looked)
    assert not be_nfr.provenance["part_id"].str.startswith("located").any()


def test_one_look_up_per_distinct_chain(monkeypatch):
    calls = []
    original = indicators.indicator_value

    def counting(areas, *args):
        calls.append(tuple(areas))
        return original(areas, *args)

    monkeypatch.setattr(indicators, "indicator_value", counting)
    crit = catalog.load_criteria().loc[["unemployment_pct"]]
    chains = np.array(["BE;EU", "US-AZ;US", "BE;EU", "BE;EU", "US-AZ;US"], dtype=object)
    found = indicators.lookup_indicators(chains, crit, catalog.load_indicators())
    assert len(calls) == 2
    assert len(found["unemployment_pct"]) == 5
    assert found["unemployment_pct"][0] is found["unemployment_pct"][2]


def test_points_outside_the_markets_have_no_market_distance():
    got = catalog.compute_criteria(
        sites_at(np.array([-99.1, 4.40]), np.array([19.4, 51.22]), "MX", "MX")
    )
    market = got.table["distance_to_market_km"]
    assert np.isnan(market.iloc[0])
    prov = got.provenance.set_index(["site_id", "criterion"])
    assert prov.at[("p0", "distance_to_market_km"), "kind"] == "missing"


def test_sites_keep_their_index_and_order():
    sites = sites_at(np.array([4.40, -112.07]), np.array([51.22, 33.45]), "BE", "BE;EU")
    sites.loc[1, ["country", "indicator_areas"]] = ["US", "US-AZ;US"]
    shuffled = sites.iloc[::-1].set_axis([7, 3])
    a = catalog.compute_criteria(sites).table
    b = catalog.compute_criteria(shuffled).table
    pd.testing.assert_frame_equal(a.loc[["p1", "p0"]], b)


def test_cell_tile_rows_depend_on_their_cell_alone(be_nfr):
    ctx, *_ = criteria.cell_context(be_nfr.parts, be_nfr.catchment_km)
    block = np.column_stack([be_nfr.grid.lon, be_nfr.grid.lat, be_nfr.grid.part.astype(float)])
    whole = criteria.cell_tile(block, ctx)
    half = criteria.cell_tile(block[::2], ctx)
    np.testing.assert_array_equal(whole[::2], half)
    assert whole.shape == (len(block), len(ctx.columns) + 2)


def test_the_supplier_criterion_needs_plants():
    ports = catalog.load_ports()
    ctx = criteria.Context(
        columns=(criteria.SUPPLIER_CRITERION,),
        port_lon=ports["lon"].to_numpy(),
        port_lat=ports["lat"].to_numpy(),
        port_sea_nm=np.zeros(len(ports)),
        port_teu=np.zeros(len(ports)),
        market_lon=np.array([np.nan]),
        market_lat=np.array([np.nan]),
        circuity=np.ones(1),
        group_values=pd.DataFrame(index=[0]),
        catchment_km=60.0,
    )
    one = np.zeros(1, dtype=np.intp)
    with pytest.raises(ValueError, match="needs the plants"):
        criteria.point_values(np.ones(1), np.ones(1), one, one, np.ones(1), ctx)
