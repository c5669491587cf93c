import io
import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from PIL import Image
from pyproj import Transformer

from windrose_sites import catalog, decision, export, geo, scoring
from windrose_sites import road as road_mod
from windrose_sites import state as ws
from windrose_sites import surface as sf

PHOENIX = (-112.0740, 33.4484)


@pytest.fixture(scope="module")
def az_ca() -> sf.Surface:
    return sf.build_surface("az_ca", 10)


@pytest.fixture(scope="module")
def be_nfr() -> sf.Surface:
    return sf.build_surface("be_nfr", 10)


@pytest.fixture(scope="module")
def default_weights() -> pd.Series:
    crit = catalog.load_criteria()
    state = ws.default_state(list(dict.fromkeys(crit["group"])), crit["default_weight"].to_dict())
    return decision.effective_weights(crit, state)


def weights_on(surface: sf.Surface, app_weights: pd.Series, supplier: float = 0.1) -> dict:
    return sf.surface_weights(app_weights.to_dict(), surface.columns, supplier_share=supplier)[
        0
    ].to_dict()


def disk(lon: float, lat: float, radius_deg: float, part_id: str = "US-CA") -> gpd.GeoDataFrame:
    """A one-part custom region: a small disk around a point, with a state's indicator chain."""
    return gpd.GeoDataFrame(
        {
            "part_id": [part_id],
            "name": ["test disk"],
            "country": ["US"],
            "indicator_areas": [f"{part_id};US"],
        },
        geometry=[shapely.Point(lon, lat).buffer(radius_deg)],
        crs="EPSG:4326",
    )


# ------------------------------------------------------------------ regions and grid


@pytest.mark.parametrize("fixture", ["az_ca", "be_nfr"])
def test_no_cell_centre_outside_the_region(fixture, request):
    s = request.getfixturevalue(fixture)
    union = shapely.union_all(s.parts.geometry.to_numpy())
    assert shapely.contains_xy(union, s.grid.lon, s.grid.lat).all()
    for k, geom in enumerate(s.parts.geometry):
        mine = s.grid.part == k
        assert shapely.contains_xy(geom, s.grid.lon[mine], s.grid.lat[mine]).all()


def test_regions_have_their_parts_and_indicator_chains():
    az_ca = sf.load_region("az_ca")
    assert az_ca["part_id"].tolist() == ["US-AZ", "US-CA"]
    assert az_ca["indicator_areas"].tolist() == ["US-AZ;US", "US-CA;US"]
    be_nfr = sf.load_region("be_nfr")
    assert be_nfr["indicator_areas"].tolist() == ["BE;EU", "FR;EU"]
    france = be_nfr.geometry.iloc[1]
    assert france.bounds[1] == pytest.approx(sf.NORTHERN_FRANCE_MIN_LAT)
    # Hauts-de-France: Lille, Amiens, Saint-Quentin and Laon are in; Paris-south is not
    pts = [(3.06, 50.63), (2.30, 49.89), (3.29, 49.85), (3.62, 49.56)]
    assert all(france.contains(shapely.Point(p)) for p in pts)
    with pytest.raises(ValueError, match="valid regions"):
        sf.load_region("mars")


def test_arizona_california_areas_are_those_of_the_states():
    # Census Bureau total areas: Arizona 295,234 km2, California 423,967 km2 (land 403,466).
    areas = [geo.geodesic_area_ha(g) / 100 for g in sf.load_region("az_ca").geometry]
    assert areas[0] == pytest.approx(295_234, rel=0.01)
    assert 403_466 * 0.99 < areas[1] < 423_967


def test_cells_are_resolution_km_on_the_ground_and_grid_is_web_mercator(az_ca):
    g = az_ca.grid
    # neighbours in a row are resolution_km apart at the middle latitude, +-8 % elsewhere
    same_row = np.flatnonzero(np.diff(g.flat) == 1)
    km = geo.geodesic_km(g.lon[same_row], g.lat[same_row], g.lon[same_row + 1], g.lat[same_row + 1])
    assert km.min() > 0.9 * 10
    assert km.max() < 1.1 * 10
    # the image bounds are the Mercator raster edges, exactly
    to_m = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
    west, south, east, north = g.bounds
    x0, y0 = to_m.transform(west, south)
    x1, y1 = to_m.transform(east, north)
    assert x0 == pytest.approx(g.west_m, abs=1e-6)
    assert y1 == pytest.approx(g.north_m, abs=1e-6)
    assert x1 - x0 == pytest.approx(g.nx * g.cell_m, abs=1e-6)
    assert y1 - y0 == pytest.approx(g.ny * g.cell_m, abs=1e-6)


