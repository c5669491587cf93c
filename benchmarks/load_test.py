"""Load test: N concurrent browser sessions against a local ``streamlit run app.py``.

Run by hand (not in CI)::

    .venv/bin/python benchmarks/load_test.py --sessions 10 25 --seconds 60
    .venv/bin/python benchmarks/load_test.py --sessions 1 10 25 --replicas 1 2 --seconds 30

For each N it starts its own server on a free port of 127.0.0.1 (``WINDROSE_SCENARIOS_DB`` in a
temporary directory; with ``--replicas R`` > 1, ``scripts/serve``: R replicas behind HAProxy
with sticky sessions, the sessions spread over them by the proxy's round robin), opens one
headless Chromium with N browser contexts (Playwright's async API, one asyncio task per
session) and lets every session, for ``--seconds``, move the group weight sliders, switch pages
and download the comparison CSV, with a random think time between interactions. Then it stops
the server and reports:

- latency of every rerun: from the key press / click to the app being idle again (no status
  widget, skeleton or stale element, seen twice in a row ``CALM_S`` apart, after the server's
  ``script_finished`` for a run requested after the interaction, as the page's websocket
  frames show); also the time to that ``script_finished``, and the time of a CSV download;
- the server's own rerun time under that load, from a "canary": a bare websocket client (no
  browser) that asks for a rerun of the overview every ``--canary-interval`` seconds (one per
  replica, pinned by the proxy's cookie, pooled);
- errors: exceptions shown in the app, step timeouts, unexpected websocket closes, a wrong page
  after a switch, failed steps (a failed download with the HTTP status of its file), and
  tracebacks in the server log; uncaught JavaScript errors (page or map frames; not shown to
  the user) are counted apart;
- CSV checks: each download is compared byte for byte with the CSV the core computes in this
  process for the state in that session's URL at the moment of the click; a mismatch that equals
  another session's expected CSV is reported as a leak;
- server memory: VmRSS at the end of the run (sessions still connected) and the peak VmHWM from
  ``/proc/<pid>/status``; CPU of the server, the browser, the harness and other processes.

Target (2 cores): 25 sessions, zero errors, zero CSV mismatches, rerun p95 under 1 s.

The browser shares the machine with the server and needs several times the server's CPU per
rerun (React, data grids, Leaflet in software rendering), so with many sessions the browser,
not the server, sets the latency. Chromium's renderers therefore run in the SCHED_IDLE class
(unless ``--fair-browser``) so that they cannot starve the server, and the canary row shows
what the server alone delivers under the load of N sessions.
Other work on the machine (its CPU is printed) also counts. A failing session records its
error, reloads its URL and goes on. Exit status 1 if any run had errors or CSV mismatches.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from playwright.async_api import Browser, BrowserContext, Page, WebSocket, async_playwright
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from windrose_sites import catalog, decision, export  # noqa: E402
from windrose_sites import state as ws  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic",
                 "--no-first-run"]  # fmt: skip
BUSY = '[data-testid="stStatusWidget"], [data-testid="stSkeleton"], [data-stale="true"]'
SLIDER_INPUTS = '[data-testid="stSidebar"] [data-testid="stSlider"] input[type="range"]'
#: The frame's menu (st.page_link; Streamlit's own sidebar navigation is hidden)
NAV = '[data-testid="stPageLink-NavLink"]'
CSV_BUTTON = '[data-testid="stDownloadButton"] button'
CSV_LABEL = "Download comparison CSV"
#: Page link text -> start of its title (h1), checked after every page switch.
PAGES = {
    "Overview": "Where should Windrose",
    "Map": "Map",
    "Compare": "Compare sites",
    "Cost": "Cost: what a truck costs",
    "Sensitivity": "Sensitivity",
    "Scenarios": "Scenarios",
    "Sites & data": "Sites & data",
}
CSV_PAGES = ("Overview", "Compare")
ACTIONS = {"slider": 0.5, "page": 0.3, "download": 0.2}  # share of interactions
POLL_S = 0.02  # polling of the websocket-derived state (no browser round trip)
CALM_S = 0.05  # the DOM must be idle twice in a row this far apart
#: While a page renders, the idle check runs inside the page every this many ms
#: (``wait_for_function``), not as a snapshot through Playwright every POLL_S: each snapshot
#: cost about 7 ms of CPU (Chromium 2.2, Playwright's driver 3.3, this harness 1.3; 260
#: snapshots in 10 s of one session), taken from the browser it measures.
IDLE_POLL_MS = 50
IDLE_JS = """(busy) => document.querySelectorAll(busy).length == 0
  && document.querySelector('h1') !== null"""
SNAPSHOT_JS = """(busy) => {
  const ex = document.querySelectorAll('[data-testid="stException"]');
  const h1 = document.querySelector('h1');
  return {busy: document.querySelectorAll(busy).length, h1: h1 ? h1.innerText : null,
          exc: ex.length, excText: ex.length ? ex[0].innerText.slice(0, 300) : ''};
}"""
FINISHED_EARLY = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_EARLY_FOR_RERUN")


# --- the server -----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process in bytes (empty if it is gone)."""
    out = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0]) * 1024
    except OSError:
        pass
    return out


