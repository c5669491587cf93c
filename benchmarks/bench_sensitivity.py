"""Speed of SMAA-2 rank acceptability: batched matrix products against a per-sample loop.

Run by hand, not in CI::

    .venv/bin/python benchmarks/bench_sensitivity.py [--sizes 10 100 1000] [--samples 10000]
        [--methods wsm topsis] [--repeats 3]
    .venv/bin/python benchmarks/bench_sensitivity.py --rerun [--samples 1000] [--sites 11 2000]

``--rerun`` measures the Sensitivity page's core work for one rerun on the shipped data (and,
with ``--sites N``, on N seeded sites analysed as a 51-site shortlist): a sweep, crossovers,
SMAA, stability intervals, method agreement and the head-to-head answer. It counts the calls
of ``scoring.score`` (the validation) and prints the median time of two paths in the same run:
one analysis call per question with the original signatures (each validates its inputs), and
one ``sensitivity.Problem`` shared by every analysis (it validates once). The first path exists
in older commits too, so the script can measure them from a worktree.

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

from windrose_sites import limits, pipeline, scoring, sensitivity
from windrose_sites.ranking import criteria_with_directions
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


def shipped_problem() -> tuple[pd.DataFrame, dict, dict, dict, dict, pd.Index]:
    """The Sensitivity page's inputs for the default state of the shipped data."""
    inputs = pipeline.load_inputs()
    work = pipeline.working_set(inputs, [])
    state = pipeline.default_state(inputs)
    ranking = pipeline.rank(work, inputs, state)
    used = ranking.weights[ranking.weights > 0]
    crit = criteria_with_directions(inputs.criteria, state)
    focus = limits.focus_sites(ranking.result, state.selected)
    table = work.table.loc[focus, used.index]
    names = work.attributes.loc[focus, "name"].to_dict()
    groups = inputs.criteria.loc[used.index, "group"].to_dict()
    directions = crit.loc[used.index, "direction"].to_dict()
    return table, used.to_dict(), directions, groups, names, focus


def seeded_problem(n: int) -> tuple[pd.DataFrame, dict, dict, dict, dict, pd.Index]:
    """``n`` seeded sites in two groups; the 51 best form the shortlist."""
    table, weights, directions = make_problem(n)
    table.index = [f"s{i}" for i in range(n)]
    groups = {c: "logistics" if j < N_CRITERIA // 2 else "cost" for j, c in enumerate(table)}
    ranked = scoring.score(table, weights, directions)
    focus = limits.focus_sites(ranked, [])
    return table, weights, directions, groups, {s: s.upper() for s in table.index}, focus


def rerun_per_call(inputs, samples: int) -> None:
    """One analysis call per question with the original signatures (the shortlist re-scored)."""
    table, weights, directions, groups, names, focus = inputs
    args = (table.loc[focus], weights, directions)
    kw = {"method": "wsm", "missing": "worst"}
    group = groups[next(iter(weights))]
    sensitivity.weight_sweep(*args, criterion_or_group=group, groups=groups, **kw)
    sensitivity.crossovers(*args, criterion_or_group=group, groups=groups, names=names, **kw)
    sensitivity.rank_acceptability(*args, samples=samples, seed=0, **kw)
    sensitivity.stability_intervals(*args, groups=groups, names=names, **kw)
    sensitivity.method_agreement(*args, missing="worst")
    site, rival = focus[1], focus[0]
    sensitivity.head_to_head(
        *args, site=site, rival=rival, criterion_or_group=group, groups=groups, names=names, **kw
    )


def rerun_one_problem(inputs, samples: int) -> None:
    """One Problem per rerun, as the page builds it (normalized over every site)."""
    table, weights, directions, groups, names, focus = inputs
    among = focus if len(focus) < len(table) else None
    p = sensitivity.Problem(
        table, weights, directions, method="wsm", missing="worst", groups=groups, names=names,
        among=among,
    )  # fmt: skip
    group = groups[next(iter(weights))]
    sensitivity.sweep.weight_sweep(p, group)
    sensitivity.sweep.crossovers(p, group)
    sensitivity.smaa.rank_acceptability(p, samples=samples, seed=0)
    sensitivity.sweep.stability_intervals(p)
    sensitivity.agreement.method_agreement(p)
    sensitivity.sweep.head_to_head(p, focus[1], focus[0], group)


def count_validations(fn) -> int:
    """How many times ``fn()`` calls ``scoring.score``."""
    calls = []
    real = scoring.score
    scoring.score = lambda *a, **k: calls.append(1) or real(*a, **k)
    try:
        fn()
    finally:
        scoring.score = real
    return len(calls)


def rerun_table(args) -> None:
    paths = {"per call": rerun_per_call}
    if hasattr(sensitivity, "Problem"):
        paths["one Problem"] = rerun_one_problem
    cases = [("shipped", shipped_problem())] + [
        (f"{n:,} seeded", seeded_problem(n)) for n in args.sites
    ]
    print(f"Sensitivity page core work per rerun, SMAA {args.samples:,} samples, wsm")
    print(f"{'data':>14} {'sites':>12} {'path':>12} {'validations':>12} {'median ms':>10}")
    for label, inputs in cases:
        shown = f"{len(inputs[5])} of {len(inputs[0])}"
        times = {}
        for name, fn in paths.items():
            run = partial(fn, inputs, args.samples)
            checks = count_validations(run)
            times[name] = median_time(run, args.repeats)
            print(f"{label:>14} {shown:>12} {name:>12} {checks:>12} {1000 * times[name]:>10.1f}")
        if len(times) == 2:
            ratio = times["one Problem"] / times["per call"]
            print(f"{'':>14} {'':>12} {'ratio':>12} {'':>12} {ratio:>9.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--loop-samples", type=int, default=1_000)
    parser.add_argument("--methods", nargs="+", default=["wsm", "wpm", "topsis", "promethee"])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rerun", action="store_true", help="the page's work per rerun")
    parser.add_argument("--sites", type=int, nargs="*", default=[2000])
    args = parser.parse_args()
    if args.rerun:
        rerun_table(args)
        return
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
