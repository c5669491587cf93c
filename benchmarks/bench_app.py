"""App speed: rerun time after a slider move, and time to a rendered map, vs naive peers.

Run by hand (not in CI): ``.venv/bin/python benchmarks/bench_app.py [--sites 10000]``.

1. Server time of one rerun after a slider move (Streamlit AppTest runs the real script
   in-process), for the shipped data and with N uploaded sites.
2. Map build + render in headless Chromium for N sites: our single GeoJson layer vs the naive
   one ``folium.CircleMarker`` per site, measured in the same run, as ratios.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from windrose_sites import catalog, maps, uploads  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic"]  # fmt: skip


def random_sites(n: int, seed: int = 0) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    lat = np.r_[rng.uniform(32.0, 36.5, n // 2), rng.uniform(49.5, 51.5, n - n // 2)]
    lon = np.r_[rng.uniform(-119.5, -110.5, n // 2), rng.uniform(2.5, 5.5, n - n // 2)]
    csv = pd.DataFrame({"name": [f"site {i}" for i in range(n)], "lat": lat, "lon": lon})
    result = uploads.parse_sites(csv.to_csv(index=False).encode(), "bench.csv")
    return result.sites


@contextlib.contextmanager
def server_bytecode() -> Iterator[None]:
    """Let AppTest keep the scripts' bytecode between runs, as a Streamlit server does.

    AppTest 1.67 makes a new ``ScriptCache`` for every run, so it parses, rewrites ("magic")
    and compiles ``app.py`` and the page on every rerun; a server does that once per file
    (until the file changes). That work is AppTest's, not the app's: 30-50 % of a rerun of
    the larger pages. Inside this block every run shares one cache. Benchmark only.
    """
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test

    shared = ScriptCache()
    real = app_test.ScriptCache
    app_test.ScriptCache = lambda: shared  # type: ignore[assignment,misc]
    try:
        yield
    finally:
        app_test.ScriptCache = real  # type: ignore[misc]


def rerun_seconds(n_sites: int, repeats: int = 5, *, cached: bool = False) -> list[float]:
    """AppTest reruns after a slider move; ``cached``: with the server's bytecode cache."""
    with server_bytecode() if cached else contextlib.nullcontext():
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
        if n_sites:
            at.session_state["user_sites"] = [random_sites(n_sites)]
        at.run()
        assert not at.exception, at.exception
        times = []
        for i in range(repeats):
            t = time.perf_counter()
            # a new value each move: no cache entry (downloads, summary) fits an earlier one
            at.slider(key="w_jobs").set_value(10.0 + 5 * i).run()
            times.append(time.perf_counter() - t)
            assert not at.exception, at.exception
    return times


def our_map(sites: gpd.GeoDataFrame) -> folium.Map:
    crit = catalog.load_criteria()
    result = pd.DataFrame(
        {"score": np.linspace(0, 1, len(sites)), "rank": np.arange(1, len(sites) + 1)},
        index=sites["site_id"],
    )
    layer, cmap = maps.sites_layer(sites, result, pd.DataFrame(), crit)
    return maps.build_map(tuple(sites.total_bounds), catalog.load_outlines(), [layer],
                          legend={"vmin": cmap.vmin, "vmax": cmap.vmax})  # fmt: skip


def naive_map(sites: gpd.GeoDataFrame, leaflet_dir: Path) -> folium.Map:
    m = folium.Map(tiles=None)
    m.default_js = [("leaflet", (leaflet_dir / "leaflet.js").as_uri())]
    m.default_css = [("leaflet_css", (leaflet_dir / "leaflet.css").as_uri())]
    pts = sites.geometry.representative_point()
    for name, x, y in zip(sites["name"], pts.x, pts.y, strict=True):
        folium.CircleMarker([y, x], radius=6, tooltip=str(name), fill=True).add_to(m)
    west, south, east, north = sites.total_bounds
    m.fit_bounds([[south, west], [north, east]])
    return m


def render_seconds(browser, html_path: Path, n: int) -> float:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    t = time.perf_counter()
    page.goto(html_path.as_uri())
    page.wait_for_function(
        f"document.querySelectorAll('.leaflet-interactive').length >= {n}", timeout=120_000
    )
    elapsed = time.perf_counter() - t
    page.close()
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sites", type=int, nargs="+", default=[1000, 10_000])
    ap.add_argument("--reruns-only", action="store_true", help="skip the browser part")
    args = ap.parse_args()
    print(f"== server time of one rerun after a slider move (AppTest, median of 5): {ROOT} ==")
    print(f"{'':>28}  {'AppTest':>16}  {'server bytecode cache':>22}  (target 10,000: < 0.5 s)")
    for n in [0, *args.sites]:
        plain, cached = rerun_seconds(n), rerun_seconds(n, cached=True)
        label = "shipped data" if n == 0 else f"+ {n:,} uploaded sites"
        print(
            f"{label:>28}: {statistics.median(plain):.3f} s (min {min(plain):.3f})"
            f"  {statistics.median(cached):>13.3f} s (min {min(cached):.3f})"
        )
    if args.reruns_only:
        return

    from playwright.sync_api import sync_playwright

    leaflet = maps.install_leaflet(ROOT / "static")
    print("\n== map build (server) and render (headless Chromium) ==")
    print(f"{'sites':>8} {'ours build':>11} {'naive build':>12} {'ours render':>12} "
          f"{'naive render':>13} {'render ratio':>13}")  # fmt: skip
    with sync_playwright() as p, tempfile.TemporaryDirectory() as tmp:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for n in args.sites:
            sites = random_sites(n)
            t = time.perf_counter()
            ours = our_map(sites)
            html = ours.get_root().render().replace(maps.LEAFLET_JS_URL, (
                leaflet / "leaflet.js").as_uri()).replace(maps.LEAFLET_CSS_URL, (
                leaflet / "leaflet.css").as_uri())  # fmt: skip
            build_ours = time.perf_counter() - t
            t = time.perf_counter()
            naive_html = naive_map(sites, leaflet).get_root().render()
            build_naive = time.perf_counter() - t
            a, b = Path(tmp) / f"ours{n}.html", Path(tmp) / f"naive{n}.html"
            a.write_text(html)
            b.write_text(naive_html)
            r_ours = render_seconds(browser, a, n)
            r_naive = render_seconds(browser, b, n)
            print(f"{n:>8,} {build_ours:>10.2f}s {build_naive:>11.2f}s {r_ours:>11.2f}s "
                  f"{r_naive:>12.2f}s {r_naive / r_ours:>12.1f}x")  # fmt: skip
        browser.close()
    print("\nTargets (2 cores): rerun < 0.3 s with the shipped data; 10,000-site map < 3 s.")


if __name__ == "__main__":
    main()
