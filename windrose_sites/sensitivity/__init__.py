"""How robust is a ranking to its weights: walking weights, SMAA-2, stability, method agreement.

Build a :class:`Problem` once (it validates the inputs by calling
:func:`windrose_sites.scoring.score` once, at the current weights), then run the analyses on
it:

- :mod:`.sweep`: one-at-a-time weight sweeps, crossovers, head-to-head answers, stability
  intervals (:mod:`.wording` holds their sentences);
- :mod:`.smaa`: SMAA-2 rank acceptability, with uncertain values from :mod:`.values`;
- :mod:`.agreement`: the four methods' ranks side by side, Kendall's tau.

The functions of the same names at package level keep the original signatures (``table``,
``weights``, ``directions``, ``method``, ``missing``, ...): each builds its own Problem.

After validation the work is batched numpy: the four methods are rewritten as matrix products
over many weight vectors at once,

- ``"wsm"`` and ``"promethee"``: ``scores = W @ V.T`` with ``V`` the min-max values or the
  single-criterion net flows (both are linear in the weights);
- ``"wpm"``: ``log scores = W @ log(R).T`` with ``R`` the ratios to the best value;
- ``"topsis"``: ``d± = sqrt((W * W) @ D±.T)`` with ``D±`` the squared unweighted distances of
  the vector-normalized values to the ideal and anti-ideal (the weights are >= 0, so the
  weighted ideal is the weighted unweighted ideal).

With ``Problem(..., among=site_ids)`` the values are normalized over every site and only the
listed sites are analysed (a shortlist keeps the scores of the full ranking). Scores within
1e-12 of each other tie and share the best rank, as in :mod:`windrose_sites.scoring`.
"""

from __future__ import annotations

from windrose_sites.sensitivity import agreement, smaa, sweep, values, wording
from windrose_sites.sensitivity._compat import (
    crossovers,
    head_to_head,
    method_agreement,
    rank_acceptability,
    sample_values,
    stability_intervals,
    weight_sweep,
)
from windrose_sites.sensitivity.agreement import _tau  # noqa: F401 (the unit tests use it)
from windrose_sites.sensitivity.problem import Missing, Problem
from windrose_sites.sensitivity.problem import ranks as _ranks  # noqa: F401 (as _tau)
from windrose_sites.sensitivity.smaa import relative_spread
from windrose_sites.sensitivity.values import (
    VALUE_RULE,
    VALUE_SPREAD,
    ValueUncertainty,
    value_ranges,
    value_scores,
)

__all__ = [
    "VALUE_RULE",
    "VALUE_SPREAD",
    "Missing",
    "Problem",
    "ValueUncertainty",
    "agreement",
    "crossovers",
    "head_to_head",
    "method_agreement",
    "rank_acceptability",
    "relative_spread",
    "sample_values",
    "smaa",
    "stability_intervals",
    "sweep",
    "value_ranges",
    "value_scores",
    "values",
    "weight_sweep",
    "wording",
]
