"""What one page switch costs the browser: headless Chromium against a real server, one session.

Run by hand (not in CI), for this tree or another checkout of the app::

    .venv/bin/python benchmarks/bench_page_switch.py [--root PATH] [--rounds 5]

The load test (``load_test.py``) showed that with 25 sessions on 2 cores the browser, not the
server, sets the latency. This script measures the browser's side of one page switch through
the menu, page by page: the renderer's task and script time (Chrome DevTools Protocol
``Performance.getMetrics``: ``TaskDuration``, ``ScriptDuration``), the CPU time of every
Chromium process (``/proc``, includes the browser and GPU processes and the idle polling of
this script, about 1 s per switch), and the page's element count. Each figure is the minimum
over ``--rounds`` rounds through every page, the least disturbed by other work on the machine.
With ``--root`` another checkout (e.g. ``git worktree add /tmp/before HEAD~1``) is measured
with its own code (``PYTHONPATH``), so a change can be compared in the same session.

``--first-visit`` measures each page's first visit instead: every round and page gets a new
browser context (its own HTTP and code caches, as a new user has), opens the light Scenarios
page and switches to the page. In the load test most switches are first visits of their
session, and they cost about twice a repeated visit (the page's JavaScript chunks are fetched
and compiled, its components mounted for the first time).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic"]  # fmt: skip
BUSY = '[data-testid="stStatusWidget"], [data-testid="stSkeleton"], [data-stale="true"]'
NAV = '[data-testid="stPageLink-NavLink"]'
PAGES = ("Map", "Compare", "Cost", "Sensitivity", "Suitability", "Scenarios", "Sites & data",
         "Overview")  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def chromium_cpu_s() -> float:
    """User + system CPU seconds of every running Chromium process."""
    ticks = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if b"chromium" not in Path(f"/proc/{pid}/cmdline").read_bytes():
                continue
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def wait_idle(page) -> None:
    """Idle: no status widget, skeleton or stale element, twice in a row 0.4 s apart."""
    page.wait_for_timeout(300)
    for _ in range(2):
        page.wait_for_function(
            f"() => document.querySelectorAll('{BUSY}').length == 0", timeout=120_000
        )
        page.wait_for_timeout(400)


def metrics(cdp) -> dict[str, float]:
    return {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}


def _switch(page, cdp, name: str) -> tuple[float, float, float, int]:
    """(task s, script s, Chromium CPU s, elements) of one switch to page ``name``."""
    before, cpu0 = metrics(cdp), chromium_cpu_s()
    page.locator(NAV, has_text=name).first.click()
    wait_idle(page)
    after, cpu1 = metrics(cdp), chromium_cpu_s()
    return (
        after["TaskDuration"] - before["TaskDuration"],
        after["ScriptDuration"] - before["ScriptDuration"],
        cpu1 - cpu0,
        page.evaluate("document.getElementsByTagName('*').length"),
    )


def _first_visits(browser, url: str, rounds: int) -> dict[str, list[tuple]]:
    """Per page: a switch from Scenarios in a new browser context, ``rounds`` times."""
    out: dict[str, list[tuple]] = {}
    for _ in range(rounds):
        for name in PAGES:
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Performance.enable")
            page.goto(f"{url}/scenarios")
            page.wait_for_selector("h1", timeout=120_000)
            wait_idle(page)
            if name != "Scenarios" and page.locator(NAV, has_text=name).count():
                out.setdefault(name, []).append(_switch(page, cdp, name))
            context.close()
    return out


def measure(
    root: Path, rounds: int, first_visit: bool = False
) -> dict[str, list[tuple[float, float, float, int]]]:
    """Per page: (task s, script s, Chromium CPU s, elements) for each round."""
    from playwright.sync_api import sync_playwright

    port = _free_port()
    tmp = tempfile.mkdtemp(prefix="windrose-switch-")
    env = dict(os.environ, WINDROSE_SCENARIOS_DB=f"{tmp}/scenarios.db", PYTHONPATH=str(root))
    server = subprocess.Popen(
        [str(VENV_BIN / "streamlit"), "run", "app.py", "--server.port", str(port),
         "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    out: dict[str, list[tuple[float, float, float, int]]] = {}
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            if first_visit:
                out = _first_visits(browser, f"http://127.0.0.1:{port}", rounds)
                browser.close()
                return out
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            cdp = page.context.new_cdp_session(page)
            cdp.send("Performance.enable")
            page.goto(f"http://127.0.0.1:{port}/")
            page.wait_for_selector("h1", timeout=120_000)
            wait_idle(page)
            for _ in range(rounds):
                for name in PAGES:
                    links = page.locator(NAV, has_text=name)
                    if not links.count():
                        continue  # a checkout without this page
                    out.setdefault(name, []).append(_switch(page, cdp, name))
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="checkout to measure")
    parser.add_argument("--rounds", type=int, default=5, help="rounds through every page")
    parser.add_argument(
        "--first-visit", action="store_true", help="each switch in a new browser context"
    )
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    if not (args.root / "app.py").exists():
        parser.error(f"{args.root} has no app.py")
    results = measure(args.root.resolve(), args.rounds, args.first_visit)
    kind = "first visits, a new browser context each" if args.first_visit else "one session"
    print(f"code: {args.root.resolve()}  ({kind}, min of {args.rounds} rounds)")
    print(f"{'page switch to':16s} {'task s':>7s} {'script s':>9s} {'Chromium CPU s':>15s} "
          f"{'elements':>9s}")  # fmt: skip
    for name, rows in results.items():
        task, script, cpu = (min(r[i] for r in rows) for i in range(3))
        print(f"{name:16s} {task:7.2f} {script:9.2f} {cpu:15.2f} {rows[-1][3]:9d}")
    total = sum(min(r[0] for r in rows) for rows in results.values())
    print(f"{'all pages':16s} {total:7.2f}  (sum of the task minima)")


if __name__ == "__main__":
    main()
