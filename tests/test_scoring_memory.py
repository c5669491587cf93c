"""Memory of windrose_sites.scoring.score: temporaries above its output (issue 16).

The target is set on 1,000,000 x 10 in ``benchmarks/bench_scoring.py --memory``; this test
checks the same bound on 20,000 x 10, large enough that the matrix-sized arrays dominate the
small, fixed allocations of pandas and the index. tracemalloc counts bytes, not time, so the
figure is the same on a busy machine.
"""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from windrose_sites.scoring import METHODS, score

N_ROWS, N_CRITERIA = 20_000, 10
TARGET = 1.5  # temporaries at most this multiple of the matrix


def _held_and_temporary(run: Callable[[], pd.DataFrame]) -> tuple[pd.DataFrame, int, int]:
    """Run; return the result, the bytes it still holds and the tracemalloc peak above those."""
    gc.collect()
    tracing = tracemalloc.is_tracing()
    if not tracing:
        tracemalloc.start()
    tracemalloc.reset_peak()
    base, _ = tracemalloc.get_traced_memory()
    result = run()
    current, peak = tracemalloc.get_traced_memory()
    if not tracing:
        tracemalloc.stop()
    return result, current - base, peak - current


def _table(gaps: bool) -> tuple[pd.DataFrame, dict[str, float], dict[str, str]]:
    rng = np.random.default_rng(16)
    x = rng.uniform(1.0, 100.0, size=(N_ROWS, N_CRITERIA))
    if gaps:  # missing values to impute and a non-positive criterion for the wpm shift
        x[rng.random(x.shape) < 0.01] = np.nan
        x[:, 1] -= 50.0
    columns = [f"c{j}" for j in range(N_CRITERIA)]
    weights = dict(zip(columns, rng.uniform(0.1, 1.0, N_CRITERIA), strict=True))
    directions = {c: "benefit" if j % 3 else "cost" for j, c in enumerate(columns)}
    return pd.DataFrame(x, columns=columns), weights, directions


@pytest.mark.parametrize("gaps", [False, True], ids=["complete", "gaps"])
@pytest.mark.parametrize("method", METHODS)
def test_temporaries_at_most_one_and_a_half_matrices(method, gaps):
    table, weights, directions = _table(gaps)
    missing = "worst" if gaps else "raise"
    matrix_bytes = N_ROWS * N_CRITERIA * 8

    result, held, temporary = _held_and_temporary(
        lambda: score(table, weights, directions, method=method, missing=missing)
    )

    assert len(result) == N_ROWS
    assert temporary <= TARGET * matrix_bytes, f"{temporary / matrix_bytes:.2f}x the matrix"
    # What is held is the output itself: score, rank, normalized values, the imputed mask and,
    # for the additive methods, the contributions; no second copy of the matrix stays behind.
    matrices = 2 if method in ("wsm", "promethee") else 1
    assert held <= (matrices + 0.125 + 0.2 + 0.05) * matrix_bytes
