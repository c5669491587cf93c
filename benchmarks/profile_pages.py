"""Every page's rerun after a slider move: wall time and the script thread's top costs.

Run by hand (not in CI)::

    .venv/bin/python benchmarks/profile_pages.py [--pages overview map] [--runs 7]
        [--sites 10000] [--overview-vs-floor] [--json OUT]

Each page is run through ``app.py``'s router in Streamlit's AppTest (as in ``bench_app.py``):
a first run, a switch to the page, a warm-up move of the logistics group weight, then ``--runs``
timed moves (median wall time of ``at.run()``). Then ``--profile-runs`` more moves run under
``cProfile``, switched on inside AppTest's script thread only: ``threading.setprofile``
installs a hook in new threads that enables the profiler when the thread is Streamlit's script
thread (checked with Python 3.11, where ``cProfile`` profiles the thread that enables it).
The top three costs are by cumulative time, per function, in the project's code or called
directly from it; the framework's wrappers (the page module, the router, ``frame.open_page``,
Streamlit's metrics and cache wrappers) are skipped, and so is a function inside one already
listed. Shares are of the script thread's profiled time.

``--overview-vs-floor`` alternates Overview reruns with reruns of ``floor_overview.py`` (the
same visible work, written plainly) and prints both medians and their ratio (target <= 0.6).
The code measured is that of the checkout this file is in: copy it into another worktree to
measure that one. Scenarios are saved to a temporary database.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench_app import ROOT, random_sites, server_bytecode
from streamlit.testing.v1 import AppTest

PAGES = ["overview", "map", "compare", "cost", "sensitivity", "suitability", "scenarios", "data"]
SLIDER = "w_logistics"
SCRIPT_THREAD = "ScriptRunner.scriptThread"
OWN = (str(ROOT / "pages"), str(ROOT / "windrose_ui"), str(ROOT / "windrose_sites"))
WRAPPERS = {"<module>", "navigation", "run_guarded", "open_page", "deferred", "wrapped_func"}
WRAPPER_FILES = ("streamlit/runtime/caching", "streamlit/runtime/metrics_util",
                 "streamlit/runtime/fragment", "streamlit/runtime/scriptrunner",
                 "streamlit/navigation", "threading.py")  # fmt: skip


def new_app(page: str, n_sites: int) -> AppTest:
    """The app on ``page`` after a first run and one warm-up slider move."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    if n_sites:
        at.session_state["user_sites"] = [random_sites(n_sites)]
    at.run()
    if page != "overview":
        at.switch_page(f"pages/{page}.py").run()
    move(at, 0)
    return at


def new_floor() -> AppTest:
    at = AppTest.from_file(str(ROOT / "benchmarks" / "floor_overview.py"), default_timeout=600)
    at.run()
    move(at, 0)
    return at


def move(at: AppTest, i: int) -> float:
    """Move the logistics weight to a new value (the i-th) and rerun; return the wall time (s).

    Every move is to a value not seen before (as when a user drags the slider), so caches
    keyed on the weights miss as they would for the user.
    """
    t = time.perf_counter()
    at.slider(key=SLIDER).set_value(float((50 + 7 * (i + 1)) % 101)).run()
    elapsed = time.perf_counter() - t
    if at.exception:
        raise RuntimeError(f"{at.exception[0].message}\n{at.exception[0].stack_trace}")
    return elapsed


def profiled_moves(at: AppTest, runs: int, first: int) -> pstats.Stats:
    """cProfile of the script thread over ``runs`` slider moves."""
    profiles: list[cProfile.Profile] = []

    def hook(*_args: object) -> None:
        sys.setprofile(None)  # this hook only starts the profiler, once per thread
        if threading.current_thread().name == SCRIPT_THREAD:
            profiles.append(cProfile.Profile())
            profiles[-1].enable()

    threading.setprofile(hook)
    try:
        for i in range(runs):
            move(at, first + i)
    finally:
        threading.setprofile(None)  # type: ignore[arg-type]
    stats = pstats.Stats(profiles[0])
    for p in profiles[1:]:
        stats.add(p)
    return stats


def _own(func: tuple[str, int, str]) -> bool:
    return func[0].startswith(OWN)


def _wrapper(func: tuple[str, int, str]) -> bool:
    return func[2] in WRAPPERS or any(w in func[0] for w in WRAPPER_FILES)


def _label(func: tuple[str, int, str]) -> str:
    """``package.module.function``, relative to the checkout or to site-packages."""
    path = Path(func[0])
    parts = path.parts
    if path.is_relative_to(ROOT):
        parts = path.relative_to(ROOT).parts
    elif "site-packages" in parts:
        parts = parts[parts.index("site-packages") + 1 :]
    else:  # the standard library
        parts = parts[next(i for i, p in enumerate(parts) if p.startswith("python3")) + 1 :]
    module = ".".join(parts).removesuffix(".py").removesuffix(".__init__")
    return f"{module}.{func[2]}"


