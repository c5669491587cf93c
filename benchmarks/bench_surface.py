"""Speed and memory of the suitability surface (Arizona + California) at 10, 5 and 1 km.

Run by hand (not in CI): ``.venv/bin/python benchmarks/bench_surface.py [--res 10 5 1]``.

Per resolution, in one process and one run:

- cold build: grid + every criterion per cell (``build_surface``). The first resolution also
  pays the one-off loads (GeoNames cities, the searoute network);
- peak memory of that build (tracemalloc, a second build, so the timing above is clean);
- re-score after a weight change (``score_surface``, median of 7, weights alternating) and its
  ratio to a plain numpy matrix-vector product ``x @ w`` over the same matrix;
- locate (top 5 areas, 50 km apart) and overlay encode (PNG + base64 ``ImageOverlay``);
- whole rerun in the core: weights, filters, score, locate, overlay, folium map and its HTML
  (what the page does after a slider move, without Streamlit). With ``--apptest`` and the page
  registered in app.py, also the server time of one real page rerun (Streamlit AppTest).

Targets at 1 km (2 cores): re-score < 0.1 s, whole rerun < 1 s, cold build < 30 s.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from windrose_sites import catalog, decision, maps, surface  # noqa: E402
from windrose_sites import state as ws  # noqa: E402

REPEATS = 7


def median_seconds(fn: Callable[[int], object], repeats: int = REPEATS) -> float:
    times = []
    for i in range(repeats):
        t = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def app_weights() -> tuple[dict[str, float], dict[str, float]]:
    """The default weights and the same with jobs at 100 (two 'slider positions')."""
    crit = catalog.load_criteria()
    default = ws.default_state(list(dict.fromkeys(crit["group"])), crit["default_weight"])
    moved = ws.parse_query_params({"w_jobs": "100"}, default)[0]
    return (
        decision.effective_weights(crit, default).to_dict(),
        decision.effective_weights(crit, moved).to_dict(),
    )


def page_rerun(s: surface.Surface, app_w: dict[str, float], outlines, sites) -> str:
    """What the page computes after a slider move, up to the map's HTML."""
    weights, _ = surface.surface_weights(app_w, s.columns, supplier_share=0.1)
    keep, _ = surface.cell_filter(s, ws.Filters())
    scores = surface.score_surface(s, weights, "wsm", keep=keep)
    areas = surface.locate(s, scores, k=5, spacing_km=50, weights=weights)
    vmin, vmax = float(np.nanmin(scores)), float(np.nanmax(scores))
    cmap = maps.colour_scale(vmin, vmax)
    m = maps.build_map(
        tuple(s.parts.total_bounds),
        outlines,
        [
            surface.overlay_layer(s.grid, scores, vmin, vmax),
            surface.region_layer(s.parts),
            surface.located_layer(areas, sites, s, scores, cmap),
        ],
        legend={"vmin": cmap.vmin, "vmax": cmap.vmax},
    )
    return m.get_root().render()


def apptest_rerun(resolution_km: int) -> float | None:
    """Median server time of a page rerun after a weight slider move, or None."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300).run()
    try:
        at.switch_page("pages/suitability.py").run()
    except ValueError:
        return None  # the page is not registered in app.py
    at.select_slider(key="sfc_res_km").set_value(resolution_km).run()
    at.run()
    if at.exception:
        return None
    return median_seconds(lambda i: at.slider(key="w_jobs").set_value(40.0 + 10 * (i % 2)).run(), 5)


def bench(resolution_km: int, use_apptest: bool) -> dict[str, float]:
    weights_a, weights_b = app_weights()
    t = time.perf_counter()
    s = surface.build_surface("az_ca", resolution_km)
    cold = time.perf_counter() - t
    tracemalloc.start()
    surface.build_surface("az_ca", resolution_km)
    build_peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    w = [
        surface.surface_weights(x, s.columns, supplier_share=0.1)[0] for x in (weights_a, weights_b)
    ]
    rescore = median_seconds(lambda i: surface.score_surface(s, w[i % 2]))
    vector = w[0].to_numpy()
    matvec = median_seconds(lambda _i: s.matrix @ vector)
    tracemalloc.start()
    scores = surface.score_surface(s, w[0])
    rescore_peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    locate = median_seconds(lambda _i: surface.locate(s, scores, weights=w[0]))
    vmin, vmax = float(np.nanmin(scores)), float(np.nanmax(scores))
    encode = median_seconds(lambda _i: surface.overlay_layer(s.grid, scores, vmin, vmax))
    png_kb = len(surface.overlay_png(s.grid, scores, vmin, vmax)) / 1024
    outlines = catalog.load_outlines()
    sites = catalog.load_sites()
    sites = sites[sites["role"] == "candidate"]
    whole = median_seconds(
        lambda i: page_rerun(s, (weights_a, weights_b)[i % 2], outlines, sites), 5
    )
    return {
        "res": resolution_km,
        "cells": len(s.matrix),
        "cold": cold,
        "build_peak": build_peak,
        "rescore": rescore,
        "matvec": matvec,
        "ratio": rescore / matvec,
        "rescore_peak": rescore_peak,
        "locate": locate,
        "encode": encode,
        "png_kb": png_kb,
        "whole": whole,
        "apptest": apptest_rerun(resolution_km) if use_apptest else None,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--res", type=int, nargs="+", default=[10, 5, 1])
    ap.add_argument("--apptest", action="store_true", help="also time a real page rerun")
    args = ap.parse_args()
    print("Suitability surface, Arizona + California (wsm, default weights, 2-core machine)")
    head = (
        f"{'km':>3} {'cells':>8} {'cold build':>10} {'build peak':>10} {'re-score':>9} "
        f"{'x@w':>8} {'ratio':>6} {'score peak':>10} {'locate':>7} {'overlay':>8} "
        f"{'png':>7} {'rerun':>7} {'AppTest':>8}"
    )
    print(head)
    for res in args.res:
        r = bench(res, args.apptest)
        apptest = f"{r['apptest']:.3f}s" if r["apptest"] is not None else "-"
        print(
            f"{r['res']:>3} {r['cells']:>8,} {r['cold']:>9.2f}s {r['build_peak']:>7.0f} MB "
            f"{r['rescore']:>8.4f}s {r['matvec']:>7.4f}s {r['ratio']:>5.1f}x "
            f"{r['rescore_peak']:>7.0f} MB {r['locate']:>6.3f}s {r['encode']:>7.4f}s "
            f"{r['png_kb']:>4.0f} kB {r['whole']:>6.3f}s {apptest:>8}"
        )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nProcess peak RSS: {rss:.0f} MB")
    print("Targets at 1 km: re-score < 0.1 s, whole rerun < 1 s, cold build < 30 s.")


if __name__ == "__main__":
    main()