def test_one_km_grid_has_about_700000_cells():
    parts = sf.load_region("az_ca")
    grid = sf.build_grid(parts, 1)
    assert 650_000 < len(grid.flat) < 750_000


def test_cell_at_finds_the_cell_containing_a_point(az_ca):
    g = az_ca.grid
    idx = sf.cell_at(g, g.lon[[0, 100, -1]], g.lat[[0, 100, -1]])
    assert idx.tolist() == [0, 100, len(g.flat) - 1]
    assert sf.cell_at(g, [-150.0, 0.0], [20.0, 0.0]).tolist() == [-1, -1]


def test_grid_errors_are_clear():
    with pytest.raises(ValueError, match="no cell centre"):
        sf.build_grid(disk(-118.0, 34.0, 0.001), 10)
    with pytest.raises(ValueError, match="resolution_km"):
        sf.build_grid(disk(-118.0, 34.0, 1), 0)


# ------------------------------------------------------------------ criteria


def test_a_cell_at_the_port_of_long_beach_is_about_0_km_from_its_gateway():
    port = catalog.load_ports().loc["long_beach"]
    s = sf.build_surface(disk(port["lon"], port["lat"], 0.05), 1)
    i = int(np.argmin(geo.geodesic_km(s.grid.lon, s.grid.lat, port["lon"], port["lat"])))
    road = s.matrix[i, s.columns.index("road_to_port_km")]
    assert s.gateway[i] == "long_beach"
    assert road / road_mod.circuity("US-CA;US") < 1.0  # within a 1 km cell of the port point
    origin = catalog.load_ports().loc["shanghai_yangshan"]
    sea = geo.sea_distance_nm((origin["lon"], origin["lat"]), (port["lon"], port["lat"]))
    assert s.matrix[i, s.columns.index("sea_distance_nm")] == sea
    assert s.matrix[i, s.columns.index("gateway_teu_m")] == port["teu_m"]


def test_a_cell_at_phoenix_is_a_road_estimate_from_long_beach(az_ca):
    ports = catalog.load_ports()
    i = int(sf.cell_at(az_ca.grid, [PHOENIX[0]], [PHOENIX[1]])[0])
    assert i >= 0
    gw = ports.loc[az_ca.gateway[i]]
    assert az_ca.gateway[i] in ("long_beach", "los_angeles")
    city_km = float(geo.geodesic_km(*PHOENIX, gw["lon"], gw["lat"]))
    road = az_ca.matrix[i, az_ca.columns.index("road_to_port_km")]
    # like with like: the road estimate is geodesic x circuity; the cell centre is <= 7 km off
    assert road == pytest.approx(float(road_mod.road_km(city_km, "US-AZ;US")), rel=0.05)
    cell_km = float(geo.geodesic_km(az_ca.grid.lon[i], az_ca.grid.lat[i], gw["lon"], gw["lat"]))
    assert road == pytest.approx(float(road_mod.road_km(cell_km, "US-AZ;US")), rel=1e-12)


def test_labour_catchment_matches_a_brute_force_sum_on_a_small_grid():
    s = sf.build_surface(disk(-118.2, 34.0, 0.4), 10, catchment_km=45)
    fast = s.matrix[:, s.columns.index("labour_catchment_pop")]
    c = geo.cities()
    clon, clat = np.radians(c["lon"].to_numpy()), np.radians(c["lat"].to_numpy())
    pop = c["population"].to_numpy()
    slow = []
    for x, y in zip(np.radians(s.grid.lon), np.radians(s.grid.lat), strict=True):
        h = np.sin((clat - y) / 2) ** 2 + np.cos(y) * np.cos(clat) * np.sin((clon - x) / 2) ** 2
        slow.append(pop[2 * geo.EARTH_RADIUS_KM * np.arcsin(np.sqrt(h)) <= 45].sum())
    assert len(fast) > 20
    np.testing.assert_array_equal(fast, slow)