def top_costs(stats: pstats.Stats, n: int = 3) -> tuple[float, list[tuple[str, float]]]:
    """Profiled script time (s) and the ``n`` biggest distinct costs as (function, share)."""
    table = stats.stats  # type: ignore[attr-defined]
    total = sum(tt for _cc, _nc, tt, _ct, _callers in table.values())

    def callers(func, seen=frozenset()):  # looking through Streamlit's wrappers
        for caller in table[func][4]:
            if caller in seen or caller not in table:
                continue
            if _wrapper(caller) and not _own(caller):
                yield from callers(caller, seen | {func})
            else:
                yield caller

    def ancestors(func):  # in the project's code
        todo, found = [func], set()
        while todo:
            for caller in callers(todo.pop()):
                if _own(caller) and caller not in found:
                    found.add(caller)
                    todo.append(caller)
        return found

    def from_own(caller):
        return _own(caller) or (_wrapper(caller) and any(map(_own, callers(caller))))

    def cost(func):  # a library function: only its calls from the project's code
        if _own(func):
            return table[func][3]
        return sum(edge[3] for c, edge in table[func][4].items() if c in table and from_own(c))

    candidates = [f for f in table if not _wrapper(f) and f[0] != "~" and cost(f) > 0]
    candidates.sort(key=lambda f: -cost(f))
    picked: list[tuple[str, int, str]] = []
    for f in candidates:
        if len(picked) == n:
            break
        if not ancestors(f) & set(picked) and not any(f in ancestors(p) for p in picked):
            picked.append(f)

    def label(f):  # a library function says which of the project's functions calls it most
        if _own(f):
            return _label(f)
        edges = {c: table[f][4][c][3] for c in table[f][4] if _own(c)}
        by = f" (from {_label(max(edges, key=edges.__getitem__))})" if edges else ""
        return _label(f) + by

    return total, [(label(f), cost(f) / total) for f in picked]


def profile_page(page: str, runs: int, profile_runs: int, n_sites: int) -> dict[str, Any]:
    at = new_app(page, n_sites)
    times = [move(at, i + 1) for i in range(runs)]
    with server_bytecode():  # as a server runs it: the scripts compiled once
        at.run()
        server = [move(at, runs + i + 1) for i in range(runs)]
        total, costs = top_costs(profiled_moves(at, profile_runs, 2 * runs + 1))
    return {
        "page": page,
        "sites": n_sites,
        "rerun_median_ms": 1000 * statistics.median(times),
        "rerun_min_ms": 1000 * min(times),
        "server_median_ms": 1000 * statistics.median(server),
        "server_min_ms": 1000 * min(server),
        "profiled_script_ms": 1000 * total / profile_runs,
        "top_costs": [{"function": f, "share": s} for f, s in costs],
    }


def overview_vs_floor(runs: int) -> dict[str, float]:
    """Median reruns of the Overview and of the floor (shipped data), moved alternately."""
    ours, floor = new_app("overview", 0), new_floor()
    t_ours, t_floor = [], []
    for i in range(runs):
        t_ours.append(move(ours, i + 1))
        t_floor.append(move(floor, i + 1))
    a, b = statistics.median(t_ours), statistics.median(t_floor)
    with server_bytecode():  # both as a server runs them: each script compiled once
        ours.run()
        floor.run()
        s_ours, s_floor = [], []
        for i in range(runs):
            s_ours.append(move(ours, runs + i + 1))
            s_floor.append(move(floor, runs + i + 1))
    c, d = statistics.median(s_ours), statistics.median(s_floor)
    return {
        "overview_ms": 1000 * a,
        "floor_ms": 1000 * b,
        "ratio": a / b,
        "server_overview_ms": 1000 * c,
        "server_floor_ms": 1000 * d,
        "server_ratio": c / d,
    }


def markdown(rows: list[dict[str, Any]]) -> str:
    lines = [
        (
            "| page | sites | AppTest rerun median ms (min) | with the server's bytecode cache "
            "(target < 150) | profiled ms | top 3 costs (share of script) |"
        ),
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        costs = "; ".join(f"`{c['function']}` {c['share']:.0%}" for c in r["top_costs"])
        lines.append(
            f"| {r['page']} | {r['sites'] or 'shipped'} | {r['rerun_median_ms']:.0f} "
            f"({r['rerun_min_ms']:.0f}) | {r['server_median_ms']:.0f} ({r['server_min_ms']:.0f}) "
            f"| {r['profiled_script_ms']:.0f} | {costs} |"
        )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", nargs="+", choices=PAGES, default=PAGES)
    ap.add_argument("--runs", type=int, default=7, help="timed reruns per page (median)")
    ap.add_argument("--profile-runs", type=int, default=3, help="profiled reruns per page")
    ap.add_argument("--sites", type=int, default=0, help="uploaded random sites (0: shipped)")
    ap.add_argument("--overview-vs-floor", action="store_true", help="only Overview vs floor")
    ap.add_argument("--json", type=Path, help="write the results to this file")
    args = ap.parse_args()
    if args.runs + args.profile_runs > 99:
        ap.error("--runs plus --profile-runs is at most 99 (each move is to a new weight)")
    if args.overview_vs_floor and args.sites:
        ap.error("the floor shows the shipped data: --overview-vs-floor takes no --sites")
    os.environ.setdefault("WINDROSE_SCENARIOS_DB", str(Path(tempfile.mkdtemp()) / "s.sqlite"))
    import windrose_sites

    print(f"code measured: {Path(windrose_sites.__file__).parent.parent}")
    if args.overview_vs_floor:
        vs = overview_vs_floor(args.runs)
        print(
            f"Overview rerun after a slider move (shipped data, median of {args.runs}): "
            f"ours {vs['overview_ms']:.0f} ms, floor {vs['floor_ms']:.0f} ms, "
            f"ratio {vs['ratio']:.2f} (target <= 0.6)\n"
            f"  the same with the server's bytecode cache: ours {vs['server_overview_ms']:.0f} "
            f"ms, floor {vs['server_floor_ms']:.0f} ms, ratio {vs['server_ratio']:.2f}"
        )
        result: object = vs
    else:
        rows = [profile_page(p, args.runs, args.profile_runs, args.sites) for p in args.pages]
        print(markdown(rows))
        result = rows
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
