"""Speed and memory of windrose_sites.scoring against scikit-criteria, pymcdm and plain numpy.

Run by hand, not in CI::

    .venv/bin/python benchmarks/bench_scoring.py [--sizes 1000 100000 1000000]

For wsm and topsis at each size (rows x 10 criteria, seeded, mixed benefit/cost) it prints
the median wall time of: our ``score`` (DataFrame path, with ranks, contributions and
normalized values), our ``score_array`` fast path, the scikit-criteria pipeline, pymcdm
(called with ``validation=False``: its default validation loops over rows in Python and
would dominate), and a plain numpy expression of the same formula; the ratio of each to
``score_array``; and the peak extra memory (tracemalloc) of our two paths as a multiple of
the input matrix. Every result is checked against ``score_array`` before it is timed.

``--memory`` measures the issue-16 target instead, for all four methods on one size
(``--rows``, default 1,000,000) x 10::

    .venv/bin/python benchmarks/bench_scoring.py --memory

For each method it prints the temporaries of ``score``: the tracemalloc peak minus what the call
still holds once it has returned (the returned frame with its ``attrs``), as a multiple of the
matrix (rows x 10 x 8 bytes), and whether that meets the target of at most 1.5x. It also prints
the median time of ``score`` against a plain numpy floor of the same arithmetic, timed in the
same run: the floor copies the matrix out of the frame and computes the scores, the normalized
matrix, the contributions (wsm, promethee) and the ranks, with no checks and no DataFrame.
"""

from __future__ import annotations

import argparse
import functools
import gc
import statistics
import time
import tracemalloc
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd
import skcriteria as skc
from pymcdm import normalizations
from pymcdm.methods import TOPSIS, WSM
from skcriteria.agg.simple import WeightedSumModel
from skcriteria.agg.topsis import TOPSIS as SKC_TOPSIS
from skcriteria.pipelines import mkpipe
from skcriteria.preprocessing.invert_objectives import MinMaxInverter
from skcriteria.preprocessing.scalers import SumScaler, VectorScaler

from windrose_sites import scoring
from windrose_sites.scoring import score, score_array

N_CRITERIA = 10
MEMORY_TARGET = 1.5  # issue 16: temporaries above the output, as a multiple of the matrix
SLOW_ROWS = 100_000  # at or above this size the peers get fewer repeats