def test_indicators_are_the_catalog_values_per_state(az_ca):
    table = catalog.criteria_table()
    az = az_ca.grid.part == 0
    col = az_ca.columns.index
    # US-level figures equal the candidates' (same lookup, same EUR conversion)
    for cid in ("labour_cost_eur_h", "import_duty_pct", "heavy_truck_market_per_year"):
        assert np.all(az_ca.matrix[:, col(cid)] == table.at["tucson_az", cid])
    # state-level: Arizona 4.7 %, California 5.3 % (indicators.csv, March 2026, the fallback rows)
    assert np.all(az_ca.matrix[az, col("unemployment_pct")] == 4.7)
    assert np.all(az_ca.matrix[~az, col("unemployment_pct")] == 5.3)
    assert (
        table.at["stockton_ca", "electricity_eur_mwh"]
        in az_ca.matrix[:, col("electricity_eur_mwh")]
    )
    assert az_ca.imputed.sum() == 0


def test_criteria_have_units_and_directions_of_criteria_csv(az_ca):
    # every criterion but the landed cost, which the cost model computes per candidate site,
    # not per grid cell (the page lists it among the criteria without a weight on the surface)
    crit = catalog.load_criteria().drop(index=catalog.COST_CRITERION)
    shared = [c for c in az_ca.columns if c != sf.SUPPLIER_CRITERION]
    assert shared == list(crit.index)
    pd.testing.assert_frame_equal(
        az_ca.criteria.loc[shared, ["unit", "direction"]], crit[["unit", "direction"]]
    )
    supplier = az_ca.criteria.loc[sf.SUPPLIER_CRITERION]
    assert (supplier["unit"], supplier["direction"]) == ("km", "cost")


def test_supplier_distance_is_to_the_nearest_plant(az_ca):
    plants = sf.load_manufacturers()
    nikola = plants[plants["name"].str.contains("Nikola")].iloc[0]
    i = int(sf.cell_at(az_ca.grid, [nikola["lon"]], [nikola["lat"]])[0])
    assert az_ca.matrix[i, az_ca.columns.index(sf.SUPPLIER_CRITERION)] < 7.1  # half a diagonal


def test_indicators_of_the_eu_parts_are_sourced_and_none_is_imputed(be_nfr):
    """Issue 12 filled the Belgian electricity price and the EU duty: nothing to impute."""
    assert be_nfr.imputed["electricity_eur_mwh"] == 0
    assert be_nfr.imputed["import_duty_pct"] == 0
    be = be_nfr.grid.part == 0
    j = be_nfr.columns.index("electricity_eur_mwh")
    np.testing.assert_allclose(be_nfr.matrix[be, j], 160.8)  # Eurostat band ID, 0.1608 EUR/kWh
    np.testing.assert_allclose(be_nfr.matrix[~be, j], 144.6)  # France, same band
    assert np.all(be_nfr.matrix[:, be_nfr.columns.index("import_duty_pct")] == 4.5)


def test_surface_scores_equal_the_app_scoring_of_the_cells_table(be_nfr, default_weights):
    weights = weights_on(be_nfr, default_weights)
    table = pd.DataFrame(np.where(be_nfr.missing, np.nan, be_nfr.matrix), columns=be_nfr.columns)
    directions = be_nfr.criteria["direction"].to_dict()
    for method in ("wsm", "topsis", "promethee"):
        used = {c: w for c, w in weights.items() if w > 0}
        expected = scoring.score(table, used, directions, method=method, missing="worst")
        got = sf.score_surface(be_nfr, weights, method)
        np.testing.assert_allclose(got, expected["score"], rtol=0, atol=1e-12)


