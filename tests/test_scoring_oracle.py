"""Oracle tests: windrose_sites.scoring against scikit-criteria and pymcdm on seeded data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import skcriteria as skc
from pymcdm import normalizations
from pymcdm.methods import PROMETHEE_II, TOPSIS, WPM, WSM
from skcriteria.agg.simple import WeightedSumModel
from skcriteria.agg.topsis import TOPSIS as SKC_TOPSIS
from skcriteria.pipelines import mkpipe
from skcriteria.preprocessing.invert_objectives import MinMaxInverter
from skcriteria.preprocessing.scalers import SumScaler, VectorScaler

from windrose_sites.scoring import score, score_array

TOL = 1e-9
# pymcdm warns when random data happen to contain a dominant or dominated row; harmless here.
PYMCDM_DOMINANCE = pytest.mark.filterwarnings(
    r"ignore:Alternatives with indices .* are domina(nt|ted)\. Consider removing them:UserWarning"
)
SHAPES = [(2, 1), (3, 2), (7, 4), (25, 6), (120, 10), (301, 7)]  # 301: folded min/max
SEEDS = [0, 1, 2]


def _problem(seed: int, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positive random matrix, raw (unnormalized) weights and a mixed benefit mask."""
    rng = np.random.default_rng(seed)
    matrix = rng.uniform(0.5, 100.0, size=shape)
    weights = rng.uniform(0.1, 5.0, size=shape[1])
    benefit = rng.random(shape[1]) < 0.5
    benefit[0] = True
    if shape[1] > 1:
        benefit[1] = False
    return matrix, weights, benefit


def _types(benefit: np.ndarray) -> np.ndarray:
    return np.where(benefit, 1, -1)


def _score_frame(matrix, weights, benefit, method):
    columns = [f"c{j}" for j in range(matrix.shape[1])]
    table = pd.DataFrame(matrix, columns=columns)
    directions = {c: "benefit" if b else "cost" for c, b in zip(columns, benefit, strict=True)}
    return score(table, dict(zip(columns, weights, strict=True)), directions, method=method)


@PYMCDM_DOMINANCE
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", SHAPES)
def test_wsm_matches_pymcdm(seed, shape):
    matrix, weights, benefit = _problem(seed, shape)
    expected = WSM(normalizations.minmax_normalization)(
        matrix, weights / weights.sum(), _types(benefit)
    )
    np.testing.assert_allclose(score_array(matrix, weights, benefit), expected, rtol=0, atol=TOL)
    result = _score_frame(matrix, weights, benefit, "wsm")
    np.testing.assert_allclose(result["score"], expected, rtol=0, atol=TOL)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", SHAPES)
def test_wsm_matches_skcriteria_pipeline(seed, shape):
    """MinMaxInverter does (max - x) / (max - min) for cost criteria, as our wsm."""
    matrix, weights, benefit = _problem(seed, shape)
    dm = skc.mkdm(matrix, [max if b else min for b in benefit], weights=weights)
    pipe = mkpipe(MinMaxInverter(), SumScaler(target="weights"), WeightedSumModel())
    expected = pipe.evaluate(dm).e_.score
    np.testing.assert_allclose(score_array(matrix, weights, benefit), expected, rtol=0, atol=TOL)


@PYMCDM_DOMINANCE
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", SHAPES)
def test_wpm_matches_pymcdm_linear_normalization(seed, shape):
    matrix, weights, benefit = _problem(seed, shape)
    expected = WPM(normalizations.linear_normalization)(
        matrix, weights / weights.sum(), _types(benefit)
    )
    np.testing.assert_allclose(
        score_array(matrix, weights, benefit, "wpm"), expected, rtol=0, atol=TOL
    )


@PYMCDM_DOMINANCE
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", [s for s in SHAPES if s[0] > 2])
def test_topsis_matches_pymcdm(seed, shape):
    matrix, weights, benefit = _problem(seed, shape)
    expected = TOPSIS(normalizations.vector_normalization)(
        matrix, weights / weights.sum(), _types(benefit)
    )
    np.testing.assert_allclose(
        score_array(matrix, weights, benefit, "topsis"), expected, rtol=0, atol=TOL
    )


@pytest.mark.filterwarnings("ignore:Although TOPSIS can operate with minimization:UserWarning")
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", [s for s in SHAPES if s[0] > 2])
def test_topsis_matches_skcriteria_pipeline(seed, shape):
    matrix, weights, benefit = _problem(seed, shape)
    dm = skc.mkdm(matrix, [max if b else min for b in benefit], weights=weights)
    pipe = mkpipe(SumScaler(target="weights"), VectorScaler(target="matrix"), SKC_TOPSIS())
    expected = pipe.evaluate(dm).e_.similarity
    np.testing.assert_allclose(
        score_array(matrix, weights, benefit, "topsis"), expected, rtol=0, atol=TOL
    )
    result = _score_frame(matrix, weights, benefit, "topsis")
    np.testing.assert_allclose(result["score"], expected, rtol=0, atol=TOL)


@PYMCDM_DOMINANCE
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", SHAPES)
def test_promethee_matches_pymcdm(seed, shape):
    matrix, weights, benefit = _problem(seed, shape)
    expected = PROMETHEE_II("usual")(matrix, weights / weights.sum(), _types(benefit))
    np.testing.assert_allclose(
        score_array(matrix, weights, benefit, "promethee"), expected, rtol=0, atol=TOL
    )
    result = _score_frame(matrix, weights, benefit, "promethee")
    np.testing.assert_allclose(result["score"], expected, rtol=0, atol=TOL)


@PYMCDM_DOMINANCE
@pytest.mark.parametrize("seed", SEEDS)
def test_promethee_matches_pymcdm_with_ties(seed):
    """Repeated values exercise the strict (usual) preference: ties prefer neither."""
    rng = np.random.default_rng(seed)
    matrix = rng.integers(0, 4, size=(40, 5)).astype(float)
    weights = rng.uniform(0.1, 1.0, size=5)
    benefit = np.array([True, False, True, False, True])
    expected = PROMETHEE_II("usual")(matrix, weights / weights.sum(), _types(benefit))
    np.testing.assert_allclose(
        score_array(matrix, weights, benefit, "promethee"), expected, rtol=0, atol=TOL
    )


@PYMCDM_DOMINANCE
def test_wsm_matches_pymcdm_with_constant_column():
    """pymcdm's minmax_normalization maps an all-equal column to ones; so do we."""
    matrix, weights, benefit = _problem(7, (9, 4))
    matrix[:, 2] = 3.0
    expected = WSM(normalizations.minmax_normalization)(
        matrix, weights / weights.sum(), _types(benefit)
    )
    np.testing.assert_allclose(score_array(matrix, weights, benefit), expected, rtol=0, atol=TOL)
