"""The cost table (one row per site, as the CLI prints it), the 10-year view and the criterion.

Column names are the interface of ``python -m windrose_sites cost`` and of the Cost page's CSV:
``site_id``, ``name``, ``<component>_eur_per_truck`` for each of
:data:`~windrose_sites.cost.model.COMPONENTS`, ``total_eur_per_truck``, ``npv_10y_eur_m`` and,
with samples, ``total_p10_eur_per_truck``, ``total_p50_eur_per_truck``,
``total_p90_eur_per_truck`` and ``p_cheapest``.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from windrose_sites.cost.model import COMPONENTS, CostModel, SiteInputs, build_model, site_inputs
from windrose_sites.cost.montecarlo import simulate, summarise
from windrose_sites.cost.params import COLUMNS, CostError, parameter_table
from windrose_sites.cost.tornado import influential_missing

__all__ = [
    "CRITERION",
    "MC_COLUMNS",
    "TABLE_COLUMNS",
    "cost_table",
    "landed_cost_criterion",
    "model_for_state",
    "model_for_work",
    "parameter_listing",
    "table_bytes",
    "ten_year",
]

#: Decimals in :func:`table_bytes`; every other float column is rounded to the cent.
DECIMALS = {"npv_10y_eur_m": 4, "p_cheapest": 4}

CRITERION = "landed_cost_eur_per_truck"
TABLE_COLUMNS = (
    "site_id",
    "name",
    *(f"{c}_eur_per_truck" for c in COMPONENTS),
    "total_eur_per_truck",
    "npv_10y_eur_m",
)
MC_COLUMNS = (
    "total_p10_eur_per_truck",
    "total_p50_eur_per_truck",
    "total_p90_eur_per_truck",
    "p_cheapest",
)


def cost_table(model: CostModel, samples: int | None = None, seed: int = 0) -> pd.DataFrame:
    """One row per site at the parameter values; with ``samples``, the Monte Carlo columns.

    The components add up to ``total_eur_per_truck`` exactly (no rounding here).
    ``attrs["gap"]`` holds the top-two gap summary when ``samples`` is given.
    """
    out = model.evaluate(model.base())
    ids = model.sites.ids
    table = pd.DataFrame({"site_id": ids, "name": model.sites.table["name"].to_numpy()})
    for c in COMPONENTS:
        table[f"{c}_eur_per_truck"] = np.asarray(out[c])[:, 0]
    table["total_eur_per_truck"] = np.asarray(out["total"])[:, 0]
    table["npv_10y_eur_m"] = np.asarray(out["npv_10y_eur_m"])[:, 0]
    if samples:
        mc = simulate(model, samples, seed)
        summary, gap = summarise(mc, table["total_eur_per_truck"].to_numpy())
        for c in MC_COLUMNS:
            table[c] = summary[c].to_numpy()
        table.attrs["gap"] = gap
    return table


def ten_year(model: CostModel, site_id: str) -> pd.DataFrame:
    """Year by year for one site: volume, recurring and one-off costs, discount factor, PV.

    One-off: capex in year 0 and incentives (negative) in year 1. EUR million. The sum of
    ``pv_eur_m`` equals the site's ``npv_10y_eur_m``.
    """
    if site_id not in model.sites.ids:
        msg = f"unknown site {site_id!r}; known: {', '.join(model.sites.ids)}"
        raise ValueError(msg)
    j = model.sites.ids.index(site_id)
    v = {
        k: np.broadcast_to(a, (len(model.sites.ids), 1))[j, 0]
        for k, a in model.inputs(model.base()).items()
    }
    out = {k: np.asarray(a)[j, 0] for k, a in model.evaluate(model.base()).items()}
    years = np.arange(0, model.horizon + 1)
    ramp = np.clip((years - 1) / max(v["ramp_years"], 1e-9), 0.0, 1.0)
    volume = np.where(
        years >= 1, v["volume_start"] + (v["volume_target"] - v["volume_start"]) * ramp, 0.0
    )
    recurring = volume * out["recurring"] / 1e6
    one_off = np.zeros(len(years))
    one_off[0] = out["capex_total_eur_m"]
    one_off[1] += out["incentives_total_eur_m"]
    disc = (1 + v["discount_rate"]) ** -years.astype(float)
    return pd.DataFrame(
        {
            "year": years,
            "trucks": volume,
            "recurring_eur_m": recurring,
            "one_off_eur_m": one_off,
            "discount_factor": disc,
            "pv_eur_m": (recurring + one_off) * disc,
        }
    )


def parameter_listing(model: CostModel) -> pd.DataFrame:
    """Every parameter row the model can read, columns as in ``cost_assumptions.csv``."""
    table = model.params.reset_index(drop=True)[list(COLUMNS)].copy()
    table["year"] = pd.to_numeric(table["year"], errors="coerce").round().astype("Int64")
    return table


def landed_cost_criterion(model: CostModel) -> tuple[pd.Series, pd.DataFrame]:
    """``landed_cost_eur_per_truck`` per site (the model's total) and its provenance rows.

    Provenance columns as :func:`windrose_sites.catalog.provenance`. Kind ``derived`` if every
    input that moves the total is sourced, else ``estimate``; the note names the missing
    parameters whose midpoint is in use, and says that labour and electricity are inside.
    """
    table = cost_table(model).set_index("site_id")
    values = table["total_eur_per_truck"].rename(CRITERION)
    missing = influential_missing(model)
    parts = table[[f"{c}_eur_per_truck" for c in COMPONENTS]].to_numpy(float)
    inside = (
        " EUR per truck. Labour and electricity are counted inside it (do not weight "
        "labour_cost_eur_h and electricity_eur_mwh again)."
    )
    notes, kinds = [], []
    for j, site in enumerate(values.index):
        gaps = missing.get(site, [])
        note = (
            "Cost model total (windrose_sites.cost): "
            + " + ".join(f"{c} {x:,.0f}" for c, x in zip(COMPONENTS, parts[j], strict=True))
            + inside
        )
        if gaps:
            note += f" Uses the midpoint of {len(gaps)} missing parameter(s): {', '.join(gaps)}."
        notes.append(note)
        kinds.append("estimate" if gaps else "derived")
    prov = pd.DataFrame(
        {
            "site_id": values.index.to_numpy(dtype=object),
            "criterion": CRITERION,
            "value": values.to_numpy(float),
            "unit": "EUR/truck",
            "source": "data/cost_assumptions.csv + windrose_sites.cost",
            "year": np.nan,
            "kind": kinds,
            "note": notes,
        }
    )
    return values, prov


def model_for_state(
    state,
    inputs=None,
    edits: Mapping[str, Mapping[str, float | None]] | None = None,
    overrides: Mapping[str, object] | None = None,
) -> tuple[CostModel, pd.Series]:
    """The cost model of the sites an app state keeps, with the user's edits and overrides.

    The CLI and the Cost page call this, so the same state gives the same table.

    Parameters
    ----------
    state : windrose_sites.state.AppState
        Its filters pick the sites (as :func:`windrose_sites.ranking.apply_filters`).
    inputs : windrose_sites.pipeline.Inputs, optional
        Default :func:`windrose_sites.pipeline.load_inputs` (a few seconds).
    edits : mapping, optional
        ``{site_id: {criterion: value}}``: edited labour cost, electricity price or distances
        flow into the cost rows.
    overrides : mapping, optional
        Cost parameter overrides (a tariff scenario and/or the user's values).

    Returns
    -------
    (CostModel, pandas.Series)
        The model and, for each site filtered out, the reason (indexed by site name).

    Raises
    ------
    CostError
        When every site is filtered out, or for a bad override.
    """
    from windrose_sites import pipeline

    inputs = pipeline.load_inputs() if inputs is None else inputs
    work = pipeline.working_set(inputs, None, edits or {})
    model, removed, _ = model_for_work(work, state, overrides)
    return model, removed


def model_for_work(
    work, state, overrides: Mapping[str, object] | None = None
) -> tuple[CostModel, pd.Series, pd.Series]:
    """The cost model of a working set's sites that the state's filters keep.

    Returns the model, the reason per site filtered out and the reason per kept site that
    cannot be costed (both indexed by site name). The Cost page passes the session's working
    set (the user's sites and edits); :func:`model_for_state` the shipped one.
    """
    from windrose_sites import ranking
    from windrose_sites.cost.criterion import INPUT_CRITERIA
    from windrose_sites.cost.model import resolve_report

    attributes = work.attributes.assign(
        labour_catchment_pop=work.table["labour_catchment_pop"].reindex(work.attributes.index)
    )
    reasons = ranking.apply_filters(attributes, state.filters)
    names = work.attributes["name"]
    removed = reasons[reasons != ""]
    removed.index = [names[s] for s in removed.index]
    kept = reasons.index[reasons == ""]
    if not len(kept):
        msg = "every site is filtered out; relax the filters"
        raise CostError(msg)
    table = work.table.loc[kept]
    unknown = ~np.isfinite(table[list(INPUT_CRITERIA)].apply(pd.to_numeric, errors="coerce"))
    not_costed = {
        s: "not costed: unknown " + ", ".join(c for c in INPUT_CRITERIA if unknown.at[s, c])
        for s in table.index[unknown.any(axis=1)]
    }
    table = table.loc[[s for s in table.index if s not in not_costed]]
    if table.empty:
        msg = "no kept site can be costed (" + "; ".join(not_costed.values()) + ")"
        raise CostError(msg)
    params = parameter_table(table, work.provenance)
    if overrides:
        from windrose_sites.cost.params import apply_overrides

        params = apply_overrides(params, dict(overrides))
    sites = site_inputs(table, work.attributes, work.sites)
    _, failures = resolve_report(params, sites)
    not_costed.update({s: f"not costed: {r}" for s, r in failures.items()})
    good = [s for s in table.index if s not in failures]
    if not good:
        msg = "no kept site can be costed (" + "; ".join(not_costed.values()) + ")"
        raise CostError(msg)
    model = build_model(None, SiteInputs(sites.table.loc[good]), params)
    out = pd.Series(not_costed, dtype=object)
    out.index = [names[s] for s in out.index]
    return model, removed, out


def table_bytes(table: pd.DataFrame, fmt: str = "csv") -> bytes:
    """The bytes of a table as the CLI prints it and the Cost page downloads it.

    Money is rounded to the cent, NPV and probabilities to 4 decimals (:data:`DECIMALS`).
    ``fmt`` is ``"csv"`` (UTF-8, LF line ends) or ``"json"`` (a list of records, NaN as
    null).
    """
    if fmt not in ("csv", "json"):
        msg = f"format must be csv or json, got {fmt!r}"
        raise ValueError(msg)
    out = table.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].round(DECIMALS.get(col, 2))
    if fmt == "json":
        records = [
            {
                k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                for k, v in r.items()
            }
            for r in json.loads(out.to_json(orient="records", double_precision=15))
        ]
        return (json.dumps(records, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    buf = io.StringIO()
    out.to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue().encode("utf-8")