def _proc_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process (and its waited-for children)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return math.nan
    return sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _machine_cpu() -> tuple[float, float]:
    """(busy, total) jiffies of all CPUs from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    total = sum(values[:8])
    return total - values[3] - values[4], total


def _processes() -> dict[int, tuple[int, str, float]]:
    """pid -> (parent pid, command name, CPU seconds) of every process we can read.

    The CPU seconds include the process's reaped children, so a tree's sum keeps the time of
    processes that ended (Chromium's closed renderers, say).
    """
    out = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                raw = (entry / "stat").read_text()
            except OSError:
                continue
            name, rest = raw.split("(", 1)[1].rsplit(")", 1)
            fields = rest.split()
            out[int(entry.name)] = (
                int(fields[1]),
                name,
                sum(int(v) for v in fields[11:15]) / tick,
            )
    return out


def _descendants(root: int, exclude: int, procs: dict[int, tuple[int, str, float]]) -> list[int]:
    """Processes below ``root`` (this harness), leaving out the subtree of ``exclude``."""
    children: dict[int, list[int]] = {}
    for pid, (ppid, _, _) in procs.items():
        children.setdefault(ppid, []).append(pid)
    out, stack = [], list(children.get(root, []))
    while stack:
        pid = stack.pop()
        if pid != exclude:
            out.append(pid)
            stack.extend(children.get(pid, []))
    return out


def client_cpu_s(server_pid: int) -> dict[str, float]:
    """CPU seconds of the browser processes and of Playwright's driver (live processes)."""
    procs = _processes()
    out = {"browser": 0.0, "driver": 0.0}
    for pid in _descendants(os.getpid(), server_pid, procs):
        _, name, cpu = procs[pid]
        out["browser" if name.startswith("chrom") else "driver"] += cpu
    return out


RENDERING = (b"--type=renderer", b"--type=gpu-process")


def deprioritize_rendering(server_pid: int) -> int:
    """Put every thread of Chromium's renderer and GPU processes in the SCHED_IDLE class.

    The browser shares the CPUs with the server and needs several times the server's CPU per
    rerun. Chromium resets the nice value of its renderers itself (foreground: 0; as root it
    even raises its display threads), but not the scheduling class: SCHED_IDLE threads run
    only on CPU time nobody else wants, so the renderers cannot starve the server. Chromium's
    browser process and network service keep their class: they timestamp the websocket frames
    (the ``rerun request to script_finished`` row). Returns how many threads were changed.
    """
    changed = 0
    procs = _processes()
    for pid in _descendants(os.getpid(), server_pid, procs):
        if not procs[pid][1].startswith("chrom"):
            continue
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes()  # Chromium rewrites it: no NULs
            if not any(t in argv for t in RENDERING):
                continue
            tids = [int(t.name) for t in Path(f"/proc/{pid}/task").iterdir()]
        except OSError:
            continue
        for tid in tids:
            try:
                if os.sched_getscheduler(tid) != os.SCHED_IDLE:
                    os.sched_setscheduler(tid, os.SCHED_IDLE, os.sched_param(0))
                    changed += 1
            except OSError:
                pass
    return changed


class Server:
    """``streamlit run app.py`` on a free port of 127.0.0.1, with a scratch scenario DB.

    With ``replicas`` > 1: ``scripts/serve`` (what ``make serve`` runs), that many replicas
    behind HAProxy with cookie affinity; ``url`` is the proxy's, and memory and CPU are summed
    over the replicas (CPU includes the proxy's).
    """

    def __init__(self, replicas: int = 1) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="windrose-load-"))
        self.replicas = replicas
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = self.tmp / "streamlit.log"
        env = dict(os.environ, WINDROSE_SCENARIOS_DB=str(self.tmp / "scenarios.sqlite"))
        if replicas == 1:
            cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
                   "--server.port", str(self.port), "--server.address", "127.0.0.1",
                   "--server.headless", "true", "--browser.gatherUsageStats", "false"]  # fmt: skip
            new_session = False
        else:
            base = _free_port_run(replicas)
            env.update(REPLICAS=str(replicas), PORT=str(self.port), BASE_PORT=str(base),
                       BIND="127.0.0.1", STATE_DIR=str(self.tmp),
                       BIN=str(Path(sys.executable).parent))  # fmt: skip
            cmd, new_session = [str(ROOT / "scripts" / "serve")], True
        with self.log.open("w") as out:
            self.proc = subprocess.Popen(
                cmd, cwd=ROOT, env=env, stdout=out, stderr=out, start_new_session=new_session
            )
        deadline = time.monotonic() + 90 * replicas
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.read() == b"ok":
                        return
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"streamlit did not start:\n{self.log_text()[-3000:]}")
            time.sleep(0.3)

    def _pids(self) -> list[int]:
        """The Streamlit process(es): this one, or the replicas below scripts/serve."""
        if self.replicas == 1:
            return [self.proc.pid]
        procs = _processes()
        below = _descendants(self.proc.pid, -1, procs)
        return [p for p in below if procs[p][1].startswith(("streamlit", "python"))]

    def memory(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for pid in self._pids():
            for k, v in _proc_status(pid).items():
                out[k] = out.get(k, 0) + v
        return out

    def cpu_s(self) -> float:
        if self.replicas == 1:
            return _proc_cpu_s(self.proc.pid)
        procs = _processes()
        return sum(procs[p][2] for p in [self.proc.pid, *_descendants(self.proc.pid, -1, procs)])

    def log_text(self) -> str:
        logs = [self.log, *sorted(self.tmp.glob("replica-*.log"))]
        return "".join(f.read_text(errors="replace") for f in logs if f.exists())

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()  # scripts/serve's trap stops its replicas and the proxy
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                if self.replicas > 1:
                    os.killpg(self.proc.pid, 9)
                self.proc.kill()
                self.proc.wait()

    def cleanup(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)


def _free_port_run(n: int) -> int:
    """The first of ``n`` consecutive free ports of 127.0.0.1 (for the replicas)."""
    for _ in range(50):
        base = _free_port()
        socks = []
        try:
            for port in range(base, base + n):
                socks.append(socket.socket())
                socks[-1].bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for sock in socks:
                sock.close()
    raise RuntimeError("no run of free ports")


# --- expected CSV (the core, in this process) -----------------------------------------------

_EXPECTED: dict[tuple, bytes] = {}


def _query_key(query: dict[str, list[str]]) -> tuple:
    return tuple(sorted((k, tuple(v)) for k, v in query.items()))


def expected_csv(query: dict[str, list[str]]) -> bytes:
    """The comparison CSV the core computes for the state a URL describes (memoized).

    Same steps as ``expected_csv`` in tests/test_browser.py.
    """
    key = _query_key(query)
    if key not in _EXPECTED:
        crit = catalog.load_criteria()
        default = ws.default_state(list(dict.fromkeys(crit["group"])), crit["default_weight"])
        state = ws.parse_query_params(query, default)[0]
        attrs, table = catalog.site_attributes(), catalog.criteria_table()
        ranking = decision.evaluate(table, attrs, crit, state)
        frame = export.comparison_frame(
            ranking.result, table, crit, catalog.provenance(), attrs["name"]
        )
        _EXPECTED[key] = export.to_csv(frame)
    return _EXPECTED[key]


# --- one browser session --------------------------------------------------------------------


@dataclass
class Download:
    session: int
    page: str
    query: dict[str, list[str]]
    data: bytes


@dataclass
class Stats:
    interactions: Counter = field(default_factory=Counter)
    latency: dict[str, list[float]] = field(default_factory=dict)  # kind -> seconds to idle
    server: list[float] = field(default_factory=list)  # seconds to script_finished
    run: list[float] = field(default_factory=list)  # rerun request sent -> script_finished
    errors: list[tuple[str, str]] = field(default_factory=list)  # (kind, message)
    downloads: list[Download] = field(default_factory=list)
    reruns: int = 0
    interrupted: int = 0
    load_s: float | None = None
    recoveries: int = 0
    js_errors: list[str] = field(default_factory=list)  # uncaught in the page, not shown
    js_stacks: list[str] = field(default_factory=list)

    def add(self, kind: str, seconds: float) -> None:
        self.latency.setdefault(kind, []).append(seconds)


def random_query(rng: random.Random, groups: list[str]) -> dict[str, str]:
    """Distinctive start weights (multiples of 5, not all zero) and method for one session."""
    weights = [rng.randrange(0, 21) * 5 for _ in groups]
    if not any(weights):
        weights[rng.randrange(len(weights))] = 50
    query = {ws.group_key(g): str(w) for g, w in zip(groups, weights, strict=True)}
    query["method"] = rng.choice(ws.METHODS)
    return query


class Session:
    """One user: a browser context with one page, driven until the deadline."""

    def __init__(self, idx, browser, base, start_query, rng, args, n_groups) -> None:
        self.idx, self.browser, self.base, self.rng, self.args = idx, browser, base, rng, args
        self.start_url = f"{base}/?" + urllib.parse.urlencode(start_query)
        self.n_groups = n_groups
        self.stats = Stats()
        self.context: BrowserContext | None = None
        self.page: Page | None = None
        self.page_name = "Overview"
        self.last_sent = -math.inf  # perf_counter of the last rerun_script the page sent
        self.last_done = -math.inf  # ... of the last script_finished (not interrupted)
        self.finished = 0
        self.interrupted = 0
        self.navigating = False  # a websocket close is expected (reload, shutdown)
        self.nav_until = -math.inf  # ... also shortly after a navigation ended
        self.last_run_s = math.nan
        self.media_status: dict[str, tuple[float, int]] = {}  # url -> (time, HTTP status)

    # websocket listeners: the page's own protocol says when a run was asked for and ended
    def _on_websocket(self, sock: WebSocket) -> None:
        if not sock.url.endswith("/_stcore/stream"):
            return
        sock.on("framesent", self._on_sent)
        sock.on("framereceived", self._on_received)
        sock.on("close", self._on_close)

    def _on_sent(self, payload: str | bytes) -> None:
        if isinstance(payload, bytes):
            msg = BackMsg()
            try:
                msg.ParseFromString(payload)
            except Exception:
                return
            if msg.WhichOneof("type") == "rerun_script":
                self.last_sent = time.perf_counter()

    def _on_received(self, payload: str | bytes) -> None:
        if not isinstance(payload, bytes) or len(payload) > 2048:  # deltas: skip, not parsed
            return
        msg = ForwardMsg()
        try:
            msg.ParseFromString(payload)
        except Exception:
            return
        if msg.WhichOneof("type") == "script_finished":
            if msg.script_finished == FINISHED_EARLY:
                self.interrupted += 1
            else:
                self.finished += 1
                self.last_done = time.perf_counter()

    def _on_close(self, _sock: WebSocket) -> None:
        if not self.navigating and time.perf_counter() > self.nav_until:
            self.stats.errors.append(("websocket", "the app's websocket closed unexpectedly"))

    def _on_response(self, response) -> None:
        if "/media/" in response.url:
            self.media_status[response.url] = (time.perf_counter(), response.status)

    def _on_page_error(self, error: Exception) -> None:
        where = urllib.parse.urlsplit(self.page.url).path if self.page else "?"
        self.stats.js_errors.append(f"{where}: {error}"[:300])
        self.stats.js_stacks.append(getattr(error, "stack", "") or "")

    async def _goto(self, url: str) -> None:
        self.navigating = True
        try:
            await self.page.goto(url)
        finally:
            self.navigating = False
            self.nav_until = time.perf_counter() + 2.0

    async def _new_page(self) -> None:
        if self.context is None:
            self.context = await self.browser.new_context(
                viewport={"width": 1400, "height": 1000}, accept_downloads=True
            )
            self.context.on("response", self._on_response)
        self.page = await self.context.new_page()
        self.page.set_default_timeout(self.args.step_timeout * 1000)
        self.page.on("websocket", self._on_websocket)
        self.page.on("pageerror", self._on_page_error)

    # waiting for the app
    async def _snapshot(self) -> dict:
        return await self.page.evaluate(SNAPSHOT_JS, BUSY)

    async def settle(self, t0: float) -> tuple[float, float, dict]:
        """Wait for a run asked for after ``t0`` to finish and the page to be idle.

        Returns the times of ``script_finished`` and of idle, and the page snapshot.
        """
        while self.last_sent < t0:
            await asyncio.sleep(POLL_S)
        while True:
            while self.last_done <= self.last_sent:
                await asyncio.sleep(POLL_S)
            t_done = self.last_done
            self.last_run_s = t_done - self.last_sent
            await self.page.wait_for_function(IDLE_JS, arg=BUSY, polling=IDLE_POLL_MS)
            snap = await self._snapshot()
            if snap["busy"] == 0 and snap["h1"] is not None:
                t_idle = time.perf_counter()
                await asyncio.sleep(CALM_S)
                snap = await self._snapshot()
                if snap["busy"] == 0 and snap["h1"] is not None and self.last_done > self.last_sent:
                    return t_done, t_idle, snap
            else:
                await asyncio.sleep(POLL_S)

    def _check(self, snap: dict, expect_page: str | None = None) -> None:
        if snap["exc"]:
            self.stats.errors.append(("exception", f"{self.page_name}: {snap['excText']}"))
        if expect_page and not (snap["h1"] or "").startswith(PAGES[expect_page]):
            self.stats.errors.append(("wrong page", f"{expect_page!r} shows {snap['h1']!r}"))

    # interactions
    async def load(self) -> None:
        """Open the session's start URL and wait for its first run (not counted as a rerun)."""
        t0 = time.perf_counter()
        await self._goto(self.start_url)
        _, t_idle, snap = await self.settle(t0)
        self.page_name = "Overview"
        self._check(snap, "Overview")
        self.stats.load_s = t_idle - t0

    async def move_slider(self) -> None:
        values = await self.page.eval_on_selector_all(
            SLIDER_INPUTS, "els => els.map(e => +e.value)"
        )
        values = values[: self.n_groups]
        if len(values) < self.n_groups:
            raise RuntimeError(f"{len(values)} group sliders on the page, {self.n_groups} expected")
        i = self.rng.randrange(self.n_groups)
        v, others = values[i], sum(values) - values[i]
        keys = []
        if v < 100:
            keys += ["ArrowRight"] * 3 + ["End"]
        if v > 5 or (v > 0 and others > 0):
            keys += ["ArrowLeft"] * 3
        if v > 0 and others > 0:  # all-zero weights have no ranking: not a load-test case
            keys += ["Home"]
        key = self.rng.choice(keys)
        await self.page.locator(SLIDER_INPUTS).nth(i).focus()
        t0 = time.perf_counter()
        await self.page.keyboard.press(key)
        t_done, t_idle, snap = await self.settle(t0)
        self._record("slider", t0, t_done, t_idle)
        self._check(snap)

    async def switch_page(self, target: str | None = None) -> None:
        if target is None:
            target = self.rng.choice([p for p in PAGES if p != self.page_name])
        link = self.page.locator(NAV, has_text=target).first
        t0 = time.perf_counter()
        await link.click()
        t_done, t_idle, snap = await self.settle(t0)
        self.page_name = target
        self._record("page", t0, t_done, t_idle)
        self.stats.add(f"page:{target}", t_idle - t0)
        self._check(snap, target)

    async def download(self) -> None:
        if self.page_name not in CSV_PAGES:
            await self.switch_page(self.rng.choice(CSV_PAGES))
        query = urllib.parse.parse_qs(
            urllib.parse.urlsplit(self.page.url).query, keep_blank_values=True
        )
        button = self.page.locator(CSV_BUTTON, has_text=CSV_LABEL).first
        t0 = time.perf_counter()
        async with self.page.expect_download() as info:
            await button.click()
        dl = await info.value
        failure = await dl.failure()
        if failure is not None:
            seen, status = self.media_status.get(dl.url, (-math.inf, None))
            status = f"HTTP {status}" if seen >= t0 else "no HTTP response seen"
            raise RuntimeError(f"download of {dl.url} failed: {failure} ({status})")
        data = Path(await dl.path()).read_bytes()
        self.stats.add("download", time.perf_counter() - t0)
        self.stats.interactions["download"] += 1
        self.stats.downloads.append(Download(self.idx, self.page_name, query, data))
        await dl.delete()
        snap = await self._snapshot()
        self._check(snap)

    def _record(self, kind: str, t0: float, t_done: float, t_idle: float) -> None:
        self.stats.interactions[kind] += 1
        self.stats.add(kind, t_idle - t0)
        self.stats.server.append(t_done - t0)
        self.stats.run.append(self.last_run_s)

    async def _close_page(self) -> None:
        if self.page is not None:
            self.navigating = True
            with contextlib.suppress(Exception):
                await self.page.close()
            self.navigating = False
            self.nav_until = time.perf_counter() + 2.0
            self.page = None

    async def _quiet(self) -> dict:
        """Wait until no run is pending or running and the page is idle; the snapshot."""
        while True:
            while self.last_done <= self.last_sent:
                await asyncio.sleep(POLL_S)
            snap = await self._snapshot()
            if snap["busy"] == 0 and snap["h1"] is not None:
                return snap
            await asyncio.sleep(0.25)

    async def recover(self) -> None:
        """After a failed step: let a slow page finish (reloading 25 pages at once would only
        add load), else reload the page's URL (the state lives there), else start over.
        """
        self.stats.recoveries += 1
        if self.page is not None:
            try:
                async with asyncio.timeout(self.args.step_timeout):
                    snap = await self._quiet()
            except Exception:
                pass
            else:
                self._page_from_url()
                self._check(snap)
                return
        url = self.page.url if self.page and self.page.url.startswith(self.base) else None
        try:
            async with asyncio.timeout(self.args.step_timeout):
                t0 = time.perf_counter()
                if url is None:
                    await self._close_page()
                    await self._new_page()
                await self._goto(url or self.start_url)
                _, _, snap = await self.settle(t0)
        except Exception as exc:
            self.stats.errors.append(("recovery", f"{type(exc).__name__}: {exc}"[:300]))
            await self._close_page()
            return
        self._page_from_url()
        self._check(snap)

    def _page_from_url(self) -> None:
        path = urllib.parse.urlsplit(self.page.url).path.strip("/")
        self.page_name = {"map": "Map", "compare": "Compare", "cost": "Cost",
                          "sensitivity": "Sensitivity", "scenarios": "Scenarios",
                          "data": "Sites & data"}.get(path, "Overview")  # fmt: skip

    async def start(self) -> None:
        try:
            async with asyncio.timeout(self.args.step_timeout * 2):
                await self._new_page()
                await self.load()
        except Exception as exc:
            self.stats.errors.append(("load", f"{type(exc).__name__}: {exc}"[:300]))
            await self.recover()

    async def run(self, deadline: float) -> None:
        """Interact until ``deadline`` (perf_counter); a failed step is recorded, then recovered."""
        f0, i0 = self.finished, self.interrupted
        kinds, weights = list(ACTIONS), list(ACTIONS.values())
        while time.perf_counter() < deadline:
            if self.page is None:
                await self.recover()
                if self.page is None:
                    await asyncio.sleep(1)
                    continue
            action = self.rng.choices(kinds, weights)[0]
            step = {"slider": self.move_slider, "page": self.switch_page,
                    "download": self.download}[action]  # fmt: skip
            try:
                async with asyncio.timeout(self.args.step_timeout):
                    await step()
            except TimeoutError:
                self.stats.errors.append(
                    ("timeout", f"{action} on {self.page_name}: over {self.args.step_timeout} s")
                )
                await self.recover()
            except Exception as exc:
                self.stats.errors.append(("step", f"{action}: {type(exc).__name__}: {exc}"[:300]))
                await self.recover()
            think = self.args.think * self.rng.uniform(0.5, 1.5)
            await asyncio.sleep(max(0.0, min(think, deadline - time.perf_counter())))
        self.stats.reruns = self.finished - f0
        self.stats.interrupted = self.interrupted - i0

    async def close(self) -> None:
        self.navigating = True
        if self.context is not None:
            with contextlib.suppress(Exception):
                await self.context.close()


# --- canary: a websocket client without a browser -----------------------------------------


class Canary:
    """Asks the server for reruns of the overview over a bare websocket, with no browser.

    It reads every frame at once and renders nothing, so the time from its rerun request to
    ``script_finished`` is the server's alone (queueing behind other sessions included), not
    the browsers' that share this machine. One canary adds about one slow user's load.
    """

    def __init__(self, base: str, query: dict[str, str], replica: str | None = None) -> None:
        self.uri = base.replace("http://", "ws://") + "/_stcore/stream"
        #: behind the proxy: the affinity cookie that sends this canary to one replica
        self.headers = {"Cookie": f"WINDROSE_REPLICA={replica}"} if replica else {}
        msg = BackMsg()
        msg.rerun_script.query_string = urllib.parse.urlencode(query)
        msg.rerun_script.context_info.url = f"{base}/"
        msg.rerun_script.context_info.locale = "en-US"
        msg.rerun_script.context_info.timezone = "UTC"
        self.request = msg.SerializeToString()
        self.finished = asyncio.Event()
        self.conn = None
        self.reader: asyncio.Task | None = None

    async def __aenter__(self) -> Canary:
        from websockets.asyncio.client import connect

        self.conn = await connect(
            self.uri, subprotocols=["streamlit"], max_size=None, additional_headers=self.headers
        )
        self.reader = asyncio.create_task(self._read())
        await self.rerun(60)  # the session's first run
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.reader.cancel()
        await self.conn.close()

    async def _read(self) -> None:
        async for payload in self.conn:
            if isinstance(payload, bytes) and len(payload) <= 2048:
                msg = ForwardMsg()
                try:
                    msg.ParseFromString(payload)
                except Exception:
                    continue
                if (
                    msg.WhichOneof("type") == "script_finished"
                    and msg.script_finished != FINISHED_EARLY
                ):
                    self.finished.set()

    async def rerun(self, timeout: float) -> float:
        """One rerun: seconds from the request to ``script_finished``."""
        self.finished.clear()
        t0 = time.perf_counter()
        await self.conn.send(self.request)
        await asyncio.wait_for(self.finished.wait(), timeout)
        return time.perf_counter() - t0

    async def run(self, deadline: float, interval: float, out: list[float], errors: list) -> None:
        while time.perf_counter() < deadline:
            try:
                out.append(await self.rerun(60))
            except Exception as exc:
                errors.append(("canary", f"{type(exc).__name__}: {exc}"[:300]))
                return
            await asyncio.sleep(interval)


# --- one run (N sessions) -------------------------------------------------------------------


@dataclass
class RunResult:
    replicas: int
    sessions: int
    seconds: float
    stats: list[Stats]
    load_s: list[float]
    rss_start: int
    rss_end: int
    rss_sampled_max: int
    hwm: int
    server_cpu_pct: float
    machine_cpu_pct: float
    harness_cpu_pct: float
    browser_cpu_pct: float
    driver_cpu_pct: float
    server_tracebacks: list[str]
    warmup_s: float
    canary_idle: list[float]
    canary_load: list[float]
    canary_errors: list[tuple[str, str]]
    csv_ok: int = 0
    csv_mismatch: int = 0
    csv_leaks: int = 0
    csv_notes: list[str] = field(default_factory=list)


async def _sample(server: Server, peak: list[int], stop: asyncio.Event, idle: bool) -> None:
    """Every second: the server's RSS; new renderer threads go to SCHED_IDLE."""
    while not stop.is_set():
        peak[0] = max(peak[0], server.memory().get("VmRSS", 0))
        if idle:
            deprioritize_rendering(server.proc.pid)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 1.0)


