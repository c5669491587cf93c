"""What a slider move sends to the browser: websocket bytes of one Overview rerun, and the time
until the app is idle again, in headless Chromium against a real server.

Run by hand (not in CI), for this tree or another checkout of the app::

    .venv/bin/python benchmarks/bench_payload.py [--sites 10000] [--root PATH] [--moves 3]

With ``--sites N`` the Sites & data page first uploads N random sites (as ``bench_app.py``).
The figures: bytes the server sent over the websocket for one rerun after a move of the first
sidebar slider (median of ``--moves``), and seconds from the key press until the app is idle
and every map frame shows new fills (polled), and from the key press until the last map frame
has drawn its repaint (``window.windrosePaintedAt``, set by the paint on the next animation
frame; the browser's own clock, no polling in it).
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic"]  # fmt: skip
BUSY = '[data-testid="stStatusWidget"], [data-testid="stSkeleton"], [data-stale="true"]'
FILLS = """() => { const out = []; if (!window.map) { return out; } window.map.eachLayer((l) => {
    const p = l.feature && l.feature.properties;
    if (l._path && p && p.site_id) { out.push(l._path.getAttribute("fill")); } });
    return out; }"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_idle(page, timeout_s: float = 900) -> None:
    page.wait_for_selector("h1", timeout=timeout_s * 1000)
    calm = 0
    for _ in range(int(timeout_s / 0.25)):
        calm = calm + 1 if page.locator(BUSY).count() == 0 else 0
        if calm >= 2:
            return
        page.wait_for_timeout(250)
    raise AssertionError("the app did not become idle")


def map_frames(page) -> list:
    return [f for f in page.frames if "st_folium" in f.url]


def map_fills(page) -> list[list[str]]:
    return [f.evaluate(FILLS) for f in map_frames(page)]


def measure(root: Path, n_sites: int, moves: int) -> tuple[list[int], list[float], list[float]]:
    from playwright.sync_api import sync_playwright

    port = _free_port()
    tmp = Path(tempfile.mkdtemp())
    env = dict(os.environ, WINDROSE_SCENARIOS_DB=str(tmp / "s.sqlite"))
    env.pop("WINDROSE_DATABASE_URL", None)
    cmd = [sys.executable, "-m", "streamlit", "run", str(root / "app.py"), "--server.headless",
           "true", "--server.port", str(port), "--browser.gatherUsageStats", "false"]  # fmt: skip
    log = (tmp / "server.log").open("w")
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.read() == b"ok":
                        break
            except OSError:
                time.sleep(0.5)
        received = [0]
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on(
                "websocket",
                lambda ws: ws.on(
                    "framereceived",
                    lambda payload: received.__setitem__(0, received[0] + len(payload)),
                ),
            )
            page.goto(url)
            wait_idle(page)
            if n_sites:
                from bench_app import random_sites

                csv = tmp / "sites.csv"
                sites = random_sites(n_sites)
                xy = sites.geometry.representative_point()
                csv.write_text(
                    "name,lat,lon\n"
                    + "".join(
                        f"site {i},{y:.5f},{x:.5f}\n"
                        for i, (x, y) in enumerate(zip(xy.x, xy.y, strict=True))
                    )
                )
                page.locator('[data-testid="stPageLink-NavLink"]', has_text="Sites & data").click()
                wait_idle(page)
                page.get_by_role("tab", name="Upload").click()
                page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
                    str(csv)
                )
                added = page.get_by_text(re.compile(r"^Added [\d,]+ site")).first
                added.wait_for(timeout=900_000)
                print(added.inner_text(), flush=True)
                wait_idle(page)
                page.locator('[data-testid="stPageLink-NavLink"]', has_text="Overview").click()
                wait_idle(page)
            page.frame_locator('iframe[title*="st_folium"]').first.locator(
                ".leaflet-interactive"
            ).first.wait_for(state="attached", timeout=600_000)
            page.wait_for_timeout(2000)
            sizes, seconds, drawn = [], [], []
            slider = page.locator('[data-testid="stSidebar"] [data-testid="stSlider"]').first
            for i in range(moves):
                before = map_fills(page)
                received[0] = 0
                slider.locator('input[type="range"]').focus()
                t = time.perf_counter()
                pressed = page.evaluate("Date.now()")  # the browser's clock, as the frames'
                page.keyboard.press("ArrowRight")  # a new value each time: no cached message fits
                page.wait_for_timeout(300)
                wait_idle(page)
                for _ in range(400):
                    if map_fills(page) != before:
                        break
                    page.wait_for_timeout(50)
                else:
                    print(f"move {i + 1}: the map fills did not change", flush=True)
                seconds.append(time.perf_counter() - t)
                painted = [f.evaluate("window.windrosePaintedAt || 0") for f in map_frames(page)]
                drawn.append((max(painted) - pressed) / 1000)  # the last map repainted
                page.wait_for_timeout(500)
                sizes.append(received[0])
            print(f"sites on the maps: {[len(f) for f in map_fills(page)]}", flush=True)
            browser.close()
        return sizes, seconds, drawn
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sites", type=int, default=0)
    ap.add_argument("--root", type=Path, default=ROOT)
    ap.add_argument("--moves", type=int, default=3)
    args = ap.parse_args()
    sizes, seconds, drawn = measure(args.root.resolve(), args.sites, args.moves)
    label = "shipped data" if not args.sites else f"+ {args.sites:,} uploaded sites"
    print(f"code: {args.root.resolve()}  ({label})")
    print(f"websocket bytes per slider move: median {statistics.median(sizes):,.0f} ({sizes})")
    print(f"key press -> idle and repainted: median {statistics.median(seconds):.2f} s "
          f"({', '.join(f'{s:.2f}' for s in seconds)}; polled: 0.3 s, then idle twice 0.25 s "
          "apart)")  # fmt: skip
    print(f"key press -> every map frame repainted and drawn (the frames' own clock): median "
          f"{statistics.median(drawn):.2f} s ({', '.join(f'{s:.2f}' for s in drawn)}; "
          "target at 10,000 sites: < 1.5 s)")  # fmt: skip


if __name__ == "__main__":
    main()
