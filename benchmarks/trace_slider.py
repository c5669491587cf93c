"""Where a sidebar-slider move's browser time goes: a Chromium trace, per thread and frame.

Run by hand (not in CI), for this tree or another checkout of the app::

    .venv/bin/python benchmarks/trace_slider.py [--root PATH] [--page Overview] [--moves 4]

One headless Chromium session opens ``--page``, then moves the first three group sliders
``--moves`` times with the keyboard while a Chrome DevTools Protocol trace runs
(``Tracing.start`` on the browser). It prints, per move, the CPU time of every thread that
worked (the trace's ``tdur`` of its top-level tasks: the renderer's main thread, its raster
workers and compositor, the GPU process's display compositor) and how many frames, paints and
raster tasks the move cost. The idle wait polls every 100 ms, not per animation frame, so the
harness does not make frames of its own.

This found that the Overview's two maps re-rasterised their SVG country outlines on every
frame of a rerun (1,151 raster tasks per move); with the outlines on a canvas, 139
(``benchmarks/README.md``, 2026-12-03, fourth session).
"""

from __future__ import annotations

import argparse
import collections
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_page_switch import CHROMIUM_ARGS, NAV, VENV_BIN, _free_port

ROOT = Path(__file__).resolve().parent.parent
BUSY = '[data-testid="stStatusWidget"], [data-testid="stSkeleton"], [data-stale="true"]'
SLIDERS = '[data-testid="stSidebar"] [data-testid="stSlider"] input[type="range"]'
CATEGORIES = "devtools.timeline,v8,blink,cc,gpu,viz,toplevel"
TASKS = {"ThreadControllerImpl::RunTask", "ThreadPool_RunTask", "TaskGraphRunner::RunTask"}
COUNTED = {
    ("Compositor", "MainFrame.Draw"): "frames drawn",
    ("CrRendererMain", "Paint"): "paints",
    ("CrRendererMain", "Layout"): "layouts",
    ("CrRendererMain", "UpdateLayoutTree"): "style recalcs",
}


def wait_idle(page) -> None:
    """Idle twice in a row 0.4 s apart, polling every 100 ms (no per-frame polling)."""
    page.wait_for_timeout(300)
    for _ in range(2):
        page.wait_for_function(
            f"() => document.querySelectorAll('{BUSY}').length == 0",
            polling=100,
            timeout=120_000,
        )
        page.wait_for_timeout(400)


def trace(root: Path, page_name: str, moves: int) -> list[dict]:
    """The trace events of ``moves`` slider moves on ``page_name``."""
    from playwright.sync_api import sync_playwright

    port = _free_port()
    tmp = tempfile.mkdtemp(prefix="windrose-trace-")
    env = dict(os.environ, WINDROSE_SCENARIOS_DB=f"{tmp}/scenarios.db", PYTHONPATH=str(root))
    server = subprocess.Popen(
        [str(VENV_BIN / "streamlit"), "run", "app.py", "--server.port", str(port),
         "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    events: list[dict] = []
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"http://127.0.0.1:{port}/")
            page.wait_for_selector("h1", timeout=120_000)
            wait_idle(page)
            if page_name != "Overview":
                page.locator(NAV, has_text=page_name).first.click()
                wait_idle(page)
            done: list[bool] = []
            cdp = browser.new_browser_cdp_session()
            cdp.on("Tracing.dataCollected", lambda p: events.extend(p["value"]))
            cdp.on("Tracing.tracingComplete", lambda _p: done.append(True))
            cdp.send("Tracing.start", {"categories": CATEGORIES, "transferMode": "ReportEvents"})
            for i in range(moves):
                page.locator(SLIDERS).nth(i % 3).focus()
                page.keyboard.press("ArrowRight" if i % 2 == 0 else "ArrowLeft")
                wait_idle(page)
            cdp.send("Tracing.end")
            while not done:
                page.wait_for_timeout(100)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return events


def summarise(events: list[dict], moves: int) -> tuple[dict[str, float], dict[str, float]]:
    """(CPU s per move by process/thread, counts per move) of the trace."""
    threads, processes = {}, {}
    for e in events:
        if e.get("name") == "thread_name":
            threads[(e["pid"], e["tid"])] = e["args"]["name"]
        elif e.get("name") == "process_name":
            processes[e["pid"]] = e["args"]["name"]
    cpu: dict[str, float] = collections.Counter()
    counts: dict[str, float] = collections.Counter()
    ends: dict[tuple[int, int], float] = {}  # per thread: end of the last top-level task
    complete = sorted((e for e in events if e.get("ph") == "X"), key=lambda e: e["ts"])
    for e in complete:
        thread = threads.get((e["pid"], e["tid"]), "?")
        if e["name"] in TASKS and e["ts"] >= ends.get((e["pid"], e["tid"]), -1.0):
            # a top-level task (the names nest: a pool task runs a raster task graph)
            ends[(e["pid"], e["tid"])] = e["ts"] + e.get("dur", 0)
            where = f"{processes.get(e['pid'], '?')} / {thread}"
            cpu[where] += e.get("tdur", e.get("dur", 0)) / 1e6 / moves
        if e["name"] == "RasterTask":
            counts["raster tasks"] += 1 / moves
        label = COUNTED.get((thread, e["name"]))
        if label:
            counts[label] += 1 / moves
    return cpu, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="checkout to measure")
    parser.add_argument("--page", default="Overview", help="menu entry to move the sliders on")
    parser.add_argument("--moves", type=int, default=4, help="slider moves traced")
    args = parser.parse_args()
    if args.moves < 1:
        parser.error("--moves must be at least 1")
    if not (args.root / "app.py").exists():
        parser.error(f"{args.root} has no app.py")
    cpu, counts = summarise(trace(args.root.resolve(), args.page, args.moves), args.moves)
    print(f"code: {args.root.resolve()}  page: {args.page}  ({args.moves} slider moves)")
    print(f"{'CPU s per move':58s}")
    for where, seconds in sorted(cpu.items(), key=lambda kv: -kv[1]):
        if seconds >= 0.005:
            print(f"  {where:56s} {seconds:6.3f}")
    print(f"  {'all threads':56s} {sum(cpu.values()):6.3f}")
    print("per move")
    for label in ("frames drawn", "raster tasks", "paints", "layouts", "style recalcs"):
        print(f"  {label:56s} {counts.get(label, 0):6.1f}")


if __name__ == "__main__":
    sys.exit(main())
