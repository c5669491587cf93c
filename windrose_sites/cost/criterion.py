"""``landed_cost_eur_per_truck``: the cost model's total as a criterion of the ranking.

:func:`landed_cost_for` costs every site it can (the shipped candidates, and an uploaded or
located site whose inputs all resolve) and says for every other site why it is not costed;
such a site's value is missing, which the scoring rule counts as worse than any known value.
:func:`windrose_sites.catalog.compute_criteria` calls it, so the criteria table of every page,
the CLI and a script carry the criterion.

:func:`refresh` recomputes it after the user's edits (labour cost, electricity, distances) and
with the user's cost assumptions (the Cost page's parameter edits and tariff scenario), so an
edit flows into the ranking. A value the user typed for the criterion itself is kept.

Labour and electricity are counted inside the landed cost (its ``labour`` and ``energy``
components), and so is the import duty: :data:`DOUBLE_COUNTING` says so in the UI's words.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from windrose_sites.cost.params import FX_YEAR, CostError

__all__ = [
    "CRITERION",
    "DOUBLE_COUNTING",
    "INPUT_CRITERIA",
    "INSIDE",
    "NOT_COSTED",
    "criterion_draws",
    "effective_overrides",
    "landed_cost_for",
    "refresh",
]

CRITERION = "landed_cost_eur_per_truck"
#: Criteria whose values the cost model reads per site: an edit of one recomputes the total.
INPUT_CRITERIA = (
    "labour_cost_eur_h",
    "electricity_eur_mwh",
    "road_to_port_km",
    "distance_to_market_km",
)
#: Criteria of the cost group already counted inside the landed cost.
INSIDE = ("labour_cost_eur_h", "electricity_eur_mwh", "import_duty_pct")
DOUBLE_COUNTING = (
    "The landed cost per truck already counts labour (assembly hours × the hourly labour "
    "cost), electricity (kWh per truck × the industrial price) and the import duty. Their own "
    "criteria therefore start at weight 0, so the cost group is the landed cost alone and "
    "nothing is counted twice; give them weight only if you mean to count them again."
)
NOT_COSTED = "not costed"
#: Kind of a value that rests on the user's cost assumptions (as an edited value).
USER_KIND = "user assumption"
_COLUMNS = ("site_id", "criterion", "value", "unit", "source", "year", "kind", "note", "fallback")
SOURCE = (
    "windrose_sites.cost landed-cost model (docs/COST_MODEL.md); parameters: "
    "data/cost_assumptions.csv (each row's source), this site's labour_cost_eur_h and "
    "electricity_eur_mwh (criteria provenance), data/site_facts.csv (capex, volumes, jobs), "
    "ECB euro reference rate"
)
_LABELS = {
    "labour_cost_eur_h": "hourly labour cost",
    "electricity_eur_mwh": "electricity price",
    "road_to_port_km": "road distance to the gateway port",
    "distance_to_market_km": "distance to the market centre",
}


def _missing_row(site: str, reason: str) -> dict:
    return {
        "site_id": site,
        "criterion": CRITERION,
        "value": np.nan,
        "unit": "EUR/truck",
        "source": f"NOT COSTED: {reason}",
        "year": np.nan,
        "kind": "missing",
        "note": (
            f"The cost model cannot cost this site ({reason}); the value is missing and the "
            "ranking counts it as worse than every known landed cost."
        ),
        "fallback": False,
    }


def landed_cost_for(
    table: pd.DataFrame,
    provenance: pd.DataFrame,
    attributes: pd.DataFrame,
    sites: pd.DataFrame,
    overrides: Mapping[str, object] | None = None,
) -> tuple[pd.Series, pd.DataFrame]:
    """The model's total per site (NaN where not costed) and one provenance row per site.

    Parameters
    ----------
    table, provenance, attributes
        Criteria, their provenance and the attributes (``name``, ``country``,
        ``gateway_port_id``) of the sites, as :class:`windrose_sites.catalog.SiteCriteria`.
    sites : pandas.DataFrame
        The sites (``site_id``, ``indicator_areas``).
    overrides : mapping, optional
        Cost parameter overrides (a tariff scenario and/or the user's values).

    A site is costed when its four per-site inputs (:data:`INPUT_CRITERIA`) are known and
    every parameter it needs resolves (a freight lane for its gateway port, a market, a plant
    investment...). The provenance is kind ``derived`` when every input that moves the total
    is sourced, ``estimate`` when the midpoint of a missing parameter is in use, and
    ``user assumption`` when the user set a cost parameter.
    """
    from windrose_sites.cost.model import CostModel, SiteInputs, resolve_report, site_inputs
    from windrose_sites.cost.params import apply_overrides, parameter_table
    from windrose_sites.cost.tables import landed_cost_criterion

    ids = table.index
    values = pd.Series(np.nan, index=ids, name=CRITERION, dtype=float)
    reasons: dict[str, str] = {}
    for col in INPUT_CRITERIA:
        if col not in table.columns:
            reasons.update(dict.fromkeys(ids, f"no {_LABELS[col]} column"))
            continue
        known = pd.to_numeric(table[col], errors="coerce")
        for site in ids[~np.isfinite(known.to_numpy(float))]:
            reasons.setdefault(site, f"its {_LABELS[col]} is unknown")
    ok = [s for s in ids if s not in reasons]
    frames: list[pd.DataFrame] = []
    if ok:
        try:
            sub = table.loc[ok]
            rep = _profiles(sub, provenance, attributes.loc[ok], sites)
            params = parameter_table(sub.loc[pd.unique(rep)], provenance)
            if overrides:
                params = apply_overrides(params, overrides)
            inputs = site_inputs(sub, attributes.loc[ok], sites)
            inputs.table["chain"] = [
                (r, *c[1:]) for r, c in zip(rep, inputs.table["chain"], strict=True)
            ]
            _, failures = resolve_report(params, inputs)
            reasons.update(failures)
            good = [s for s in ok if s not in failures]
            if good:
                model = CostModel(params, SiteInputs(inputs.table.loc[good]))
                got, prov = landed_cost_criterion(model)
                values[got.index] = got.to_numpy(float)
                if overrides:
                    prov["kind"] = USER_KIND
                    prov["note"] = prov["note"] + " User assumptions: " + _describe(overrides) + "."
                prov["source"] = SOURCE
                prov["year"] = float(FX_YEAR)
                frames.append(prov)
        except CostError as exc:  # a parameter table the model cannot read: nothing costed
            for site in ok:
                reasons.setdefault(site, str(exc))
    if reasons:
        frames.append(pd.DataFrame([_missing_row(s, r) for s, r in reasons.items()]))
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=_COLUMNS)
    out["fallback"] = False
    out = out[list(_COLUMNS)]
    order = pd.Series(np.arange(len(ids)), index=ids)
    out = out.iloc[np.argsort(order.reindex(out["site_id"]).to_numpy(), kind="stable")]
    return values, out.reset_index(drop=True)


def _profiles(
    table: pd.DataFrame, provenance: pd.DataFrame, attributes: pd.DataFrame, sites: pd.DataFrame
) -> np.ndarray:
    """For each site, the first site that shares all of its cost rows (its profile).

    Sites in the same areas with the same gateway port, labour cost and electricity price
    (same value and provenance) and no announced facts of their own read the same parameter
    rows; they differ only in their distances. One set of rows per profile keeps 10,000
    uploaded sites at a few profiles. A site with facts (``site_facts.csv``) is its own.
    """
    from windrose_sites import catalog

    with_facts = set(catalog.load_site_facts()["site_id"])

    def tag(criterion: str) -> pd.Series:
        rows = provenance[provenance["criterion"] == criterion].drop_duplicates("site_id")
        text = rows["kind"].astype(str) + "|" + rows["source"].astype(str)
        return pd.Series(text.to_numpy(), index=rows["site_id"]).reindex(table.index).fillna("")

    areas = sites.set_index("site_id")["indicator_areas"].reindex(table.index).fillna("")
    key = pd.DataFrame(
        {
            "labour": table["labour_cost_eur_h"].astype(float),
            "electricity": table["electricity_eur_mwh"].astype(float),
            "labour_tag": tag("labour_cost_eur_h"),
            "electricity_tag": tag("electricity_eur_mwh"),
            "areas": areas.astype(str),
            "country": attributes["country"].astype(str),
            "gateway": attributes["gateway_port_id"].astype(str),
            "own": np.where(table.index.isin(with_facts), table.index, ""),
        },
        index=table.index,
    )
    first = key.reset_index().groupby(list(key.columns), sort=False, dropna=False)["site_id"]
    return first.transform("first").to_numpy(dtype=object)


def _describe(overrides: Mapping[str, object]) -> str:
    parts = []
    for k, v in overrides.items():
        shown = f"{v:g}" if isinstance(v, (int, float)) and math.isfinite(v) else str(v)
        parts.append(f"{k} = {shown}")
    return ", ".join(parts)


def refresh(computed, sites: pd.DataFrame, overrides: Mapping[str, object] | None = None):
    """``computed`` (a :class:`~windrose_sites.catalog.SiteCriteria`) with the criterion redone.

    Recomputed for the sites whose cost inputs the user edited or supplied (provenance kind
    ``user assumption`` on one of :data:`INPUT_CRITERIA`), and for every site when
    ``overrides`` are given. A landed cost the user typed in for a site is kept. Returns
    ``computed`` itself when nothing needs redoing (the common case: no cost).
    """
    from windrose_sites import assumptions, catalog

    table, prov = computed.table, computed.provenance
    if CRITERION not in table.columns:
        return computed
    crit = prov["criterion"].to_numpy()
    user = (prov["kind"] == assumptions.USER_KIND).to_numpy()
    typed = set(prov.loc[user & (crit == CRITERION), "site_id"])
    touched = set(prov.loc[user & np.isin(crit, INPUT_CRITERIA), "site_id"])
    redo = [s for s in table.index if s not in typed and (overrides or s in touched)]
    if not redo:
        return computed
    values, rows = landed_cost_for(
        table.loc[redo], prov, computed.attributes.loc[redo], sites, overrides or None
    )
    user_inputs = prov.loc[user & np.isin(crit, INPUT_CRITERIA), ["site_id", "criterion"]]
    by_site = user_inputs.groupby("site_id")["criterion"].agg(lambda c: ", ".join(sorted(set(c))))
    hit = rows["site_id"].isin(by_site.index) & rows["value"].notna()
    if hit.any():  # the total rests on the user's values: say so, as for an edited value
        rows.loc[hit, "kind"] = USER_KIND
        rows.loc[hit, "note"] = (
            rows.loc[hit, "note"]
            + " Rests on your value(s) of "
            + rows.loc[hit, "site_id"].map(by_site)
            + "."
        )
    table = table.copy()
    table.loc[redo, CRITERION] = values.to_numpy(float)
    keep = ~((crit == CRITERION) & prov["site_id"].isin(redo).to_numpy())
    prov = pd.concat([prov[keep], rows[prov.columns.intersection(rows.columns)]], ignore_index=True)
    return catalog.SiteCriteria(table=table, provenance=prov, attributes=computed.attributes)


def criterion_draws(model, samples: int, seed: int = 0) -> pd.DataFrame:
    """The landed cost of every site in ``samples`` Monte Carlo draws (sites x draws).

    For :func:`windrose_sites.sensitivity.value_ranges` (``joint``): the SMAA then draws the
    criterion with the correlation the shared parameters (freight, containers per kit, duty)
    give it, instead of independently per site.
    """
    from windrose_sites.cost.montecarlo import simulate

    mc = simulate(model, samples, seed)
    return pd.DataFrame(np.asarray(mc.totals), index=pd.Index(mc.sites, name="site_id"))


def effective_overrides(
    tariff: str | None = None, user: Mapping[str, object] | None = None
) -> dict[str, object]:
    """The cost overrides of a session: the named tariff scenario, then the user's values.

    This is what the Cost page applies (session keys ``cost_tariff`` and ``cost_overrides``)
    and what :func:`refresh` should get for the ranking on every page.
    """
    from windrose_sites.cost.tariffs import tariff_scenario

    return {**tariff_scenario(tariff or "today"), **dict(user or {})}
