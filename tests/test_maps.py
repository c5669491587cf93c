import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

from windrose_sites import catalog, maps, routes


def test_site_text_is_escaped_in_tooltips_and_map_has_no_cdn():
    sites = gpd.GeoDataFrame(
        {"site_id": ["x"], "name": ["<img src=x onerror=alert(1)>"], "status": ["<b>s</b>"]},
        geometry=[Point(4.4, 51.2)],
        crs="EPSG:4326",
    )
    result = pd.DataFrame({"score": [0.5], "rank": [1]}, index=["x"])
    layer, _ = maps.sites_layer(sites, result, pd.DataFrame(), catalog.load_criteria())
    m = maps.build_map(
        (4, 51, 5, 52), catalog.load_outlines(), [layer], legend={"vmin": 0, "vmax": 1}
    )
    html = m.get_root().render()
    # the name travels as JSON data (tojson escapes < as \u003c) and is shown with textContent
    assert "<img src=x" not in html
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in html
    assert "textContent = p.name" in html
    assert "cdn.jsdelivr" not in html and "cdnjs" not in html and "code.jquery" not in html
    assert maps.LEAFLET_JS_URL in html


def test_install_leaflet_copies_package_files(tmp_path):
    dest = maps.install_leaflet(tmp_path)
    assert (dest / "leaflet.js").stat().st_size > 100_000
    assert (dest / "leaflet.css").exists()


def test_views_have_the_right_content():
    sites, ports = catalog.load_sites(), catalog.load_ports()
    cand = sites[sites["role"] == "candidate"]
    attrs = catalog.site_attributes()
    eu = routes.view_spec("Europe", cand, ports, attrs)
    assert set(eu.sites["country"]) <= {"BE", "FR"} and len(eu.lines) == 2
    us = routes.view_spec("United States", cand, ports, attrs)
    assert set(us.sites["country"]) == {"US"}
    assert {"USLAX", "USLGB", "USOAK"} <= set(us.ports["locode"])
    sc = routes.view_spec("Supply chain", cand, ports, attrs)
    gateways = set(attrs["gateway_port_id"])
    # one Suez route per gateway, plus a Cape route for each European gateway
    assert len(sc.lines) == len(gateways) + sum(
        ports.loc[g, "country"] in {"BE", "FR"} for g in gateways
    )
    assert sc.lines["label"].str.contains("nm").all()
