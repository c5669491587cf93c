"""Speed of SMAA-2 rank acceptability: batched matrix products against a per-sample loop.

Run by hand, not in CI::

    .venv/bin/python benchmarks/bench_sensitivity.py [--sizes 10 100 1000] [--samples 10000]
        [--methods wsm topsis] [--repeats 3]

For each size (sites x 10 criteria, seeded, mixed benefit/cost) and method it prints the median
wall time of ``rank_acceptability`` for ``--samples`` uniform weight samples, and of a plain
numpy loop that calls ``scoring.score_array`` once per sample and ranks with ``argsort``. The
loop is timed on fewer samples (``--loop-samples``, at most ``--samples``) and scaled linearly to
``--samples``; the table says how many it ran. Both are measured in the same run, and before
timing the loop's counts are checked to equal the batched counts on the same weights.
Target: 10,000 samples x 1,000 sites in under 1 s (wsm).

The batched path spends its time in one ``einsum`` product per block of samples, an integer sort
per sample and one ``bincount`` per block. It starts no BLAS threads, so its time does not jump
when other processes keep the machine's cores busy.
"""

from __future__ import annotations

import argparse
import statistics
import time
from functools import partial

import numpy as np
import pandas as pd

from windrose_sites.scoring import score_array
from windrose_sites.sensitivity import rank_acceptability

N_CRITERIA = 10


def make_problem(n_sites: int, seed: int = 0) -> tuple[pd.DataFrame, dict, dict]:
    rng = np.random.default_rng(seed)
    cols = [f"c{j}" for j in range(N_CRITERIA)]
    table = pd.DataFrame(rng.uniform(1.0, 100.0, size=(n_sites, N_CRITERIA)), columns=cols)
    weights = dict(zip(cols, rng.uniform(0.1, 1.0, size=N_CRITERIA), strict=True))
    directions = {c: "cost" if j % 3 == 0 else "benefit" for j, c in enumerate(cols)}
    return table, weights, directions


def loop_counts(table, directions, method: str, samples: int, seed: int) -> np.ndarray:
    """Rank counts from a Python loop: one score_array call and one argsort per sample."""
    x = table.to_numpy()
    benefit = np.array([directions[c] == "benefit" for c in table.columns])
    n = x.shape[0]
    weights = np.random.default_rng(seed).dirichlet(np.ones(x.shape[1]), size=samples)
    counts = np.zeros((n, n), dtype=np.int64)
    rows = np.arange(n)
    for w in weights:
        s = score_array(x, w, benefit, method)
        ranks = np.empty(n, dtype=np.int64)
        ranks[np.argsort(-s, kind="stable")] = rows  # continuous weights: no ties
        counts[rows, ranks] += 1
    return counts


def median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--loop-samples", type=int, default=1_000)
    parser.add_argument("--methods", nargs="+", default=["wsm", "wpm", "topsis", "promethee"])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    loop_n = min(args.loop_samples, args.samples)
    print(f"rank_acceptability, {args.samples:,} weight samples x {N_CRITERIA} criteria")
    print(f"(loop: timed on {loop_n:,} samples, scaled x{args.samples / loop_n:g})")
    header = ["sites", "method", "batched s", "loop s", "speed-up"]
    print(f"{header[0]:>6} {header[1]:>10} " + " ".join(f"{h:>10}" for h in header[2:]))
    for n in args.sizes:
        table, weights, directions = make_problem(n)
        for method in args.methods:
            small = rank_acceptability(table, weights, directions, method=method, samples=200)
            expected = np.rint(small.to_numpy() * 200).astype(np.int64)
            got = loop_counts(table, directions, method, 200, seed=0)
            if not np.array_equal(got, expected):
                msg = f"loop and batched counts differ for {n} sites, {method}"
                raise SystemExit(msg)
            run = partial(rank_acceptability, table, weights, directions, method=method)
            batched = median_time(partial(run, samples=args.samples), args.repeats)
            loop_run = partial(loop_counts, table, directions, method, loop_n, seed=0)
            loop = median_time(loop_run, args.repeats) * (args.samples / loop_n)
            print(f"{n:>6} {method:>10} {batched:>10.3f} {loop:>10.3f} {loop / batched:>9.1f}x")


if __name__ == "__main__":
    main()
