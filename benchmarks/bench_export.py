"""The comparison CSV: ``export.comparison_frame`` + ``export.to_csv``, vs a plain CSV floor.

Run by hand (not in CI)::

    .venv/bin/python benchmarks/bench_export.py [--sites 10000] [--repeats 15] [--against REV]

The Compare and Overview pages build the comparison CSV on every rerun. Timed for the shipped
data (default state) and with N random uploaded sites (as ``bench_app.py``): the median wall
time of ``comparison_frame`` and of ``to_csv``, and their sum as a ratio against a floor
measured in the same run, interleaved: ``DataFrame.to_csv`` of a plain float frame of the same
shape. ``--against REV`` also times ``windrose_sites/export.py`` as it was at git revision REV
(loaded from ``git show``, same inputs, interleaved) and checks that both give the same bytes.
"""

from __future__ import annotations

import argparse
import io
import statistics
import subprocess
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from windrose_sites import export, pipeline  # noqa: E402


def export_at(rev: str) -> types.ModuleType:
    """``windrose_sites/export.py`` as it was at git revision ``rev``, as a module."""
    src = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{rev}:windrose_sites/export.py"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    module = types.ModuleType(f"export_{rev}")
    exec(compile(src, f"{rev}:windrose_sites/export.py", "exec"), module.__dict__)
    return module


def csv_args(n_sites: int) -> tuple:
    """``export.comparison_frame``'s arguments for the default state, with n random sites."""
    inputs = pipeline.load_inputs()
    user = None
    if n_sites:
        from bench_app import random_sites

        user = random_sites(n_sites)
    work = pipeline.working_set(inputs, user)
    ranking = pipeline.rank(work, inputs, pipeline.default_state(inputs))
    names = work.attributes["name"]
    return ranking.result, work.table, inputs.criteria, work.provenance, names


def floor_frame(shape: tuple[int, int]) -> pd.DataFrame:
    """A plain float frame of ``shape``, values with as many digits as the comparison's."""
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        rng.uniform(0, 1000, shape).round(6), columns=[f"c{j}" for j in range(shape[1])]
    )


def medians(fns: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Median seconds of each function, called in turn ``repeats`` times (after a warm-up)."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for fn in fns.values():
        fn()
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def timed_paths(module: types.ModuleType, args: tuple) -> dict[str, Callable[[], object]]:
    frame = module.comparison_frame(*args)
    return {
        "comparison_frame": lambda: module.comparison_frame(*args),
        "to_csv": lambda: module.to_csv(frame),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, nargs="*", default=[10_000])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--against", metavar="REV", help="also time export.py at this revision")
    args = parser.parse_args()
    modules = {"this tree": export}
    if args.against:
        modules[args.against] = export_at(args.against)
    print(f"comparison CSV, median of {args.repeats}; floor: plain float frame .to_csv()")
    head = ["frame ms", "to_csv ms", "sum ms", "floor ms"]
    print(f"{'data':>14} {'code':>10} " + " ".join(f"{h:>9}" for h in head) + f" {'ratio':>7}")
    for n in [0, *args.sites]:
        call = csv_args(n)
        bytes_by_code = {k: m.to_csv(m.comparison_frame(*call)) for k, m in modules.items()}
        if len(set(bytes_by_code.values())) != 1:
            sys.exit(f"{n} sites: the CSV bytes differ between {list(modules)}")
        shape = export.comparison_frame(*call).shape
        floor = floor_frame(shape)
        fns: dict[str, Callable[[], object]] = {"floor": lambda f=floor: f.to_csv(io.StringIO())}
        for code, module in modules.items():
            fns |= {f"{code}|{k}": fn for k, fn in timed_paths(module, call).items()}
        t = medians(fns, args.repeats)
        label = "shipped" if not n else f"{n:,} random"
        for code in modules:
            frame_s, csv_s = t[f"{code}|comparison_frame"], t[f"{code}|to_csv"]
            total = frame_s + csv_s
            print(
                f"{label:>14} {code[:10]:>10} {1e3 * frame_s:>9.1f} {1e3 * csv_s:>9.1f} "
                f"{1e3 * total:>9.1f} {1e3 * t['floor']:>9.1f} {total / t['floor']:>6.2f}x"
            )
        print(f"{'':>14} {shape[0]:,} rows x {shape[1]} columns; same bytes: yes")


if __name__ == "__main__":
    main()
