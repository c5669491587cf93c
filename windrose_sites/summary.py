"""The decision in a few sentences: leader, runner-up and margin, robustness, caveats.

What a board member reads first (the Overview page, the memo): who is first under the stated
weights and method, by how much, how often that holds when the weights are uncertain, whether
the four methods agree (and which one puts another site first), and which values behind the
answer are fallbacks, imputed, the user's own or not comparable across regions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from windrose_sites import health, limits, sensitivity
from windrose_sites.decision import Ranking
from windrose_sites.vocab import Method

__all__ = ["SMAA_SAMPLES", "SMAA_SPREAD", "Summary", "decide"]

#: Weight samples of the robustness sentence (a few hundredths of a second for the shortlist).
SMAA_SAMPLES = 2_000
#: Dirichlet concentration around the current weights: "the current weights, give or take".
SMAA_SPREAD = 100.0
METHOD_NAMES = {
    "wsm": "the weighted sum",
    "wpm": "the weighted product",
    "topsis": "TOPSIS",
    "promethee": "PROMETHEE II",
}


@dataclass(frozen=True)
class Summary:
    """The decision summary of one ranking (plain sentences, ready to show)."""

    leader: str
    runner_up: str | None
    margin: float | None
    answer: str
    robustness: str
    methods: str
    caveats: list[str] = field(default_factory=list)
    first_share: float | None = None  # how often the leader is first under weight uncertainty
    methods_agree: bool | None = None


def _pct(x: float) -> str:
    return f"{100 * x:.0f} %"


def decide(
    ranking: Ranking,
    table: pd.DataFrame,
    criteria: pd.DataFrame,
    provenance: pd.DataFrame,
    names: pd.Series,
    *,
    method: Method,
    selected: tuple[str, ...] = (),
    seed: int = 0,
) -> Summary:
    """Summarise a ranking for a board: answer, robustness, method agreement and caveats.

    ``criteria`` carries the directions in use (flips applied). The robustness analyses run
    on :func:`windrose_sites.limits.focus_sites` (the leaders plus the selection), so their
    cost stays bounded for any number of uploaded sites.

    Parameters
    ----------
    ranking
        From :func:`windrose_sites.decision.evaluate` (or ``pipeline.rank``).
    table, provenance, names
        The working set's values, provenance and site names.
    method
        The method of the ranking (one of :data:`windrose_sites.scoring.METHODS`).
    selected
        The user's selected sites (always analysed).
    seed
        Seed of the weight samples: the same seed gives the same sentences.
    """
    result = ranking.result
    order = result.sort_values("rank").index
    leader = order[0]
    lead_name = str(names.get(leader, leader))
    runner = order[1] if len(order) > 1 else None
    margin = (
        None if runner is None else float(result.at[leader, "score"] - result.at[runner, "score"])
    )
    if runner is None:
        answer = f"{lead_name} is the only site ranked under the current filters."
    else:
        answer = (
            f"Under the stated weights and {METHOD_NAMES.get(method, method)}, {lead_name} is "
            f"first with a score of {result.at[leader, 'score']:.3f}; "
            f"{names.get(runner, runner)} follows at {result.at[runner, 'score']:.3f}, "
            f"{margin:.3f} behind."
        )
    used = ranking.weights[ranking.weights > 0]
    focus = limits.focus_sites(result, selected)
    sub = table.loc[focus, used.index]
    directions = criteria.loc[used.index, "direction"].to_dict()
    first_share = None
    robustness = "With a single site there is nothing to be robust against."
    agree_flag = None
    methods = ""
    if len(focus) > 1:
        # one validated problem for both analyses, normalized over the focus sites (as always)
        problem = sensitivity.Problem(
            sub, used.to_dict(), directions, method=method, missing="worst"
        )
        acc = sensitivity.smaa.rank_acceptability(
            problem, samples=SMAA_SAMPLES, seed=seed, spread=SMAA_SPREAD
        )
        first = acc[1]
        first_share = float(first.get(leader, 0.0))
        spread = sensitivity.relative_spread(used.to_dict(), SMAA_SPREAD)
        robustness = (
            f"When every weight is allowed to vary by about ±{_pct(spread)} around its current "
            f"value ({SMAA_SAMPLES:,} samples), {lead_name} stays first in "
            f"{_pct(first_share)} of them"
        )
        challenger = first.drop(leader, errors="ignore")
        if len(challenger) and challenger.max() > 0:
            c = challenger.idxmax()
            robustness += f"; {names.get(c, c)} is first in {_pct(float(challenger.max()))}"
        robustness += "."
        agree = sensitivity.agreement.method_agreement(problem)  # (method plays no part)
        firsts = {m: agree[m].idxmin() for m in agree.columns}
        others = {m: s for m, s in firsts.items() if s != leader}
        agree_flag = not others
        if agree_flag:
            methods = f"All {len(firsts)} methods put {lead_name} first."
        else:
            parts = [
                f"{METHOD_NAMES.get(m, m)} puts {names.get(s, s)} first" for m, s in others.items()
            ]
            methods = "The methods disagree: " + "; ".join(parts) + "."
    written = [leader, *([runner] if runner is not None else [])]
    caveats = health.site_caveats(provenance, criteria, ranking.weights.to_dict(),
                                  pd.Index(written), result.attrs.get("imputed"))  # fmt: skip
    written_names = {s: names.get(s, s) for s in written}  # not all 10,000 names, twice
    lines = [health.summary_sentence(caveats, written_names, s) for s in written]
    lines = [x for x in lines if x]
    comparable = criteria.get("comparable")
    if comparable is not None:
        for c in used.index:
            if str(comparable.get(c, "yes")) != "yes":
                lines.append(
                    f"{criteria.at[c, 'label']} ({_pct(float(used[c]))} of the weight) is "
                    f"{'not' if comparable[c] == 'no' else 'only partly'} comparable across "
                    "regions."
                )
    return Summary(
        leader=leader,
        runner_up=runner,
        margin=margin,
        answer=answer,
        robustness=robustness,
        methods=methods,
        caveats=lines,
        first_share=first_share,
        methods_agree=agree_flag,
    )