async def run_sessions(
    n: int, args: argparse.Namespace, groups: list[str], replicas: int = 1
) -> RunResult:
    server = Server(replicas)
    where = f"{replicas} replicas behind HAProxy at" if replicas > 1 else "1 server at"
    print(f"\n== {n} sessions x {args.seconds:g} s against {where} {server.url} ==", flush=True)
    try:
        async with async_playwright() as pw:
            browser: Browser = await pw.chromium.launch(
                executable_path=args.chromium, args=CHROMIUM_ARGS
            )
            peak, stop = [0], asyncio.Event()
            sampler = asyncio.create_task(_sample(server, peak, stop, not args.fair_browser))
            # Warm-up: one page load fills the server's cached catalog (not measured).
            t = time.perf_counter()
            warm = Session(-1, browser, server.url, {}, random.Random(0), args, len(groups))
            await warm.start()
            await warm.close()
            warmup_s = time.perf_counter() - t
            rss_start = server.memory().get("VmRSS", 0)
            print(f"warm-up {warmup_s:.1f} s; server RSS {rss_start / 2**20:.0f} MiB", flush=True)
            canary_idle: list[float] = []
            canary_load: list[float] = []
            canary_errors: list[tuple[str, str]] = []
            # one canary per replica (pinned by the proxy's cookie), pooled in the report
            canaries = []
            for r in range(server.replicas):
                replica = f"r{r + 1}" if server.replicas > 1 else None
                canary = Canary(server.url, random_query(random.Random(-1 - r), groups), replica)
                try:
                    await canary.__aenter__()
                    for _ in range(5):
                        canary_idle.append(await canary.rerun(60))
                    canaries.append(canary)
                except Exception as exc:
                    canary_errors.append(("canary", f"{type(exc).__name__}: {exc}"[:300]))

            queries: set[tuple] = set()
            sessions = []
            for i in range(n):
                rng = random.Random(args.seed * 1000 + i)
                q = random_query(rng, groups)
                while tuple(sorted(q.items())) in queries:
                    q = random_query(rng, groups)
                queries.add(tuple(sorted(q.items())))
                sessions.append(Session(i, browser, server.url, q, rng, args, len(groups)))
            gate = asyncio.Semaphore(args.ramp)  # a few first loads at a time (not measured)

            async def start(session: Session) -> None:
                async with gate:
                    await session.start()

            await asyncio.gather(*(start(s) for s in sessions))
            loaded = [s.stats.load_s for s in sessions if s.stats.load_s is not None]
            print(
                f"{len(loaded)}/{n} sessions loaded (first page: p50 {_pct(loaded, 50):.2f} s, "
                f"max {max(loaded, default=math.nan):.2f} s); running...",
                flush=True,
            )

            cpu0, (busy0, total0), own0 = server.cpu_s(), _machine_cpu(), time.process_time()
            client0 = client_cpu_s(server.proc.pid)
            t0 = time.perf_counter()
            tasks = [s.run(t0 + args.seconds) for s in sessions]
            if args.canary_interval > 0:
                tasks += [
                    c.run(t0 + args.seconds, args.canary_interval, canary_load, canary_errors)
                    for c in canaries
                ]
            await asyncio.gather(*tasks)
            wall = time.perf_counter() - t0
            cpu1, (busy1, total1), own1 = server.cpu_s(), _machine_cpu(), time.process_time()
            client1 = client_cpu_s(server.proc.pid)
            mem = server.memory()
            stop.set()
            await sampler
            for c in canaries:
                await c.__aexit__()
            await asyncio.gather(*(s.close() for s in sessions))
            await browser.close()
    finally:
        server.stop()
    log = server.log_text()
    server.cleanup()
    tracebacks = [m.group(0)[:300] for m in re.finditer(r"Traceback[\s\S]*?\n\S[^\n]*", log)]
    return RunResult(
        replicas=replicas,
        sessions=n,
        seconds=wall,
        stats=[s.stats for s in sessions],
        load_s=loaded,
        rss_start=rss_start,
        rss_end=mem.get("VmRSS", 0),
        rss_sampled_max=max(peak[0], mem.get("VmRSS", 0)),
        hwm=mem.get("VmHWM", 0),
        server_cpu_pct=100 * (cpu1 - cpu0) / wall,
        machine_cpu_pct=100 * (busy1 - busy0) / max(1, total1 - total0) * os.cpu_count(),
        harness_cpu_pct=100 * (own1 - own0) / wall,
        browser_cpu_pct=100 * (client1["browser"] - client0["browser"]) / wall,
        driver_cpu_pct=100 * (client1["driver"] - client0["driver"]) / wall,
        server_tracebacks=tracebacks,
        warmup_s=warmup_s,
        canary_idle=canary_idle,
        canary_load=canary_load,
        canary_errors=canary_errors,
    )


