import shutil

import numpy as np
import pandas as pd
import pytest

from windrose_sites import catalog, geo

AZ_BOX = (-114.82, 31.33, -109.04, 37.00)
CA_BOX = (-124.41, 32.53, -114.13, 42.01)


@pytest.fixture
def sites():
    return catalog.load_sites()


def test_sites_schema(sites):
    assert sites.crs.to_epsg() == 4326
    assert sites["site_id"].is_unique
    assert {"name", "country", "region", "role", "status", "geometry"} <= set(sites.columns)
    assert set(sites["role"]) == {"candidate", "reference"}
    assert sites["country"].str.fullmatch(r"[A-Z]{2}").all()


def test_romeynsweel_is_two_plots_of_9_5_ha(sites):
    geom = sites.set_index("site_id").at["antwerp_romeynsweel", "geometry"]
    assert geom.geom_type == "MultiPolygon"
    assert len(geom.geoms) == 2
    assert geo.geodesic_area_ha(geom) == pytest.approx(9.5, rel=0.10)


def test_onnaing_lies_near_onnaing(sites):
    point = sites.set_index("site_id").at["onnaing", "geometry"]
    # Onnaing commune centre 50.3864 N, 3.6006 E (fr.wikipedia)
    assert geo.geodesic_km(point.x, point.y, 3.6006, 50.3864) < 10


@pytest.mark.parametrize(("state", "box", "minimum"), [("US-AZ", AZ_BOX, 3), ("US-CA", CA_BOX, 3)])
def test_us_candidates_inside_their_state(sites, state, box, minimum):
    chosen = sites[sites["indicator_areas"].str.contains(state) & (sites["role"] == "candidate")]
    assert len(chosen) >= minimum
    west, south, east, north = box
    pts = chosen.geometry.representative_point()
    assert pts.x.between(west, east).all()
    assert pts.y.between(south, north).all()


def test_illustrative_areas_say_so(sites):
    us = sites[(sites["country"] == "US") & (sites["role"] == "candidate")]
    illustrative = us[us["status"] == "illustrative candidate area"]
    assert len(illustrative) >= 5
    assert "huntington_beach_ca" in set(us["site_id"])


def test_reference_places():
    ref = catalog.load_sites().query("role == 'reference'")["name"].str.lower()
    for place in ("suzhou", "yangshan", "taicang"):
        assert ref.str.contains(place).any(), place


def test_ports_have_locode_teu_and_sources():
    ports = catalog.load_ports()
    needed = {
        "BEANR",
        "NLRTM",
        "BEZEE",
        "FRDKK",
        "FRLEH",
        "USLAX",
        "USLGB",
        "USOAK",
        "CNSHA",
        "CNNGB",
    }
    assert needed <= set(ports["locode"])
    with_teu = ports[ports["teu_m"].notna()]
    assert (with_teu["teu_source"] != "").all()
    assert with_teu["teu_year"].notna().all()


def test_criteria_definitions():
    crit = catalog.load_criteria()
    assert set(crit["group"]) == set(catalog.GROUPS)
    assert set(crit["direction"]) <= {"benefit", "cost"}
    assert (crit["default_weight"] >= 0).all()


def test_every_value_has_a_provenance_row_with_a_source():
    table, prov = catalog.criteria_table(), catalog.provenance()
    assert len(prov) == table.size
    long = table.melt(ignore_index=False)
    keys = set(zip(prov["site_id"], prov["criterion"], strict=True))
    for site_id, crit in zip(long.index, long["variable"], strict=True):
        assert (site_id, crit) in keys
    assert (prov["source"].str.len() > 0).all()
    assert set(prov["kind"]) <= set(catalog.KINDS)
    # a value is missing exactly when its provenance says so
    merged = prov.set_index(["site_id", "criterion"])
    for (site_id, crit), row in merged.iterrows():
        assert np.isnan(table.at[site_id, crit]) == (row["kind"] == "missing")


def test_distances_are_computed_not_typed():
    table, attrs = catalog.criteria_table(), catalog.site_attributes()
    # Antwerp's gateway is its own port: a few km; the sea leg is the Shanghai-Antwerp route
    assert table.at["antwerp_romeynsweel", "road_to_port_km"] < 20
    assert table.at["antwerp_romeynsweel", "sea_distance_nm"] == pytest.approx(10_600, rel=0.05)
    assert (
        attrs.at["onnaing", "gateway_port_id"] == attrs.at["antwerp_romeynsweel", "gateway_port_id"]
    )
    assert bool(attrs.at["onnaing", "gateway_declared"])
    # US west-coast gateways: about 5,700 nm (17 days at 14 kn, casualnavigation.com)
    assert table.at["huntington_beach_ca", "sea_distance_nm"] == pytest.approx(5_700, rel=0.05)


def test_usd_figures_are_converted_with_the_sourced_rate():
    prov = catalog.provenance().set_index(["site_id", "criterion"])
    note = prov.at[("tucson_az", "labour_cost_eur_h"), "note"]
    assert "USD per EUR" in note


