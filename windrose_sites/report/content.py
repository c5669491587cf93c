"""What the decision memo says, as plain data: sentences and small tables, no layout.

:func:`memo_content` evaluates a shared link's state exactly as the pages do (pipeline →
ranking → cost model → sensitivity → data health) and returns a :class:`MemoContent`; the
PDF writer (:mod:`windrose_sites.report.memo`) only lays it out. Every number is formatted
here, per unit, so the memo and its tests read the same strings.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import SupportsFloat

import numpy as np
import pandas as pd

from windrose_sites import comparison, health, limits, pipeline, sensitivity
from windrose_sites.catalog import DATA_DIR

__all__ = [
    "METHOD_LABELS",
    "SMAA_SAMPLES",
    "MemoContent",
    "data_version",
    "evaluate",
    "memo_content",
]

METHOD_LABELS = {
    "wsm": "Weighted sum (WSM)",
    "wpm": "Weighted product (WPM)",
    "topsis": "TOPSIS",
    "promethee": "PROMETHEE II",
}
DIRECTION_WORDS = {"benefit": "higher is better", "cost": "lower is better"}
#: Weight samples of the SMAA rank acceptability (the Sensitivity page's default), seed 0.
SMAA_SAMPLES = 10_000
#: Monte Carlo draws of the cost model, seed 0.
COST_SAMPLES = 10_000
_URL = re.compile(r"https?://[^\s;,)\]]+")
_DATA_FILES = ("*.csv", "*.geojson")


def data_version() -> str:
    """A short fingerprint of the shipped data files: ``"data 3f9a…c1 (12 files)"``.

    SHA-256 over the names and bytes of ``data/*.csv`` and ``data/*.geojson`` (the scenario
    store is not data), first 12 hex digits: two memos with the same version read the same data.
    """
    digest = hashlib.sha256()
    files = sorted(p for pattern in _DATA_FILES for p in DATA_DIR.glob(pattern))
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return f"data {digest.hexdigest()[:12]} ({len(files)} files)"


def fmt_value(value: SupportsFloat | str | None, unit: str = "") -> str:
    """A value formatted for its unit: integers with separators for big numbers, "—" if missing.

    Examples
    --------
    >>> fmt_value(10510.9458, "nm"), fmt_value(7.456, "%"), fmt_value(float("nan"), "km")
    ('10,511 nm', '7.5 %', '—')
    """
    if value is None:
        return "—"
    try:
        x = float(value)
    except (TypeError, ValueError):
        return "—"
    if not np.isfinite(x):
        return "—"
    if unit == "%":
        return f"{x:.1f} %"
    if abs(x) >= 100 or unit in ("nm", "km", "people"):
        text = f"{x:,.0f}"
    elif abs(x) >= 1:
        text = f"{x:,.2f}".rstrip("0").rstrip(".")
    else:
        text = f"{x:.3g}"
    return f"{text} {unit}".strip()


def eur(x: float) -> str:
    """Whole euros with separators, the sign in front: ``"EUR 18,424"``, ``"−EUR 550"``."""
    return f"{'−' if x < -0.5 else ''}EUR {abs(x):,.0f}"


@dataclass
class MemoContent:
    """Everything the memo prints, in order (see the section comments)."""

    query: str  # the canonical query of the state (what the app's URL holds)
    given_query: str
    data_version: str
    date: str
    method: str
    warnings: list[str]
    # 1. question and answer
    answer: str
    leader: str
    group_weights: list[tuple[str, str]]  # (group, "16.7 %")
    # 2. map
    map_png: bytes | None = None
    # 3. ranking and weights
    ranking_rows: list[list[str]] = field(default_factory=list)
    weight_rows: list[list[str]] = field(default_factory=list)
    weight_notes: list[str] = field(default_factory=list)
    contribution_png: bytes | None = None
    # 4. money
    tariff: str = ""
    money_sentences: list[str] = field(default_factory=list)
    money_rows: list[list[str]] = field(default_factory=list)
    component_header: list[str] = field(default_factory=list)
    component_rows: list[list[str]] = field(default_factory=list)
    cost_png: bytes | None = None
    break_even: list[str] = field(default_factory=list)
    # 5. robustness
    robustness: list[str] = field(default_factory=list)
    stability: list[str] = field(default_factory=list)
    crossings: list[str] = field(default_factory=list)
    method_rows: list[list[str]] = field(default_factory=list)
    # 6. data health
    health_sentences: list[str] = field(default_factory=list)
    health_rows: list[list[str]] = field(default_factory=list)
    # 7. sources
    value_rows: list[list[str]] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)


def evaluate(query: str, inputs: pipeline.Inputs, work: pipeline.WorkingSet | None = None):
    """State, warnings, working set and ranking of a link (``NoRankingError`` if none)."""
    state, warnings = pipeline.parse_state(query, inputs)
    work = pipeline.working_set(inputs) if work is None else work
    return state, warnings, work, pipeline.rank(work, inputs, state)


def _group_shares(weights: pd.Series, criteria: pd.DataFrame) -> pd.Series:
    groups = pipeline.catalog.GROUPS
    share = weights.groupby(criteria["group"].reindex(weights.index)).sum()
    return share.reindex([g for g in groups if g in share.index]).fillna(0.0)


def _answer(result: pd.DataFrame, names: pd.Series, method: str, shares: pd.Series) -> str:
    order = result.sort_values(["rank", "score"], ascending=[True, False]).index
    lead = order[0]
    weights = ", ".join(f"{g} {100 * w:.1f} %" for g, w in shares.items())
    text = (
        f"Which candidate site should Windrose choose? Under the stated weights ({weights}) "
        f"and the {METHOD_LABELS[method]} method, {names[lead]} ranks first of "
        f"{len(result):,} ranked sites with a score of {result.at[lead, 'score']:.3f}."
    )
    if len(order) > 1:
        second = order[1]
        gap = result.at[lead, "score"] - result.at[second, "score"]
        text += (
            f" The runner-up is {names[second]} with {result.at[second, 'score']:.3f}, "
            f"{gap:.3f} behind" + (" (a tie)." if gap <= 1e-12 else ".")
        )
    return text


def _weights(criteria: pd.DataFrame, weights: pd.Series, directions: pd.Series) -> list[list[str]]:
    rows = []
    for c in criteria.index:
        rows.append(
            [
                str(criteria.at[c, "label"]),
                str(criteria.at[c, "group"]),
                str(criteria.at[c, "unit"]),
                DIRECTION_WORDS.get(directions[c], directions[c]),
                f"{100 * float(weights.get(c, 0.0)):.1f} %",
            ]
        )
    return rows


def _single_groups(criteria: pd.DataFrame, weights: pd.Series) -> list[str]:
    used = criteria[weights.reindex(criteria.index).fillna(0) > 0]
    notes = []
    for group, rows in used.groupby("group", sort=False):
        if len(rows) == 1:
            share = float(weights[rows.index].sum())
            notes.append(
                f"The {group} group holds a single weighted criterion "
                f"({rows['label'].iloc[0]}), which alone carries {100 * share:.1f} %."
            )
    return notes


def _addresses(text: object) -> list[str]:
    return [u.rstrip(".") for u in _URL.findall(str(text))]


@dataclass
class _Sources:
    """Numbered source addresses, in order of first use."""

    numbers: dict[str, int] = field(default_factory=dict)

    def refs(self, source: object) -> str:
        found = _addresses(source) or ([str(source).strip()] if str(source).strip() else [])
        out = []
        for item in found:
            out.append(self.numbers.setdefault(item, len(self.numbers) + 1))
        return ", ".join(f"[{n}]" for n in dict.fromkeys(out)) or "—"

    def listing(self) -> list[str]:
        return [f"[{n}] {a}" for a, n in self.numbers.items()]


def _year(value: object) -> str:
    y = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    return "—" if pd.isna(y) else str(int(y))


def memo_content(
    query: str,
    inputs: pipeline.Inputs | None = None,
    *,
    work: pipeline.WorkingSet | None = None,
    edits: Mapping[str, Mapping[str, float | None]] | None = None,
    tariff: str = "today",
    today: dt.date | None = None,
    images: bool = True,
) -> MemoContent:
    """Evaluate ``query`` as the app does and gather what the memo prints.

    ``work`` is the page's working set (the user's sites and edits); ``edits`` are passed to
    the cost model too. ``images=False`` skips the map and charts (for quick tests).
    Raises :class:`~windrose_sites.errors.NoRankingError` when nothing can be ranked.
    """
    from windrose_sites import cost as wcost

    inputs = pipeline.load_inputs() if inputs is None else inputs
    state, warnings, work, ranking = evaluate(query, inputs, work)
    result, names = ranking.result, work.attributes["name"].astype(str)
    crit = pipeline.criteria_for(state, inputs.criteria)
    shares = _group_shares(ranking.weights, crit)
    leader = result.sort_values(["rank", "score"], ascending=[True, False]).index[0]
    content = MemoContent(
        query=pipeline.query_string(state, inputs),
        given_query=str(query),
        data_version=data_version(),
        date=(today or dt.date.today()).isoformat(),
        method=METHOD_LABELS[state.method],
        warnings=list(warnings),
        answer=_answer(result, names, state.method, shares),
        leader=names[leader],
        group_weights=[(g, f"{100 * w:.1f} %") for g, w in shares.items()],
    )
    order = result.sort_values(["rank", "score"], ascending=[True, False]).index
    attrs = work.attributes
    content.ranking_rows = [
        [str(int(result.at[s, "rank"])), names[s], str(attrs.at[s, "country"]),
         f"{result.at[s, 'score']:.3f}"]
        for s in order
    ]  # fmt: skip
    content.weight_rows = _weights(crit, ranking.weights, crit["direction"])
    content.weight_notes = _single_groups(crit, ranking.weights)
    note = comparison.no_information_note(result, crit)
    if note:
        content.weight_notes.append(note)
    sources = _Sources()
    _values(content, work, crit, ranking, names, order, sources)
    _money(content, state, inputs, edits, tariff, names, order, sources, images, wcost)
    _robustness(content, state, work, crit, ranking, names)
    _health(content, work, crit, ranking, names)
    if images:
        _images(content, work, inputs, result, names, crit)
    content.addresses = sources.listing()
    return content


def _money(content, state, inputs, edits, tariff, names, order, sources, images, wcost) -> None:
    """Section 4: landed cost per truck, 10-year cost, P10–P90, p_cheapest, tariffs."""
    from windrose_sites.cost.tornado import short_name

    overrides = wcost.tariff_scenario(tariff)
    content.tariff = f"{tariff}: {wcost.TARIFF_LABELS[tariff]}"
    try:
        model, _ = wcost.tables.model_for_state(state, inputs, edits, overrides)
    except wcost.CostError as exc:
        content.money_sentences = [f"No cost model for this state: {exc}"]
        return
    table = wcost.cost_table(model, COST_SAMPLES, seed=0)
    table = table.set_index("site_id", drop=False)
    label = table["site_id"].map(names).fillna(table["name"])
    cheapest = table["total_eur_per_truck"].idxmin()
    gap = table.attrs.get("gap", {})
    content.money_sentences = [
        (
            f"Cheapest landed cost per truck: {label[cheapest]} at "
            f"{eur(table.at[cheapest, 'total_eur_per_truck'])} per truck (cost model, "
            f"{COST_SAMPLES:,} Monte Carlo draws, seed 0)."
        ),
    ]
    if gap.get("runner_up") in table.index:
        content.money_sentences.append(
            f"Between {label[gap['leader']]} and {label[gap['runner_up']]} the gap per truck is "
            f"{eur(gap['gap_p10'])} to {eur(gap['gap_p90'])} (P10–P90); the order flips in "
            f"{100 * gap['p_flip']:.0f} % of the draws."
        )
    ranked = [s for s in order if s in table.index] + [
        s for s in table.index if s not in set(order)
    ]
    content.money_rows = [
        [label[s], eur(table.at[s, "total_eur_per_truck"]),
         (f"{eur(table.at[s, 'total_p10_eur_per_truck'])} – "
         f"{eur(table.at[s, 'total_p90_eur_per_truck'])}"),
         f"EUR {table.at[s, 'npv_10y_eur_m']:,.0f} m", f"{100 * table.at[s, 'p_cheapest']:.1f} %"]
        for s in ranked
    ]  # fmt: skip
    shown = ranked[:4]
    content.component_header = ["Component (EUR per truck)", *[short_name(label[s]) for s in shown]]
    for comp in (*wcost.COMPONENTS, "total"):
        col = f"{comp}_eur_per_truck"
        content.component_rows.append(
            [comp.replace("_", " "), *[eur(table.at[s, col]) for s in shown]]
        )
    content.break_even = wcost.break_even_sentences(model)
    used = sorted({r for rows in model.used_rows().values() for r in rows})
    p = model.params
    for r in used:
        value = fmt_value(p.at[r, "value"], str(p.at[r, "unit"]))
        content.value_rows.append(
            [f"cost parameter ({p.at[r, 'applies_to']})", str(p.at[r, "param"]), value,
             _year(p.at[r, "year"]), str(p.at[r, "kind"]), sources.refs(p.at[r, "source"])]
        )  # fmt: skip
    if images:
        from windrose_sites.report import charts

        chart = charts.cost_components_chart(table.reset_index(drop=True), names)
        content.cost_png = charts.to_png(chart, width=400)


def _robustness(content, state, work, crit, ranking, names) -> None:
    """Section 5: SMAA, stability intervals, crossovers, method agreement."""
    result = ranking.result
    used = ranking.weights[ranking.weights > 0]
    focus = limits.focus_sites(result, state.selected)
    table = work.table.loc[focus, used.index]
    directions = crit.loc[used.index, "direction"].to_dict()
    groups = crit.loc[used.index, "group"].to_dict()
    site_names = names.loc[focus].to_dict()
    leader = focus[0]
    if len(focus) < len(result):
        content.robustness.append(limits.focus_sentence(len(result), focus, what="Robustness"))
    if len(focus) < 2:
        content.robustness.append("A single ranked site: there is nothing to be robust against.")
        return
    # one validated problem for every analysis, normalized over the focus sites (as always)
    problem = sensitivity.Problem(table, used.to_dict(), directions, method=state.method,
                                  missing="worst", groups=groups, names=site_names)  # fmt: skip
    acc = sensitivity.smaa.rank_acceptability(problem, samples=SMAA_SAMPLES, seed=0)
    others = acc[1].drop(leader)
    runner = others.idxmax() if others.max() > 0 else None
    content.robustness.append(
        f"{site_names[leader]} is first in {100 * acc.at[leader, 1]:.1f} % of {SMAA_SAMPLES:,} "
        "weight samples drawn uniformly over all weightings (SMAA-2, seed 0)"
        + (f"; {site_names[runner]} is first in {100 * acc.at[runner, 1]:.1f} %." if runner
           else ".")
    )  # fmt: skip
    stab = sensitivity.sweep.stability_intervals(problem)
    content.stability = [f"{s} (now {100 * t:.1f}%)." for s, t in
                         zip(stab["sentence"], stab["share"], strict=True)]  # fmt: skip
    for group in dict.fromkeys(groups.values()):
        try:
            cross = sensitivity.sweep.crossovers(problem, group)
        except ValueError:  # the group holds every weight
            continue
        changes = cross[cross["leader_changes"]]
        content.crossings += [f"{s}." for s in changes["sentence"].head(2)]
    if not content.crossings:
        content.crossings = [f"No single group weight changes the leader ({site_names[leader]})."]
    agree = sensitivity.agreement.method_agreement(problem)  # (the method plays no part)
    firsts = {m: agree[m].astype(float).idxmin() for m in agree.columns}
    differ = {m: s for m, s in firsts.items() if s != leader}
    if not differ:
        content.robustness.append(
            f"The methods agree: all {len(firsts)} ({', '.join(METHOD_LABELS[m] for m in firsts)})"
            f" put {site_names[leader]} first."
        )
    else:
        content.robustness.append(
            "The methods disagree: "
            + "; ".join(f"{METHOD_LABELS[m]} puts {site_names[s]} first" for m, s in differ.items())
            + f" (the stated method puts {site_names[leader]} first)."
        )
    content.method_rows = [
        [site_names[s], *[str(int(agree.at[s, m])) for m in agree.columns]] for s in focus[:12]
    ]


def _health(content, work, crit, ranking, names) -> None:
    """Section 6: which positions rest on estimates, fallbacks, imputed or user values."""
    result = ranking.result
    imputed = result.attrs["imputed"]
    weights = ranking.weights.to_dict()
    # every ranked site: the sentence counts those that rest on a caveat
    caveats = health.site_caveats(work.provenance, crit, weights, result.index, imputed)
    order = result.sort_values("rank").index
    n_risk = caveats["site_id"].nunique()
    content.health_sentences = [
        (
            f"{n_risk:,} of {len(result):,} ranked sites rest on at least one fallback, imputed or "
            "user value in a weighted criterion."
        )
    ]
    for s in order[:12]:
        sentence = health.summary_sentence(caveats, names.to_dict(), s)
        if sentence:
            content.health_sentences.append(sentence)
    table = health.criterion_health(
        work.provenance[work.provenance["site_id"].isin(result.index)], crit, imputed
    )
    used = [c for c, w in weights.items() if w > 0]
    cols = [c for c in table.columns if c != "label"]
    content.health_rows = [
        [str(table.at[c, "label"]), *[str(int(table.at[c, k])) for k in cols]] for c in used
    ]
    content.health_rows.insert(0, ["Criterion", *cols])


def _values(content, work, crit, ranking, names, order, sources) -> None:
    """Section 7: every criterion value shown (weighted criteria of the ranked sites)."""
    used = [c for c, w in ranking.weights.items() if w > 0]
    prov = work.provenance.set_index(["site_id", "criterion"])
    rows = []
    for s in order[: limits.MAX_ANALYSIS_SITES]:
        for c in used:
            value = fmt_value(work.table.at[s, c], str(crit.at[c, "unit"]))
            if (s, c) in prov.index:
                p = prov.loc[(s, c)]
                p = p.iloc[0] if isinstance(p, pd.DataFrame) else p
                rows.append([names[s], str(crit.at[c, "label"]), value, _year(p["year"]),
                             str(p["kind"]), sources.refs(p["source"])])  # fmt: skip
            else:
                rows.append([names[s], str(crit.at[c, "label"]), value, "—", "missing", "—"])
    content.value_rows = rows


def _images(content, work, inputs, result, names, crit) -> None:
    from windrose_sites.cost.tornado import short_name
    from windrose_sites.report import charts, staticmap

    geoms = work.sites.set_index("site_id").geometry
    content.map_png = staticmap.site_map_png(
        geoms,
        result["score"],
        result["rank"],
        inputs.outlines,
        labels=names.map(short_name).reindex(result.index),
    )
    focus = limits.focus_sites(result)
    contrib = comparison.contributions_long(result.loc[focus], names, crit)
    if contrib is not None:
        content.contribution_png = charts.to_png(charts.contribution_chart(contrib), width=400)
