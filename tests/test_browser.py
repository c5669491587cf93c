"""Browser tests: a real `streamlit run` driven by Playwright in headless Chromium, offline."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from browser_helpers import (
    expected_leader,
    feature_count,
    leader,
    map_frame,
    no_exception,
    screenshot,
    set_slider,
    wait_idle,
)
from playwright.sync_api import expect

from windrose_sites import catalog, decision, export
from windrose_sites import state as ws

pytestmark = pytest.mark.browser


def test_overview_loads_offline_with_one_feature_per_site(page, app_server):
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(app_server)
    wait_idle(page)
    no_exception(page)
    # two framed views (Europe, United States); Romeynsweel's plots also get a marker
    assert feature_count(page, 0) + feature_count(page, 1) == len(catalog.criteria_table()) + 1
    # every site is filled with its score colour (a red-to-green scale), none is hollow,
    # once each frame has applied its paint (windrose_sites.map_paint)
    for frame in (f for f in page.frames if "st_folium" in f.url):
        frame.wait_for_function("() => !!window.windrosePainted", timeout=60_000)
    fills = [
        f
        for i in (0, 1)
        for f in map_frame(page, i)
        .locator(".leaflet-interactive")
        .evaluate_all("els => els.map(e => e.getAttribute('fill'))")
    ]
    assert all(f and f.startswith("#") for f in fills), fills
    assert len(set(fills)) > 1  # different scores, different colours
    # Leaflet came from the app itself: the map frame has a working `L`, and no script or
    # stylesheet was asked of another host (OSM tiles are an opt-in layer, off by default).
    frame = next(f for f in page.frames if "st_folium" in f.url)
    assert frame.evaluate("typeof L") == "object"
    external = [u for u in requested if not u.startswith((app_server, "data:", "blob:", "about:"))]
    assert external == []
    screenshot(page, "overview")


def test_moving_a_slider_changes_the_ranking(page, app_server):
    page.goto(app_server)
    wait_idle(page)
    before = leader(page)
    sliders = page.locator('[data-testid="stSidebar"] [data-testid="stSlider"]')
    labels = [s.inner_text().split("\n")[0] for s in sliders.all()]
    for i, label in enumerate(labels):
        if label.lower() in {"logistics", "jobs", "cost", "sustainability", "market"}:
            set_slider(page, sliders.nth(i), "Home", "0")
    after = leader(page)
    screenshot(page, "overview-port-access-only")
    no_exception(page)
    assert expected_leader({"port access": 50.0}) in after
    assert after != before


def test_downloaded_csv_has_one_row_per_site(page, app_server):
    page.goto(app_server)
    wait_idle(page)
    with page.expect_download() as info:
        page.locator('[data-testid="stDownloadButton"] button').first.click()
    frame = pd.read_csv(io.BytesIO(Path(info.value.path()).read_bytes()))
    assert len(frame) == len(catalog.criteria_table())
    assert set(frame["site_id"]) == set(catalog.criteria_table().index)
    assert {"rank", "score", "method"} <= set(frame.columns)
    no_exception(page)


@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("map", "Map"),
        ("compare", "Compare sites"),
        ("sensitivity", "Sensitivity"),
        ("suitability", "Suitability surface"),
        ("scenarios", "Scenarios"),
        ("data", "Sites & data"),
    ],
)
def test_every_page_renders(page, app_server, path, title):
    page.goto(f"{app_server}/{path}")
    wait_idle(page)
    no_exception(page)
    expect(page.locator("h1").first).to_contain_text(title)
    screenshot(page, path)


def test_map_views_draw_sites_polygons_and_routes(page, app_server):
    page.goto(f"{app_server}/map")
    wait_idle(page)
    sites = catalog.load_sites()
    europe = sites[(sites["role"] == "candidate") & sites["country"].isin(["BE", "FR"])]
    ports = catalog.load_ports()
    eu_ports = ports[ports["country"].isin(["BE", "FR", "NL", "DE", "LU"])]
    # sites (one path each; Romeynsweel's two plots are one multipolygon) + ports + 2 link lines
    assert feature_count(page) == len(europe) + 1 + len(eu_ports) + 2  # + the plots' marker
    frame = map_frame(page)
    # the Romeynsweel plots are drawn as a filled polygon path (closed: ends with "z")
    paths = frame.locator("path.leaflet-interactive")
    ds = [paths.nth(i).get_attribute("d") or "" for i in range(paths.count())]
    assert any(d.count("z") >= 2 for d in ds)
    page.get_by_text("Supply chain", exact=True).click()
    wait_idle(page)
    attrs = catalog.site_attributes()
    n_gateways = attrs["gateway_port_id"].nunique()
    n_routes = n_gateways + sum(
        ports.loc[g, "country"] in {"BE", "FR"} for g in attrs["gateway_port_id"].unique()
    )
    lines = map_frame(page).locator("path.leaflet-interactive:not([fill-opacity])")
    lines.first.wait_for(state="attached")
    assert feature_count(page) >= n_routes
    screenshot(page, "map-supply-chain")


def test_url_with_weights_restores_them(page, app_server):
    page.goto(
        f"{app_server}/?w_logistics=0&w_jobs=0&w_cost=0&w_sustainability=0&w_market=0&method=topsis"
    )
    wait_idle(page)
    no_exception(page)
    sliders = page.locator('[data-testid="stSidebar"] [data-testid="stSlider"]')
    values = {
        s.inner_text().split("\n")[0]: s.locator('input[type="range"]').input_value()
        for s in sliders.all()[:6]
    }
    assert values["Logistics"] == "0"
    assert values["Port access"] == "50"
    assert "TOPSIS" in leader(page)


def test_hostile_url_warns_and_keeps_working(page, app_server):
    page.goto(f"{app_server}/?w_jobs=NaN&method=%3Cscript%3E&w_cost=" + "9" * 5000)
    wait_idle(page)
    no_exception(page)
    warnings = page.locator('[data-testid="stAlertContentWarning"]')
    assert warnings.count() >= 3
    assert "Leader" in leader(page)


def test_uploading_a_csv_adds_sites_to_the_map(page, app_server, tmp_path):
    csv = tmp_path / "sites.csv"
    csv.write_text(
        "name,lat,lon\nMesa test site,33.40,-111.80\nFresno test site,36.74,-119.78\nBroken,abc,1\n"
    )
    page.goto(app_server)
    wait_idle(page)
    before = feature_count(page, 1)  # the United States view
    page.locator('[data-testid="stPageLink-NavLink"]', has_text="Sites & data").click()
    wait_idle(page)
    page.get_by_role("tab", name="Upload").click()
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(csv))
    wait_idle(page)
    expect(page.get_by_text("Added 2 site(s)")).to_be_visible()
    expect(page.locator('[data-testid="stAlertContentError"]').first).to_contain_text("row 3")
    page.locator('[data-testid="stPageLink-NavLink"]', has_text="Overview").click()
    wait_idle(page)
    assert feature_count(page, 1) == before + 2
    no_exception(page)


def expected_csv(query: dict[str, str]) -> bytes:
    """The comparison CSV the core computes for the state a URL describes."""
    crit = catalog.load_criteria()
    default = ws.default_state(list(dict.fromkeys(crit["group"])), crit["default_weight"])
    state = ws.parse_query_params(query, default)[0]
    attrs, table = catalog.site_attributes(), catalog.criteria_table()
    ranking = decision.evaluate(table, attrs, crit, state)
    frame = export.comparison_frame(ranking.result, table, crit, catalog.provenance(),
                                    attrs["name"])  # fmt: skip
    return export.to_csv(frame)


@pytest.mark.parametrize(
    ("path", "query"),
    [("", {}), ("compare", {"w_jobs": "100", "method": "topsis"}),
     ("compare", {"w_logistics": "0", "method": "promethee", "c_gateway_teu_m": "100"})],
)  # fmt: skip
def test_downloaded_csv_bytes_equal_the_core_scoring(page, app_server, path, query):
    url = f"{app_server}/{path}?" + "&".join(f"{k}={v}" for k, v in query.items())
    page.goto(url)
    wait_idle(page)
    with page.expect_download() as info:
        page.locator('[data-testid="stDownloadButton"] button').first.click()
    assert Path(info.value.path()).read_bytes() == expected_csv(query)


HOSTILE = "<img src=x onerror=alert(1)>"
FORMULA = '=HYPERLINK("http://example.invalid","click")'


def upload_sites(page, app_server, csv_path) -> None:
    page.goto(app_server)
    wait_idle(page)
    page.locator('[data-testid="stPageLink-NavLink"]', has_text="Sites & data").click()
    wait_idle(page)
    page.get_by_role("tab", name="Upload").click()
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(csv_path))
    wait_idle(page)


def test_html_in_a_site_name_shows_as_text_and_never_runs(page, app_server, tmp_path):
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    csv = tmp_path / "hostile.csv"
    csv.write_text(f'name,lat,lon\n"{HOSTILE}",33.45,-112.07\n')
    upload_sites(page, app_server, csv)
    expect(page.get_by_text("Added 1 site(s)")).to_be_visible()
    page.locator('[data-testid="stPageLink-NavLink"]', has_text="Overview").click()
    wait_idle(page)
    frame = map_frame(page, 1)  # the site is in Arizona: the United States view
    features = frame.locator(".leaflet-interactive")
    features.first.wait_for(state="attached")
    for i in range(features.count()):
        features.nth(i).dispatch_event("mouseover")
    tooltips = frame.locator(".leaflet-tooltip")
    texts = [tooltips.nth(i).inner_text() for i in range(tooltips.count())]
    assert any(HOSTILE in t for t in texts), texts
    assert frame.locator(".leaflet-tooltip img").count() == 0
    page.wait_for_timeout(500)
    assert dialogs == []
    no_exception(page)


def test_formula_like_site_name_is_neutralized_in_the_downloaded_csv(page, app_server, tmp_path):
    csv = tmp_path / "formula.csv"
    csv.write_text('name,lat,lon\n"' + FORMULA.replace('"', '""') + '",33.45,-112.07\n')
    upload_sites(page, app_server, csv)
    page.locator('[data-testid="stPageLink-NavLink"]', has_text="Compare").click()
    wait_idle(page)
    with page.expect_download() as info:
        page.locator('[data-testid="stDownloadButton"] button').first.click()
    data = Path(info.value.path()).read_bytes()
    frame = pd.read_csv(io.BytesIO(data))
    assert "'" + FORMULA in set(frame["name"])
    assert not any(str(v).startswith("=") for v in frame["name"])
    assert pd.api.types.is_numeric_dtype(frame["score"])


def test_suitability_overlay_is_drawn_in_the_map_frame(page, app_server):
    page.goto(f"{app_server}/suitability")
    wait_idle(page)
    no_exception(page)
    overlay = map_frame(page).locator("img.leaflet-image-layer")
    overlay.first.wait_for(state="attached", timeout=60_000)
    src = overlay.first.get_attribute("src") or ""
    assert src.startswith("data:image/png;base64,")
    screenshot(page, "suitability")


def test_clicking_a_site_on_the_map_selects_it_for_the_comparison(page, app_server):
    page.goto(f"{app_server}/map")
    wait_idle(page)
    frame = map_frame(page)
    paths = frame.locator("path.leaflet-interactive")
    paths.first.wait_for(state="attached")
    polygon = next(
        paths.nth(i)
        for i in range(paths.count())
        if (paths.nth(i).get_attribute("d") or "").count("z") >= 2
    )
    polygon.dispatch_event("click")
    name = catalog.site_attributes().at["antwerp_romeynsweel", "name"]
    expect(page.locator('[data-testid="stAlertContentInfo"]').first).to_contain_text(name)
    page.locator('[data-testid="stPageLink-NavLink"]', has_text="Compare").click()
    wait_idle(page)
    site_a = page.locator('[data-testid="stSelectbox"]', has_text="Site A")
    shown = site_a.inner_text() + " ".join(i.input_value() for i in site_a.locator("input").all())
    assert name in shown, shown
    no_exception(page)
