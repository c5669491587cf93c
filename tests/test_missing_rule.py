"""Property tests for the missing-value, no-information and WPM rules of windrose_sites.scoring.

What is tested, for every method of ``scoring.METHODS``, on small integer-valued problems with
zeros, negative values and random gaps (``missing="worst"``):

- **A gap never scores like a known value.** On a criterion with at least two different known
  values, the normalized value of every missing cell is strictly worse than that of every known
  cell (oriented by the criterion's direction), so it never gets full marks and never ties.
- **A twin with a gap loses.** A site that equals another except for a gap on such a criterion
  (weight > 0) has a strictly lower score and a strictly worse rank.
- **A criterion whose known values are all equal carries no information.** It is listed in
  ``attrs["no_information"]`` (and nothing else is), all its normalized values are equal, and
  changing its raw weight from 0 to ``c`` (the other raw weights, summing to ``W``, fixed)
  changes the scores only by the renormalization of the weights: ``s_c = (W s_0 + c) / (W + c)``
  for wsm (its normalized value is 1), ``W s_0 / (W + c)`` for promethee (0),
  ``s_0 ** (W / (W + c))`` for wpm (ratio 1) and ``s_0`` for topsis (no distance); ranks are
  unchanged.
- **Complete data is untouched.** Without gaps ``missing="worst"`` equals ``missing="raise"``,
  and positive data is never shifted by the WPM rule.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from windrose_sites import comparison, scoring
from windrose_sites.scoring import METHODS, score, score_array

PROPERTY = settings(max_examples=60, deadline=None)
TIE = 1e-12  # scoring ranks on 12 decimals


@st.composite
def gappy_problems(draw, min_rows=2):
    """Integer values in -50..50 (zeros and negatives included), random gaps, weights 0..5."""
    n = draw(st.integers(min_rows, 9))
    m = draw(st.integers(1, 4))
    matrix = draw(hnp.arrays(np.float64, (n, m), elements=st.integers(-50, 50).map(float)))
    gaps = draw(hnp.arrays(np.bool_, (n, m), elements=st.booleans()))
    matrix[gaps] = np.nan
    weights = draw(hnp.arrays(np.float64, m, elements=st.integers(0, 5).map(float)))
    weights[draw(st.integers(0, m - 1))] += 1.0
    benefit = draw(hnp.arrays(np.bool_, m))
    return matrix, weights, benefit


def _frame(matrix, weights, benefit):
    columns = [f"c{j}" for j in range(matrix.shape[1])]
    table = pd.DataFrame(matrix, columns=columns, index=[f"s{i}" for i in range(len(matrix))])
    w = dict(zip(columns, weights, strict=True))
    d = {c: "benefit" if b else "cost" for c, b in zip(columns, benefit, strict=True)}
    return table, w, d


def _oriented(result, directions, method):
    """Normalized values with higher = better for every method and direction."""
    normalized = result.attrs["normalized"]
    if method != "topsis":  # wsm, wpm and promethee normalize to higher = better already
        return normalized
    sign = pd.Series({c: 1.0 if directions[c] == "benefit" else -1.0 for c in normalized})
    return normalized * sign


def _informative(column: pd.Series) -> bool:
    return column.dropna().nunique() >= 2


@PROPERTY
@given(problem=gappy_problems(), method=st.sampled_from(METHODS))
def test_a_gap_is_strictly_worse_than_every_known_value(problem, method):
    table, weights, directions = _frame(*problem)
    result = score(table, weights, directions, method=method, missing="worst")
    assert np.isfinite(result["score"]).all()
    oriented = _oriented(result, directions, method)
    for c in table.columns:
        gaps = table[c].isna()
        if not gaps.any() or not _informative(table[c]):
            continue
        assert oriented.loc[gaps, c].max() < oriented.loc[~gaps, c].min()
        best = oriented[c].max()
        assert (oriented.loc[gaps, c] < best).all()  # never full marks
        assert result.attrs["imputed"][c].equals(gaps)


@PROPERTY
@given(problem=gappy_problems(), method=st.sampled_from(METHODS), data=st.data())
def test_a_twin_with_a_gap_scores_and_ranks_below_its_known_twin(problem, method, data):
    matrix, weights, benefit = problem
    j = data.draw(st.integers(0, matrix.shape[1] - 1))
    i = data.draw(st.integers(0, matrix.shape[0] - 1))
    assume(not np.isnan(matrix[i, j]) and weights[j] > 0)
    assume(len(np.unique(matrix[~np.isnan(matrix[:, j]), j])) >= 2)
    twin = matrix[i].copy()
    twin[j] = np.nan
    table, w, d = _frame(np.vstack([matrix, twin]), weights, benefit)
    result = score(table, w, d, method=method, missing="worst")
    known, gap = table.index[i], table.index[-1]
    assert result.at[gap, "score"] < result.at[known, "score"] - TIE
    assert result.at[gap, "rank"] > result.at[known, "rank"]


@st.composite
def flat_problems(draw):
    """A gappy problem plus one more criterion whose known values are all equal (or none)."""
    matrix, weights, benefit = draw(gappy_problems())
    n = matrix.shape[0]
    flat = np.full(n, float(draw(st.integers(-50, 50))))
    flat[draw(hnp.arrays(np.bool_, n, elements=st.booleans()))] = np.nan
    raw = float(draw(st.integers(1, 20)))
    flat_benefit = draw(st.booleans())
    return (
        np.column_stack([matrix, flat]),
        np.append(weights, raw),
        np.append(benefit, flat_benefit),
    )


def _renormalized(method: str, s0: np.ndarray, others: float, c: float) -> np.ndarray:
    """Scores with the flat criterion at raw weight c, from the scores at weight 0."""
    if method == "wsm":
        return (others * s0 + c) / (others + c)
    if method == "promethee":
        return others * s0 / (others + c)
    if method == "wpm":
        return s0 ** (others / (others + c))
    return s0


@PROPERTY
@given(problem=flat_problems(), method=st.sampled_from(METHODS))
def test_a_flat_criterion_carries_no_information(problem, method):
    matrix, weights, benefit = problem
    table, w, d = _frame(matrix, weights, benefit)
    flat = table.columns[-1]
    result = score(table, w, d, method=method, missing="worst")
    expected_flat = [c for c in table.columns if not _informative(table[c])]
    assert result.attrs["no_information"] == expected_flat
    assert result.attrs["normalized"][flat].nunique() == 1
    if method in ("wsm", "promethee"):
        assert result[f"contrib_{flat}"].nunique() == 1  # every site gets the same share
    without = score(table, {**w, flat: 0.0}, d, method=method, missing="worst")
    others, c = float(weights[:-1].sum()), float(weights[-1])
    expected = _renormalized(method, without["score"].to_numpy(), others, c)
    np.testing.assert_allclose(result["score"], expected, rtol=0, atol=1e-9)
    assert result["rank"].tolist() == without["rank"].tolist()


@PROPERTY
@given(problem=gappy_problems(min_rows=1), method=st.sampled_from(METHODS))
def test_complete_data_is_scored_as_before(problem, method):
    matrix, weights, benefit = problem
    matrix = np.nan_to_num(matrix, nan=7.0)
    table, w, d = _frame(matrix, weights, benefit)
    raised = score(table, w, d, method=method)
    worst = score(table, w, d, method=method, missing="worst")
    pd.testing.assert_frame_equal(raised, worst)
    assert not worst.attrs["imputed"].to_numpy().any()
    positive = score(table.abs() + 1.0, w, d, method=method)
    assert positive.attrs["shifted"] == {}


@PROPERTY
@given(problem=gappy_problems(min_rows=1))
def test_wpm_with_zeros_and_negatives_is_finite_and_matches_score_array(problem):
    matrix, weights, benefit = problem
    filled = matrix.copy()
    scoring.impute_worst(filled, benefit)
    table, w, d = _frame(matrix, weights, benefit)
    result = score(table, w, d, method="wpm", missing="worst")
    fast = score_array(filled, weights, benefit, "wpm")
    assert np.isfinite(fast).all()
    assert ((fast > 0) & (fast <= 1)).all()
    np.testing.assert_allclose(result["score"], fast, rtol=0, atol=1e-12)
    assert (result.attrs["normalized"].to_numpy() > 0).all()
    shifted = set(result.attrs["shifted"])
    assert shifted == {c for c, v in zip(table.columns, filled.min(axis=0), strict=True) if v <= 0}


def test_rules_are_plain_sentences():
    """The pages quote these: at most two plain sentences, stating the margins in use."""
    for rule in (scoring.MISSING_RULE, scoring.NO_INFORMATION_RULE, scoring.WPM_RULE):
        assert isinstance(rule, str)
        assert rule.endswith(".")
        assert len(rule) < 400
        assert rule.count(". ") <= 1
    assert scoring.MISSING_MARGIN == 0.1
    assert "a tenth" in scoring.MISSING_RULE
    assert scoring.WPM_FLOOR_SHARE == 0.1
    assert "a tenth" in scoring.WPM_RULE


def test_impute_worst_keeps_its_signature_for_the_surface():
    """surface.py calls ``impute_worst(matrix, benefit)`` and keeps the returned NaN mask."""
    x = np.array([[1.0, np.nan, np.nan], [3.0, 2.0, np.nan], [np.nan, 2.0, np.nan]])
    mask = scoring.impute_worst(x, np.array([True, False, True]))
    assert mask.tolist() == [[False, True, True], [False, False, True], [True, False, True]]
    assert x.tolist() == [[1.0, 2.0, 1.0], [3.0, 2.0, 1.0], [0.8, 2.0, 1.0]]


def test_compare_page_note_names_the_flat_criteria():
    table = pd.DataFrame({"duty_pct": [54.0, np.nan, 54.0], "port_km": [1.0, 2.0, 3.0]})
    crit = pd.DataFrame({"label": ["Import duty", "Port"]}, index=["duty_pct", "port_km"])
    w, d = {"duty_pct": 1.0, "port_km": 1.0}, {"duty_pct": "cost", "port_km": "cost"}
    note = comparison.no_information_note(score(table, w, d, missing="worst"), crit)
    assert note == f"No information in Import duty: {scoring.NO_INFORMATION_RULE}"
    assert comparison.no_information_note(score(table.fillna(10.0), w, d), crit) is None
    assert scoring.WPM_RULE in comparison.METHOD_NOTES["wpm"]
