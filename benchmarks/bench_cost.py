"""Speed of the cost model's Monte Carlo against a plain per-sample Python loop.

Run by hand, not in CI::

    .venv/bin/python benchmarks/bench_cost.py [--samples 10000] [--loop-samples 10000]

Prints, in one run and on the same model (every shipped candidate site):

- the vectorised Monte Carlo time for ``--samples`` draws (median of 5 runs after a warm-up;
  sampling included), and the cost table with the Monte Carlo columns as the CLI builds it;
- a plain Python loop that evaluates the same draws one sample at a time
  (:func:`windrose_sites.cost.simulate_loop`), timed once on ``--loop-samples`` draws (the
  default is the full 10,000; a smaller value is scaled linearly and the output says so);
- the ratio of the two; both results are checked equal on the common draws first.

- the Cost page's rerun time: ``streamlit.testing`` AppTest of ``app.py`` switched to
  ``pages/cost.py`` (default state, 10,000 samples), median of 5 reruns after the first run
  (``--page-reruns``; 0 skips it).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from windrose_sites.cost import build_model, cost_table, simulate, simulate_loop


def _median_time(fn, repeats: int = 5) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--loop-samples", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--page-reruns", type=int, default=5)
    args = parser.parse_args()

    t0 = time.perf_counter()
    model = build_model()
    print(f"model build (catalog, sea routes, parameters): {time.perf_counter() - t0:.1f} s")
    sites, rows = len(model.sites.ids), len(model.params)
    print(f"{sites} sites, {rows} parameter rows, {args.samples:,} samples")

    check = 200
    fast, slow = simulate(model, check, args.seed), simulate_loop(model, check, args.seed)
    assert np.allclose(fast.totals, slow.totals, rtol=1e-12), "vectorised != loop"

    mc = _median_time(lambda: simulate(model, args.samples, args.seed))
    table = _median_time(lambda: cost_table(model, args.samples, args.seed), repeats=3)
    print(f"vectorised Monte Carlo, {args.samples:,} samples x {sites} sites: {mc:.3f} s")
    print(f"cost table with Monte Carlo columns (as the CLI):        {table:.3f} s")

    n = min(args.loop_samples, args.samples)
    t0 = time.perf_counter()
    simulate_loop(model, n, args.seed)
    loop = (time.perf_counter() - t0) * args.samples / n
    scaled = "" if n == args.samples else f" (timed on {n:,} samples, scaled linearly)"
    print(f"plain per-sample Python loop, {args.samples:,} samples:  {loop:.1f} s{scaled}")
    print(f"ratio loop / vectorised: {loop / mc:,.0f}x")
    if args.page_reruns > 0:
        first, rerun = page_rerun(args.page_reruns)
        print(
            f"Cost page: first run {first:.2f} s; rerun median of {args.page_reruns}: {rerun:.2f} s"
        )


def page_rerun(repeats: int) -> tuple[float, float]:
    """First run and median rerun of the Cost page (AppTest, no browser, no network)."""
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    root = Path(__file__).resolve().parent.parent
    at = AppTest.from_file(str(root / "app.py"), default_timeout=300)
    at.run()
    t0 = time.perf_counter()
    at.switch_page("pages/cost.py").run()
    first = time.perf_counter() - t0
    assert not at.exception, at.exception
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t0)
        assert not at.exception, at.exception
    return first, statistics.median(times)


if __name__ == "__main__":
    main()