def make_problem(n_rows: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    matrix = rng.uniform(1.0, 100.0, size=(n_rows, N_CRITERIA))
    weights = rng.uniform(0.1, 1.0, size=N_CRITERIA)
    weights /= weights.sum()
    benefit = np.arange(N_CRITERIA) % 3 != 0
    return matrix, weights, benefit


def numpy_wsm(x: np.ndarray, w: np.ndarray, benefit: np.ndarray) -> np.ndarray:
    lo, hi = x.min(axis=0), x.max(axis=0)
    return (np.where(benefit, x - lo, hi - x) / (hi - lo)) @ w


def numpy_topsis(x: np.ndarray, w: np.ndarray, benefit: np.ndarray) -> np.ndarray:
    v = x / np.sqrt((x**2).sum(axis=0)) * w
    best = np.where(benefit, v.max(axis=0), v.min(axis=0))
    worst = np.where(benefit, v.min(axis=0), v.max(axis=0))
    d_best = np.sqrt(((v - best) ** 2).sum(axis=1))
    d_worst = np.sqrt(((v - worst) ** 2).sum(axis=1))
    return d_worst / (d_best + d_worst)


def skcriteria_runner(method: str, x, w, benefit) -> Callable[[], np.ndarray]:
    objectives = [max if b else min for b in benefit]
    if method == "wsm":
        pipe = mkpipe(MinMaxInverter(), SumScaler(target="weights"), WeightedSumModel())
    else:
        pipe = mkpipe(SumScaler(target="weights"), VectorScaler(target="matrix"), SKC_TOPSIS())
    extra = "score" if method == "wsm" else "similarity"

    def run() -> np.ndarray:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # TOPSIS warns about min objectives
            dm = skc.mkdm(x, objectives, weights=w)
            return np.asarray(pipe.evaluate(dm).e_[extra])

    return run


def runners(method: str, x, w, benefit) -> dict[str, Callable[[], np.ndarray]]:
    columns = [f"c{j}" for j in range(x.shape[1])]
    table = pd.DataFrame(x, columns=columns)
    weights = dict(zip(columns, w, strict=True))
    directions = {c: "benefit" if b else "cost" for c, b in zip(columns, benefit, strict=True)}
    types = np.where(benefit, 1, -1)
    pymcdm = (
        WSM(normalizations.minmax_normalization)
        if method == "wsm"
        else TOPSIS(normalizations.vector_normalization)
    )
    plain = numpy_wsm if method == "wsm" else numpy_topsis
    return {
        "score": lambda: score(table, weights, directions, method=method)["score"].to_numpy(),
        "score_array": lambda: score_array(x, w, benefit, method),
        "skcriteria": skcriteria_runner(method, x, w, benefit),
        "pymcdm": lambda: pymcdm(x, w, types, validation=False),
        "numpy": lambda: plain(x, w, benefit),
    }


def median_seconds(run: Callable[[], object], repeats: int) -> float:
    run()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_extra_bytes(run: Callable[[], object]) -> int:
    tracemalloc.start()
    tracemalloc.reset_peak()
    base, _ = tracemalloc.get_traced_memory()
    run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak - base


def bench(n_rows: int, method: str, repeats: int, slow_repeats: int) -> dict[str, object]:
    x, w, benefit = make_problem(n_rows)
    jobs = runners(method, x, w, benefit)
    reference = jobs["score_array"]()
    row: dict[str, object] = {"rows": n_rows, "method": method}
    for name, run in jobs.items():
        np.testing.assert_allclose(run(), reference, rtol=0, atol=1e-9, err_msg=name)
        ours = name in ("score_array", "numpy")
        count = repeats if ours or n_rows < SLOW_ROWS else slow_repeats
        row[name] = median_seconds(run, count)
    for name in ("score", "score_array"):
        row[f"mem_{name}"] = peak_extra_bytes(jobs[name]) / x.nbytes
    return row


def floor_wsm(x: np.ndarray, w: np.ndarray, benefit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = x.min(axis=0), x.max(axis=0)
    r = np.where(benefit, x - lo, hi - x) / (hi - lo)
    return r @ w, r


def floor_wpm(x: np.ndarray, w: np.ndarray, benefit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r = np.where(benefit, x / x.max(axis=0), x.min(axis=0) / x)
    return np.exp(np.log(r) @ w), r


def floor_topsis(
    x: np.ndarray, w: np.ndarray, benefit: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    r = x / np.sqrt((x**2).sum(axis=0))
    return numpy_topsis(x, w, benefit), r


def floor_promethee(
    x: np.ndarray, w: np.ndarray, benefit: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    n = x.shape[0]
    flows = np.empty_like(x)
    for j in range(x.shape[1]):
        _, inverse, counts = np.unique(x[:, j], return_inverse=True, return_counts=True)
        better = n - np.cumsum(counts)  # rows strictly above each distinct value
        worse = n - better - counts
        net = (worse - better) / (n - 1)
        flows[:, j] = net[inverse] if benefit[j] else -net[inverse]
    return flows @ w, flows


FLOORS = {"wsm": floor_wsm, "wpm": floor_wpm, "topsis": floor_topsis, "promethee": floor_promethee}


def numpy_floor(
    method: str, table: pd.DataFrame, w: np.ndarray, benefit: np.ndarray
) -> tuple[np.ndarray, ...]:
    """The outputs of ``score`` in plain numpy: scores, ranks, normalized values, contributions."""
    x = table.to_numpy(dtype=np.float64, copy=True)
    values, normalized = FLOORS[method](x, w, benefit)
    rounded = np.round(values, 12)
    ranks = x.shape[0] - np.searchsorted(np.sort(rounded), rounded, side="right") + 1
    if method in ("wsm", "promethee"):
        return values, ranks, normalized, normalized * w
    return values, ranks, normalized


def alternating_medians(
    first: Callable[[], object], second: Callable[[], object], repeats: int
) -> tuple[float, float]:
    """Median seconds of two calls timed in turn, so a change in machine load hits both."""
    first(), second()  # warm-up
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeats):
        for run, out in ((first, times[0]), (second, times[1])):
            start = time.perf_counter()
            run()
            out.append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def retained_and_temporary_bytes(run: Callable[[], object]) -> tuple[int, int]:
    """Bytes the call still holds after returning, and its tracemalloc peak above that."""
    gc.collect()
    tracemalloc.start()
    base, _ = tracemalloc.get_traced_memory()
    result = run()
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del result
    return current - base, peak - current


def bench_memory(n_rows: int, repeats: int) -> None:
    x, w, benefit = make_problem(n_rows)
    columns = [f"c{j}" for j in range(N_CRITERIA)]
    table = pd.DataFrame(x, columns=columns)
    weights = dict(zip(columns, w, strict=True))
    directions = {c: "benefit" if b else "cost" for c, b in zip(columns, benefit, strict=True)}
    print(f"code measured: {scoring.__file__}")
    print(f"{n_rows:,} rows x {N_CRITERIA} criteria; matrix = {x.nbytes / 1e6:.0f} MB; "
          f"target: temporaries <= {MEMORY_TARGET}x the matrix\n")  # fmt: skip
    head = (
        f"{'method':<10}{'temporaries':>12}{'output':>8}{'target':>8}"
        f"{'score ms':>10}{'floor ms':>10}{'ratio':>7}{'floor temp':>12}"
    )
    print(head)
    print("-" * len(head))
    met = []
    for method in ("wsm", "wpm", "topsis", "promethee"):
        ours = functools.partial(score, table, weights, directions, method=method)
        floor = functools.partial(numpy_floor, method, table, w, benefit)
        expected = floor()
        result = ours()
        np.testing.assert_allclose(result["score"], expected[0], rtol=0, atol=1e-9, err_msg=method)
        np.testing.assert_array_equal(result["rank"], expected[1], err_msg=method)
        del result, expected
        kept, temporary = retained_and_temporary_bytes(ours)
        _, floor_temporary = retained_and_temporary_bytes(floor)
        ok = temporary <= MEMORY_TARGET * x.nbytes
        met.append(ok)
        ours_s, floor_s = alternating_medians(ours, floor, repeats)
        print(
            f"{method:<10}{temporary / x.nbytes:>11.2f}x{kept / x.nbytes:>7.2f}x"
            f"{'met' if ok else 'MISSED':>8}{ours_s * 1e3:>10.0f}{floor_s * 1e3:>10.0f}"
            f"{ours_s / floor_s:>6.2f}x{floor_temporary / x.nbytes:>11.2f}x"
        )
    print(
        "\ntemporaries: tracemalloc peak minus the bytes still held after the call (the returned "
        "frame and its attrs), / matrix bytes; output: those held bytes / matrix bytes; "
        "ratio: score time / floor time (median of each, same run)."
    )
    verdict = "met" if all(met) else "MISSED"
    print(f"memory target {verdict}: temporaries <= {MEMORY_TARGET}x for {sum(met)} of 4 methods")


def print_table(rows: list[dict[str, object]]) -> None:
    names = ["score", "score_array", "skcriteria", "pymcdm", "numpy"]
    head = f"{'rows':>9} {'method':<7}" + "".join(f"{n + ' ms':>15}" for n in names)
    head += f"{'skc/fast':>10}{'pymcdm/fast':>13}{'numpy/fast':>12}{'df/fast':>9}"
    head += f"{'mem fast':>10}{'mem df':>8}"
    print(head)
    print("-" * len(head))
    for r in rows:
        fast = r["score_array"]
        line = f"{r['rows']:>9,} {r['method']:<7}"
        line += "".join(f"{r[n] * 1e3:>15.2f}" for n in names)
        line += f"{r['skcriteria'] / fast:>9.1f}x{r['pymcdm'] / fast:>12.1f}x"
        line += f"{r['numpy'] / fast:>11.1f}x{r['score'] / fast:>8.1f}x"
        line += f"{r['mem_score_array']:>9.2f}x{r['mem_score']:>7.2f}x"
        print(line)
    print(
        "\nratios: peer time / score_array time (higher = we are faster); "
        "mem: peak extra bytes / input matrix bytes (tracemalloc)."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 100_000, 1_000_000])
    parser.add_argument("--repeats", type=int, default=7, help="repeats for fast runs")
    parser.add_argument(
        "--slow-repeats", type=int, default=2, help=f"repeats for peers at >= {SLOW_ROWS:,} rows"
    )
    parser.add_argument(
        "--memory", action="store_true", help="issue-16 memory target for all four methods"
    )
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows for --memory")
    args = parser.parse_args()
    if args.memory:
        bench_memory(args.rows, min(args.repeats, 3))
        return
    rows = [
        bench(n, method, args.repeats, args.slow_repeats)
        for n in args.sizes
        for method in ("wsm", "topsis")
    ]
    print(f"{N_CRITERIA} criteria, median wall time of each call\n")
    print_table(rows)


if __name__ == "__main__":
    main()