def check_csvs(result: RunResult) -> None:
    """Compare every download with the core's CSV for its own URL state; find leaks."""
    downloads = [d for s in result.stats for d in s.downloads]
    own_states = {d.session: [] for d in downloads}
    for d in downloads:
        own_states[d.session].append(_query_key(d.query))
    for d in downloads:
        try:
            expected = expected_csv(d.query)
        except Exception as exc:
            result.csv_mismatch += 1
            result.csv_notes.append(f"session {d.session}: no expected CSV ({exc})"[:200])
            continue
        if d.data == expected:
            result.csv_ok += 1
            continue
        result.csv_mismatch += 1
        others = [
            e.session
            for e in downloads
            if e.session != d.session
            and _query_key(e.query) not in own_states[d.session]
            and expected_csv(e.query) == d.data
        ]
        if others:
            result.csv_leaks += 1
        result.csv_notes.append(
            f"session {d.session} on {d.page} ({d.query}): CSV differs from its own state"
            + (f"; equals session {others[0]}'s" if others else "")
        )


# --- report ---------------------------------------------------------------------------------


def _pct(values: list[float], q: float) -> float:
    """Percentile with linear interpolation (numpy's default); NaN if there are no values."""
    if not values:
        return math.nan
    v = sorted(values)
    pos = (len(v) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


def _mib(n: int) -> str:
    return f"{n / 2**20:.0f}"


def report(r: RunResult, args: argparse.Namespace) -> None:
    lat = {k: [x for s in r.stats for x in s.latency.get(k, [])] for k in (*ACTIONS,)}
    reruns_lat = lat["slider"] + lat["page"]
    pages = {p: [x for s in r.stats for x in s.latency.get(f"page:{p}", [])] for p in PAGES}
    server = [x for s in r.stats for x in s.server]
    errors = [e for s in r.stats for e in s.errors] + r.canary_errors
    per_session = sorted(sum(s.interactions.values()) for s in r.stats)
    print(
        f"measured {r.seconds:.1f} s; interactions per session min {per_session[0]}, "
        f"median {per_session[len(per_session) // 2]}, max {per_session[-1]}; "
        f"recoveries {sum(s.recoveries for s in r.stats)}"
    )
    print(f"{'latency (s)':<34}{'n':>6}{'p50':>8}{'p95':>8}{'max':>8}")
    rows = [
        ("rerun to idle (slider + page)", reruns_lat),
        ("  slider move to idle", lat["slider"]),
        ("  page switch to idle", lat["page"]),
        *((f"    to {p}", pages[p]) for p in PAGES if p in pages),
        ("  interaction to script_finished", server),
        ("  rerun request to script_finished", [x for s in r.stats for x in s.run]),
        ("CSV download (click to file)", lat["download"]),
        ("server rerun, no browser (canary)", r.canary_load),
        ("  same, before the sessions", r.canary_idle),
        ("first page load (before the run)", r.load_s),
    ]
    for label, values in rows:
        print(f"{label:<34}{len(values):>6}{_pct(values, 50):>8.3f}{_pct(values, 95):>8.3f}"
              f"{max(values, default=math.nan):>8.3f}")  # fmt: skip
    print(
        f"server reruns completed {sum(s.reruns for s in r.stats)}, interrupted by a newer "
        f"rerun {sum(s.interrupted for s in r.stats)}"
    )
    ours = r.server_cpu_pct + r.browser_cpu_pct + r.driver_cpu_pct + r.harness_cpu_pct
    print(
        f"CPU during the run (% of one core; {os.cpu_count()} cores): server "
        f"{r.server_cpu_pct:.0f} %, browser {r.browser_cpu_pct:.0f} %, Playwright driver "
        f"{r.driver_cpu_pct:.0f} %, harness {r.harness_cpu_pct:.0f} %, other processes "
        f"{max(0, r.machine_cpu_pct - ours):.0f} %, whole machine {r.machine_cpu_pct:.0f} %"
    )
    print(
        f"server memory: RSS after warm-up {_mib(r.rss_start)} MiB, at the end {_mib(r.rss_end)}"
        f" MiB, peak sampled {_mib(r.rss_sampled_max)} MiB, VmHWM {_mib(r.hwm)} MiB"
    )
    kinds = Counter(k for k, _ in errors)
    print(f"errors: {len(errors)} {dict(kinds) if kinds else ''}")
    for (kind, msg), count in Counter(errors).most_common(10):
        print(f"  {count} x [{kind}] {msg}")
    js = Counter(x for s in r.stats for x in s.js_errors)
    print(f"JavaScript errors (uncaught in the page or its map frames, not shown): {js.total()}")
    for msg, count in js.most_common(5):
        print(f"  {count} x {msg}")
    stacks = [x for s in r.stats for x in s.js_stacks if x]
    if stacks and args.verbose:
        print("  first JavaScript stack:\n    " + stacks[0][:1500].replace("\n", "\n    "))
    print(f"server log tracebacks: {len(r.server_tracebacks)}")
    for tb in r.server_tracebacks[:3]:
        print("  " + tb.replace("\n", "\n  "))
    print(f"CSV checks: {r.csv_ok} ok, {r.csv_mismatch} mismatch ({r.csv_leaks} leaks)")
    for note in r.csv_notes[:10]:
        print(f"  {note}")


COLUMNS = ("replicas", "sessions", "interactions", "reruns", "e2e p50", "e2e p95", "e2e max",
           "srv p50", "srv p95", "errors", "CSV ok", "mismatch", "leaks", "JS err", "RSS MiB",
           "peak MiB", "e2e<1s", "srv<1s")  # fmt: skip


def summary(results: list[RunResult], args: argparse.Namespace) -> bool:
    """Print the table of all runs; True if every run met the target."""
    print(
        f"\n== Summary: {args.seconds:g} s per run, think time {args.think:g} s "
        f"(x0.5-1.5), step timeout {args.step_timeout:g} s, {os.cpu_count()} cores =="
    )
    rows, all_ok = [], True
    for r in results:
        lat = [x for s in r.stats for k in ("slider", "page") for x in s.latency.get(k, [])]
        n_err = sum(len(s.errors) for s in r.stats) + len(r.server_tracebacks)
        p95 = _pct(lat, 95)
        clean = n_err == 0 and r.csv_mismatch == 0 and r.csv_ok > 0
        ok, srv_ok = clean and p95 < 1.0, clean and _pct(r.canary_load, 95) < 1.0
        all_ok &= ok
        rows.append(
            [
                str(r.replicas),
                str(r.sessions),
                str(sum(sum(s.interactions.values()) for s in r.stats)),
                str(sum(s.reruns for s in r.stats)),
                f"{_pct(lat, 50):.3f}",
                f"{p95:.3f}",
                f"{max(lat, default=math.nan):.3f}",
                f"{_pct(r.canary_load, 50):.3f}",
                f"{_pct(r.canary_load, 95):.3f}",
                str(n_err),
                str(r.csv_ok),
                str(r.csv_mismatch),
                str(r.csv_leaks),
                str(sum(len(s.js_errors) for s in r.stats)),
                _mib(r.rss_end),
                _mib(r.hwm),
                "met" if ok else "MISSED",
                "met" if srv_ok else "MISSED",
            ]
        )
    widths = [max([len(c), *(len(row[i]) for row in rows)]) for i, c in enumerate(COLUMNS)]
    line = " | ".join(c.rjust(w) for c, w in zip(COLUMNS, widths, strict=True))
    print(line)
    print("-" * len(line))
    for row in rows:
        print(" | ".join(v.rjust(w) for v, w in zip(row, widths, strict=True)))
    print(
        "e2e: slider move or page switch until the app is idle again in the browser. srv: the "
        "server's rerun\nwithout a browser (canary; one per replica, pooled). errors: shown "
        "exceptions, timeouts, failed steps,\nwebsocket drops and server tracebacks (JS err "
        "apart). RSS: VmRSS at the end, peak: VmHWM (both summed\nover replicas). Targets: "
        "zero errors and mismatches, and p95 < 1 s (e2e, resp. srv)."
    )
    return all_ok


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--sessions", type=int, nargs="+", default=[10, 25])
    ap.add_argument(
        "--replicas",
        type=int,
        nargs="+",
        default=[1],
        help="run every session count against each: 1 = one server, N > 1 = scripts/serve "
        "(N replicas behind HAProxy with sticky sessions)",
    )
    ap.add_argument("--seconds", type=float, default=60.0, help="interaction time per run")
    ap.add_argument("--think", type=float, default=1.0, help="mean s between interactions")
    ap.add_argument("--step-timeout", type=float, default=30.0, help="seconds per step")
    ap.add_argument("--ramp", type=int, default=2, help="sessions loading at once at the start")
    ap.add_argument("--canary-interval", type=float, default=2.0, help="s; 0: no canary")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--fair-browser",
        action="store_true",
        help="leave Chromium's renderers in the normal scheduling class (they then compete "
        "with the server for CPU)",
    )
    ap.add_argument("--verbose", action="store_true", help="print the first JavaScript stack")
    ap.add_argument("--chromium", default=os.environ.get("WINDROSE_CHROMIUM", "/usr/bin/chromium"))
    args = ap.parse_args()
    present = set(catalog.load_criteria()["group"])
    groups = [g for g in catalog.GROUPS if g in present]  # the sidebar's slider order
    results = []
    crashed = False
    for replicas in args.replicas:
        for n in args.sessions:
            try:
                result = asyncio.run(run_sessions(n, args, groups, replicas))
            except Exception as exc:  # the server or the browser would not start, say
                msg = (
                    f"the {n}-session run ({replicas} replicas) failed: {type(exc).__name__}: {exc}"
                )
                print(msg, flush=True)
                crashed = True
                continue
            check_csvs(result)
            report(result, args)
            results.append(result)
    summary(results, args)
    failed = crashed or any(
        r.csv_mismatch or r.server_tracebacks or any(s.errors for s in r.stats) for r in results
    )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