def test_ten_thousand_uploaded_points_compute():
    rng = np.random.default_rng(1)
    n = 10_000
    import geopandas as gpd

    sites = gpd.GeoDataFrame(
        {
            "site_id": [f"u{i}" for i in range(n)],
            "name": "x",
            "country": "US",
            "status": "x",
            "indicator_areas": "US-CA;US",
            "gateway_port": "",
            "source": "test",
            "year": 2026,
        },
        geometry=gpd.points_from_xy(rng.uniform(-120, -115, n), rng.uniform(33, 37, n)),
        crs="EPSG:4326",
    )
    sc = catalog.compute_criteria(sites)
    assert sc.table.shape == (n, len(catalog.load_criteria()))
    assert len(sc.provenance) == sc.table.size


# ------------------------------------------------------------------------------ broken files


@pytest.fixture
def data_copy(tmp_path):
    for f in catalog.DATA_DIR.iterdir():
        if f.is_file():
            shutil.copy(f, tmp_path / f.name)
    return tmp_path


def rewrite(path, mutate):
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    changed = mutate(df)
    (df if changed is None else changed).to_csv(path, index=False)


@pytest.mark.parametrize(
    ("file", "mutate", "pattern"),
    [
        (
            "ports.csv",
            lambda d: d.__setitem__("lat", d["lat"].where(d.index != 2, "abc")),
            r"ports\.csv, line 4, column 'lat': expected a number between -90 and 90, got 'abc'",
        ),
        (
            "ports.csv",
            lambda d: d.drop(columns=["locode"]),
            r"ports\.csv, line 1, column 'locode': missing column",
        ),
        (
            "ports.csv",
            lambda d: d.__setitem__("teu_source", ""),
            r"ports\.csv, line \d+, column 'teu_source': a value needs a source",
        ),
        (
            "criteria.csv",
            lambda d: d.__setitem__("direction", d["direction"].where(d.index != 0, "up")),
            r"criteria\.csv, line 2, column 'direction': expected one of \['benefit', 'cost'\]",
        ),
        (
            "criteria.csv",
            lambda d: d.__setitem__("group", d["group"].where(d.index != 1, "fun")),
            r"criteria\.csv, line 3, column 'group'",
        ),
        (
            "indicators.csv",
            lambda d: d.__setitem__("kind", d["kind"].where(d.index != 0, "rumour")),
            r"indicators\.csv, line 2, column 'kind'",
        ),
        (
            "site_facts.csv",
            lambda d: d.__setitem__("source", d["source"].where(d.index != 0, "")),
            r"site_facts\.csv, line 2, column 'source'",
        ),
    ],
)
def test_malformed_csv_names_file_line_and_column(data_copy, file, mutate, pattern):
    rewrite(data_copy / file, mutate)
    loader = {
        "ports.csv": catalog.load_ports,
        "criteria.csv": catalog.load_criteria,
        "indicators.csv": catalog.load_indicators,
        "site_facts.csv": catalog.load_site_facts,
    }[file]
    with pytest.raises(catalog.CatalogError, match=pattern):
        loader(data_copy / file)


def test_malformed_sites_geojson(data_copy):
    path = data_copy / "sites.geojson"
    path.write_text(path.read_text().replace('"role": "candidate"', '"role": "maybe"', 1))
    with pytest.raises(catalog.CatalogError, match=r"sites\.geojson, line \d+, column 'role'"):
        catalog.load_sites(path)
    path.write_text("{not json")
    with pytest.raises(catalog.CatalogError, match=r"sites\.geojson: not a readable GeoJSON"):
        catalog.load_sites(path)


def test_missing_file(tmp_path):
    with pytest.raises(catalog.CatalogError, match=r"ports\.csv: file not found"):
        catalog.load_ports(tmp_path / "ports.csv")


def test_usd_figures_convert_at_their_own_year_and_never_at_another():
    """A USD row of a year without a full ECB average is an error, not the latest rate."""
    crit = catalog.load_criteria()
    ind = catalog.load_indicators()
    sites = catalog.load_sites()
    sites = sites[sites["site_id"] == "tucson_az"].reset_index(drop=True)
    ok = catalog.compute_criteria(sites, indicators=ind, criteria=crit)
    note = ok.provenance.set_index("criterion").at["electricity_eur_mwh", "note"]
    assert "8.11 US cents/kWh x 10 = 81.1 USD/MWh" in note
    assert "2023 mean" in note
    bad = ind.copy()
    bad.loc[bad["unit"] == "US cents/kWh", "year"] = 1990.0  # before the euro
    with pytest.raises(catalog.CatalogError, match="no ECB USD reference rate for 1990"):
        catalog.compute_criteria(sites, indicators=bad, criteria=crit)


def test_duty_components_add_up_per_region():
    us, eu = catalog.duty_components("US"), catalog.duty_components("EU")
    assert set(us["layer"]) == {"mfn_kit", "mfn_built", "extra"}
    assert catalog.import_duty_pct("US")["value"] == pytest.approx(4 + 25 + 25)
    assert catalog.import_duty_pct("EU")["value"] == pytest.approx(
        eu.loc[eu["layer"] == "part", "value"].max()
    )
    assert catalog.import_duty_pct("EU", "built")["value"] == pytest.approx(16.0)
    assert catalog.import_duty_pct("CN")["kind"] == "missing"
    with pytest.raises(ValueError, match="basis"):
        catalog.import_duty_pct("EU", "ckd")
