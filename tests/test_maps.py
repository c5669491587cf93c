import re

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point

from windrose_sites import catalog, map_views, maps


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
    assert "cdn.jsdelivr" not in html
    assert "cdnjs" not in html
    assert "code.jquery" not in html
    assert maps.LEAFLET_JS_URL in html


def test_install_leaflet_copies_package_files(tmp_path):
    dest = maps.install_leaflet(tmp_path)
    assert (dest / "leaflet.js").stat().st_size > 100_000
    assert (dest / "leaflet.css").exists()


def test_views_have_the_right_content():
    sites, ports = catalog.load_sites(), catalog.load_ports()
    cand = sites[sites["role"] == "candidate"]
    attrs = catalog.site_attributes()
    eu = map_views.view_spec("Europe", cand, ports, attrs)
    assert set(eu.sites["country"]) <= {"BE", "FR"}
    assert len(eu.lines) == 2
    us = map_views.view_spec("United States", cand, ports, attrs)
    assert set(us.sites["country"]) == {"US"}
    assert {"USLAX", "USLGB", "USOAK"} <= set(us.ports["locode"])
    sc = map_views.view_spec("Supply chain", cand, ports, attrs)
    gateways = set(attrs["gateway_port_id"])
    # one Suez route per gateway, plus a Cape route for each European gateway
    assert len(sc.lines) == len(gateways) + sum(
        ports.loc[g, "country"] in {"BE", "FR"} for g in gateways
    )
    assert sc.lines["label"].str.contains("nm").all()


def _ranked():
    """The shipped sites and a made-up ranking of the candidates (scores 0.1 ... 0.9)."""
    sites = catalog.load_sites()
    cand = sites[sites["role"] == "candidate"]
    scores = np.linspace(0.1, 0.9, len(cand))
    result = pd.DataFrame(
        {"score": scores, "rank": np.arange(len(cand), 0, -1)}, index=cand["site_id"]
    )
    return sites, cand, result


def test_every_view_colours_on_the_whole_rankings_scale():
    _, cand, result = _ranked()
    crit = catalog.load_criteria()
    europe = cand[cand["country"].isin(["BE", "FR"])]
    us = cand[cand["country"] == "US"]
    fills = {}
    for part in (cand, europe, us):
        layer, cmap = maps.sites_layer(part, result, pd.DataFrame(), crit)
        assert (cmap.vmin, cmap.vmax) == (0.1, 0.9)  # the ranking's range, not the view's
        for f in layer.data["features"]:
            fill = f["properties"]["style"]["fillColor"]
            assert fills.setdefault(f["properties"]["site_id"], fill) == fill
    assert fills[result["score"].idxmax()] == "#1a9641"
    assert fills[result["score"].idxmin()] == "#d7191c"


def test_ranking_scale_of_a_degenerate_ranking_is_usable():
    one = maps.ranking_scale(pd.DataFrame({"score": [0.4]}))
    assert one.vmin < 0.4 < one.vmax
    none = maps.ranking_scale(pd.DataFrame({"score": [np.nan]}))
    assert (none.vmin, none.vmax) == (0.0, 1.0)


def test_a_polygon_site_also_gets_a_marker_inside_it_drawn_last():
    _, cand, result = _ranked()
    layer, _ = maps.sites_layer(cand, result, pd.DataFrame(), catalog.load_criteria())
    features = layer.data["features"]
    assert len(features) == len(cand) + 1  # one marker for the Romeynsweel plots
    antwerp = [f for f in features if f["properties"]["site_id"] == "antwerp_romeynsweel"]
    assert [f["geometry"]["type"] for f in antwerp] == ["MultiPolygon", "Point"]
    assert features[-1] is antwerp[1]  # after every polygon: drawn on top of them
    plots = cand.set_index("site_id").geometry["antwerp_romeynsweel"]
    assert plots.contains(Point(antwerp[1]["geometry"]["coordinates"]))
    # same colour and card; the label goes on the marker, not on the plots
    assert antwerp[0]["properties"]["v"] == antwerp[1]["properties"]["v"]
    assert (
        antwerp[0]["properties"]["style"]["fillColor"]
        == (antwerp[1]["properties"]["style"]["fillColor"])
    )
    assert "label" not in antwerp[0]["properties"]
    assert antwerp[1]["properties"]["label"] == "Antwerp – Romeynsweel"


def test_only_the_best_ranked_sites_get_labels_in_rank_order():
    sites, _, result = _ranked()
    layer, _ = maps.sites_layer(
        sites, result, pd.DataFrame(), catalog.load_criteria(), label_limit=3
    )
    labelled = {
        f["properties"]["site_id"]: f["properties"]["label_order"]
        for f in layer.data["features"]
        if "label" in f["properties"]
    }
    best = result.sort_values("rank").index[:3]
    assert labelled == {s: i for i, s in enumerate(best)}
    # unscored (reference) sites come after every scored one
    order = maps._label_order(np.array([np.nan, 2.0, 1.0]), limit=5)
    assert order.tolist() == [2, 1, 0]


def test_short_names_for_labels():
    assert maps.short_name("Onnaing (next to Toyota Onnaing / TMMF)") == "Onnaing"
    assert maps.short_name("Inland Empire (Fontana)") == "Inland Empire"
    assert maps.short_name("(odd)") == "(odd)"
    long = maps.short_name("x" * 80)
    assert len(long) == 32
    assert long.endswith("…")


def test_sites_draw_above_ports_above_lines_and_labels_are_text():
    sites = gpd.GeoDataFrame(
        {"site_id": ["x"], "name": ["<img src=x onerror=alert(1)>"], "status": ["s"]},
        geometry=[Point(4.4, 51.2)],
        crs="EPSG:4326",
    )
    result = pd.DataFrame({"score": [0.5], "rank": [1]}, index=["x"])
    layer, _ = maps.sites_layer(sites, result, pd.DataFrame(), catalog.load_criteria())
    ports = maps.ports_layer(catalog.load_ports())
    line = pd.DataFrame(
        [{"label": "a → b", "colour": "#000", "dash": "", "coords": [(4.4, 51.2), (3.6, 50.4)]}]
    )
    routes_ = maps.routes_layer(line)
    html = (
        maps.build_map((3, 50, 5, 52), catalog.load_outlines(), [layer, ports, routes_])
        .get_root()
        .render()
    )
    z = maps.PANES
    # lines under ports under labels under sites: nothing covers a site or takes its click
    assert z["windrose-lines"] < z["windrose-ports"] < z["windrose-labels"] < z["windrose-sites"]
    assert re.findall(r'createPane\(\s*"([^"]+)"\)', html) == list(z)
    assert html.rfind("createPane") < html.find("L.geoJson(")  # panes exist before any layer
    # every feature of a layer, polygons and circle markers alike, lands in its pane
    assert layer.options["pane"] == layer.marker.options["pane"] == "windrose-sites"
    assert ports.options["pane"] == ports.marker.options["pane"] == "windrose-ports"
    assert routes_.options["pane"] == "windrose-lines"
    # the panes themselves ignore the pointer; only their features take it
    assert html.count(".style.pointerEvents = 'none'") >= len(z)
    # labels are set as text in the browser; the name never appears as markup
    assert "text.textContent = p.label" in html
    assert "<img src=x" not in html
    # no popup: it would stay open over the next site to click
    assert "bindPopup" not in html
