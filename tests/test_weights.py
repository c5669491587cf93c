"""Unit, degenerate-case and golden tests for windrose_sites.weights (moved from test_scoring).

Group -> criterion weights and AHP weights with Saaty's consistency ratio.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from windrose_sites import scoring
from windrose_sites.weights import ahp_weights, criterion_weights


def test_scoring_reexports_the_weights():
    assert scoring.ahp_weights is ahp_weights
    assert scoring.criterion_weights is criterion_weights


def test_criterion_weights_equal_split_by_default():
    groups = {"port_km": "logistics", "rail_km": "logistics", "jobs": "jobs", "tax": "cost"}
    weights = criterion_weights(groups, {"logistics": 2, "jobs": 1, "cost": 1})
    assert weights.name == "weight"
    assert weights.index.tolist() == list(groups)
    assert weights.to_dict() == pytest.approx(
        {"port_km": 0.25, "rail_km": 0.25, "jobs": 0.25, "tax": 0.25}
    )


def test_criterion_weights_within_and_zero_groups():
    groups = {"port_km": "logistics", "rail_km": "logistics", "jobs": "jobs", "tax": "cost"}
    within = {"port_km": 3, "rail_km": 1, "tax": 0}  # cost group: all within-weights 0
    weights = criterion_weights(groups, {"logistics": 1, "jobs": 1, "cost": 5}, within)
    assert weights.to_dict() == pytest.approx(
        {"port_km": 0.375, "rail_km": 0.125, "jobs": 0.5, "tax": 0.0}
    )
    zero_group = criterion_weights(groups, {"logistics": 0, "jobs": 1, "cost": 1})
    assert zero_group.to_dict() == pytest.approx(
        {"port_km": 0.0, "rail_km": 0.0, "jobs": 0.5, "tax": 0.5}
    )
    assert zero_group.sum() == pytest.approx(1.0)


def test_criterion_weights_errors():
    groups = {"a": "g1", "b": "g2"}
    with pytest.raises(ValueError, match=r"missing for \['g2'\].*unknown groups \['g3'\]"):
        criterion_weights(groups, {"g1": 1, "g3": 1})
    with pytest.raises(ValueError, match=r"Weight of group 'g1' is -1.0"):
        criterion_weights(groups, {"g1": -1, "g2": 1})
    with pytest.raises(ValueError, match=r"Unknown criteria \['c'\] in within"):
        criterion_weights(groups, {"g1": 1, "g2": 1}, {"c": 1})
    with pytest.raises(ValueError, match=r"Within weight of 'a' is -2.0"):
        criterion_weights(groups, {"g1": 1, "g2": 1}, {"a": -2})
    with pytest.raises(ValueError, match="Every criterion has weight 0"):
        criterion_weights(groups, {"g1": 0, "g2": 0})


def test_ahp_consistent_matrix():
    true = np.array([0.5, 0.3, 0.2])
    pairwise = true[:, None] / true[None, :]
    weights, cr = ahp_weights(pairwise, labels=["port", "jobs", "cost"])
    np.testing.assert_allclose(weights, true, atol=1e-12)
    assert weights.index.tolist() == ["port", "jobs", "cost"]
    assert cr == pytest.approx(0.0, abs=1e-12)


def test_ahp_small_and_labelled():
    weights, cr = ahp_weights([[1.0]])
    assert weights.tolist() == [1.0]
    assert cr == 0.0
    frame = pd.DataFrame([[1, 2], [0.5, 1]], index=["a", "b"], columns=["a", "b"])
    weights, cr = ahp_weights(frame)
    assert weights.to_dict() == pytest.approx({"a": 2 / 3, "b": 1 / 3})
    assert cr == 0.0


def test_ahp_inconsistent_cr_is_reported_not_raised():
    # a > b (9), b > c (9) but c > a (9): wildly intransitive.
    pairwise = np.array([[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]])
    weights, cr = ahp_weights(pairwise)
    assert cr > 0.1
    np.testing.assert_allclose(weights, [1 / 3] * 3, atol=1e-9)


@pytest.mark.parametrize(
    ("pairwise", "message"),
    [
        (np.ones((2, 3)), "must be square"),
        (np.ones((0, 0)), "must be square"),
        (np.ones((16, 16)), "at most 15"),
        (np.array([[1, -2], [-0.5, 1]]), "finite numbers > 0"),
        (np.array([[1, 3], [3, 1]]), r"not reciprocal at \(0, 1\)"),
        (np.array([[2, 1], [1, 1]]), r"not reciprocal at \(0, 0\)"),
    ],
)
def test_ahp_validation(pairwise, message):
    with pytest.raises(ValueError, match=message):
        ahp_weights(pairwise)


def test_ahp_label_mismatch():
    with pytest.raises(ValueError, match="Got 1 labels for a 2 x 2 matrix"):
        ahp_weights([[1, 2], [0.5, 1]], labels=["a"])


def test_ahp_tolerates_rounded_reciprocals():
    weights, _ = ahp_weights([[1, 7, 3], [0.14, 1, 0.33], [0.33, 3, 1]])
    assert weights.idxmax() == 0


def test_golden_ahp_saaty_wealth_of_nations():
    """Saaty's relative wealth of seven nations (US, USSR, China, France, UK, Japan, FRG).

    Source: Saaty, T. L. (1977). A scaling method for priorities in hierarchical
    structures. *J. Math. Psychology* 15(3), 234-281,
    https://doi.org/10.1016/0022-2496(77)90033-5; restated in Saaty (2013), On the
    measurement of intangibles, *Notices of the AMS* 60(2), 192-208,
    https://doi.org/10.1090/noti944 (text at
    https://studylib.net/doc/18855381/on-the-measurement-of-intangibles.-a-principal-eigenvector).
    Published eigenvector 0.427, 0.230, 0.021, 0.052, 0.052, 0.123, 0.094 and
    lambda_max = 7.61, so CR = (7.61 - 7) / 6 / 1.32 = 0.08 (Saaty's RI for n = 7).
    """
    pairwise = np.array(
        [
            [1, 4, 9, 6, 6, 5, 5],
            [1 / 4, 1, 7, 5, 5, 3, 4],
            [1 / 9, 1 / 7, 1, 1 / 5, 1 / 5, 1 / 7, 1 / 5],
            [1 / 6, 1 / 5, 5, 1, 1, 1 / 3, 1 / 3],
            [1 / 6, 1 / 5, 5, 1, 1, 1 / 3, 1 / 3],
            [1 / 5, 1 / 3, 7, 3, 3, 1, 2],
            [1 / 5, 1 / 4, 5, 3, 3, 1 / 2, 1],
        ]
    )
    nations = ["US", "USSR", "China", "France", "UK", "Japan", "W. Germany"]
    weights, cr = ahp_weights(pairwise, labels=nations)
    expected = [0.427, 0.230, 0.021, 0.052, 0.052, 0.123, 0.094]
    np.testing.assert_allclose(weights, expected, atol=5e-4)
    lambda_max = 7 + cr * 6 * 1.32
    assert round(lambda_max, 2) == 7.61
    assert round(cr, 2) == 0.08