def test_located_site_is_a_catalog_candidate_with_the_same_criteria(az_ca, default_weights):
    weights = weights_on(az_ca, default_weights)
    areas = sf.locate(az_ca, sf.score_surface(az_ca, weights), k=2, weights=weights)
    site = sf.located_site(areas.iloc[0], az_ca)
    assert set(catalog.SITE_COLUMNS) <= set(site.columns)
    row = site.iloc[0]
    assert row["site_id"].startswith("located_us-")
    assert (row["role"], row["kind"]) == ("candidate", "derived")
    assert row["status"] == "located area (suitability surface)"
    assert row["source"] == "computed: suitability surface"
    computed = catalog.compute_criteria(site).table.iloc[0]
    for cid in catalog.COMPUTED:
        assert computed[cid] == pytest.approx(areas.iloc[0][cid], rel=1e-9), cid
    for cid in ("unemployment_pct", "electricity_eur_mwh", "grid_gco2_kwh"):
        assert computed[cid] == areas.iloc[0][cid]


# ------------------------------------------------------------------ weights and scoring


def test_surface_weights_drop_absent_criteria_and_renormalise():
    w, dropped = sf.surface_weights(
        {"a": 2.0, "b": 2.0, "gone": 4.0, "zero": 0.0},
        ["a", "b", sf.SUPPLIER_CRITERION],
        supplier_share=0.2,
    )
    assert w.to_dict() == pytest.approx({"a": 0.4, "b": 0.4, sf.SUPPLIER_CRITERION: 0.2})
    assert dropped == ["gone"]
    only_supplier, _ = sf.surface_weights(
        {"a": 0.0}, ["a", sf.SUPPLIER_CRITERION], supplier_share=0.3
    )
    assert only_supplier[sf.SUPPLIER_CRITERION] == 1.0
    with pytest.raises(ValueError, match="no weight"):
        sf.surface_weights({"a": 0.0}, ["a", sf.SUPPLIER_CRITERION])
    with pytest.raises(ValueError, match="supplier_share"):
        sf.surface_weights({"a": 1.0}, ["a"], supplier_share=1.5)


def test_default_app_weights_keep_every_criterion(az_ca, default_weights):
    w, dropped = sf.surface_weights(default_weights.to_dict(), az_ca.columns)
    assert dropped == [catalog.COST_CRITERION]  # costed per candidate site, not per cell
    assert w.sum() == pytest.approx(1.0)
    assert w[sf.SUPPLIER_CRITERION] == 0.0


def test_filters_keep_countries_and_port_distance(be_nfr):
    keep, notes = sf.cell_filter(be_nfr, ws.Filters(countries=("BE",)))
    assert keep.sum() == (be_nfr.grid.part == 0).sum()
    keep, notes = sf.cell_filter(be_nfr, ws.Filters(max_port_km=50.0, min_area_ha=5.0))
    factor = road_mod.circuity(be_nfr.parts["indicator_areas"].to_numpy(dtype=object))
    road = be_nfr.matrix[:, be_nfr.columns.index("road_to_port_km")] / factor[be_nfr.grid.part]
    assert np.array_equal(keep, road <= 50.0)
    assert any("not applied" in n for n in notes)
    assert sf.cell_filter(be_nfr, ws.Filters()) == (None, [])


def test_filtered_cells_have_no_score_and_normalise_among_kept(be_nfr, default_weights):
    weights = weights_on(be_nfr, default_weights)
    keep, _ = sf.cell_filter(be_nfr, ws.Filters(countries=("FR",)))
    scores = sf.score_surface(be_nfr, weights, keep=keep)
    assert np.isnan(scores[~keep]).all()
    assert np.isfinite(scores[keep]).all()
    assert scores[keep].max() <= 1.0
    with pytest.raises(ValueError, match="filtered out"):
        sf.score_surface(be_nfr, weights, keep=np.zeros(len(keep), dtype=bool))


def test_weighted_product_names_a_criterion_with_zero_values(az_ca, default_weights):
    weights = weights_on(az_ca, default_weights)
    with pytest.raises(ValueError, match="Labour catchment"):
        sf.score_surface(az_ca, weights, "wpm")


def test_a_flat_surface_is_a_defined_case(az_ca):
    weights = {"heavy_truck_market_per_year": 1.0}  # the same US figure in every cell
    scores = sf.score_surface(az_ca, weights)
    assert np.all(scores == 1.0)
    areas = sf.locate(az_ca, scores, k=3, spacing_km=100, weights=weights)
    assert len(areas) == 3
    assert areas.attrs["tied_best_cells"] == len(scores)
    assert (areas["strengths"] == "no criterion above the region's average cell").all()


def test_score_surface_rejects_unknown_criteria_and_engines(az_ca):
    with pytest.raises(ValueError, match="unknown surface criteria"):
        sf.score_surface(az_ca, {"area_ha": 1.0})
    with pytest.raises(ValueError, match="engine"):
        sf.score_surface(az_ca, {"road_to_port_km": 1.0}, engine="spark")


# ------------------------------------------------------------------ dask


def test_dask_build_equals_numpy_build(monkeypatch):
    monkeypatch.setattr(sf, "TILE_CELLS", 500)  # several tiles on a small surface
    region = disk(-118.2, 34.0, 1.5)
    numpy_s = sf.build_surface(region, 5)
    dask_s = sf.build_surface(region, 5, engine="dask", scheduler="threads")
    assert len(numpy_s.matrix) > 1000
    assert np.array_equal(numpy_s.matrix, dask_s.matrix)
    assert np.array_equal(numpy_s.missing, dask_s.missing)
    assert np.array_equal(numpy_s.gateway, dask_s.gateway)


@pytest.mark.parametrize("method", ["wsm", "wpm"])
@pytest.mark.parametrize("scheduler", ["threads", "synchronous"])
def test_dask_scores_equal_numpy_scores(az_ca, default_weights, monkeypatch, method, scheduler):
    monkeypatch.setattr(sf, "SCORE_TILE_CELLS", 1000)
    weights = weights_on(az_ca, default_weights)
    if method == "wpm":  # every weighted value must be > 0: leave the catchment out
        weights["labour_catchment_pop"] = 0.0
    keep, _ = sf.cell_filter(az_ca, ws.Filters(max_port_km=600.0))
    for mask in (None, keep):
        expected = sf.score_surface(az_ca, weights, method, keep=mask)
        got = sf.score_surface(
            az_ca, weights, method, keep=mask, engine="dask", scheduler=scheduler
        )
        np.testing.assert_array_equal(got, expected)


def test_dask_path_refuses_methods_that_need_whole_columns(az_ca):
    with pytest.raises(ValueError, match="numpy path"):
        sf.score_surface(az_ca, {"road_to_port_km": 1.0}, "topsis", engine="dask")


# ------------------------------------------------------------------ locate


def test_top_k_respects_the_spacing_and_are_local_maxima(az_ca, default_weights):
    weights = weights_on(az_ca, default_weights)
    scores = sf.score_surface(az_ca, weights)
    areas = sf.locate(az_ca, scores, k=8, spacing_km=120, weights=weights)
    assert len(areas) == 8
    assert areas["rank"].tolist() == list(range(1, 9))
    assert areas["score"].is_monotonic_decreasing
    assert areas["score"].iloc[0] == np.nanmax(scores)
    lon, lat = areas["lon"].to_numpy(), areas["lat"].to_numpy()
    for i in range(len(areas)):
        km = geo.geodesic_km(lon[i], lat[i], np.delete(lon, i), np.delete(lat, i))
        assert km.min() >= 120
    g = az_ca.grid
    raster = np.full(g.ny * g.nx, -np.inf)
    raster[g.flat] = scores
    raster = np.pad(raster.reshape(g.ny, g.nx), 1, constant_values=-np.inf)
    for cell in areas["cell"]:
        r, c = divmod(int(g.flat[cell]), g.nx)
        assert raster[r + 1, c + 1] == raster[r : r + 3, c : c + 3].max()
    assert areas["nearest_town"].notna().all()
    assert (areas["distance_to_town_km"] < 150).all()
    assert areas["strengths"].str.len().min() > 0


def test_locate_validates_its_arguments(az_ca):
    scores = np.full(len(az_ca.matrix), np.nan)
    with pytest.raises(ValueError, match="no cell"):
        sf.locate(az_ca, scores)
    with pytest.raises(ValueError, match="k >= 1"):
        sf.locate(az_ca, np.ones(len(az_ca.matrix)), k=0)


def test_describe_answers_the_question_in_words(az_ca, default_weights):
    weights = weights_on(az_ca, default_weights)
    areas = sf.locate(az_ca, sf.score_surface(az_ca, weights), k=3, weights=weights)
    text = sf.describe(az_ca, areas, "Weighted sum (WSM)")
    assert text.startswith("**Where in Arizona or California should the US plant go?**")
    assert all(f"Near {t}" in text for t in areas["nearest_town"])


def test_only_port_access_puts_the_best_area_next_to_a_port(az_ca):
    weights = {"road_to_port_km": 1.0}
    areas = sf.locate(az_ca, sf.score_surface(az_ca, weights), k=1)
    assert areas["road_to_port_km"].iloc[0] == az_ca.col_min[az_ca.columns.index("road_to_port_km")]


# ------------------------------------------------------------------ outputs


def test_overlay_png_is_transparent_outside_and_uses_the_legend_colours(az_ca):
    scores = np.linspace(0.0, 1.0, len(az_ca.matrix))
    png = sf.overlay_png(az_ca.grid, scores, 0.0, 1.0)
    image = Image.open(io.BytesIO(png)).convert("RGBA")
    g = az_ca.grid
    assert image.size == (g.nx, g.ny)
    rgba = np.asarray(image).reshape(-1, 4)
    outside = np.ones(g.nx * g.ny, dtype=bool)
    outside[g.flat] = False
    assert (rgba[outside, 3] == 0).all()
    assert (rgba[g.flat, 3] == 255).all()
    assert tuple(rgba[g.flat[-1], :3]) == (0x1A, 0x96, 0x41)  # RdYlGn green, the best
    assert tuple(rgba[g.flat[0], :3]) == (0xD7, 0x19, 0x1C)  # RdYlGn red, the worst
    scores[::2] = np.nan  # filtered cells are transparent too
    rgba = np.asarray(Image.open(io.BytesIO(sf.overlay_png(g, scores, 0, 1))).convert("RGBA"))
    assert (rgba.reshape(-1, 4)[g.flat[::2], 3] == 0).all()


def test_overlay_layer_is_placed_on_the_mercator_bounds(az_ca):
    layer = sf.overlay_layer(az_ca.grid, np.ones(len(az_ca.matrix)), 0.0, 1.0)
    west, south, east, north = az_ca.grid.bounds
    assert layer.bounds == [[south, west], [north, east]]
    assert layer.url.startswith("data:image/png;base64,")


def test_cells_csv_and_located_geojson(be_nfr, default_weights):
    weights = weights_on(be_nfr, default_weights)
    scores = sf.score_surface(be_nfr, weights)
    frame = sf.cells_frame(be_nfr, scores)
    assert len(frame) == len(be_nfr.matrix)
    assert list(frame.columns[:4]) == ["lon", "lat", "score", "region"]
    assert "electricity_eur_mwh [EUR/MWh]" in frame.columns
    assert (frame["import_duty_pct [%]"] == 4.5).all()  # the EU kit duty, summed in the catalog
    back = pd.read_csv(io.BytesIO(export.to_csv(frame)))
    np.testing.assert_allclose(back["score"], scores, atol=5e-7)
    areas = sf.locate(be_nfr, scores, k=3, weights=weights)
    doc = json.loads(sf.located_geojson(areas))
    assert len(doc["features"]) == 3
    assert doc["features"][0]["geometry"]["coordinates"] == pytest.approx(
        [areas["lon"].iloc[0], areas["lat"].iloc[0]]
    )


def test_manufacturers_loader_names_the_bad_line(tmp_path):
    bad = tmp_path / "manufacturers.csv"
    bad.write_text("name,operator,lat,lon,country\nA,B,51.0,4.0,BE\nC,D,north,4.0,BE\n")
    with pytest.raises(catalog.CatalogError, match="line 3, column 'lat'"):
        sf.load_manufacturers(bad)
    assert len(sf.load_manufacturers()) >= 10
