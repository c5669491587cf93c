"""One parameter at a time: tornado swings, break-even values and the sentences that say them.

The tornado moves each parameter row from its ``low`` to its ``high`` with every other row at
its value, and reports the swing of the leader's total (the cheapest site at the values) and of
the gap between the runner-up and the leader. All rows are evaluated in one model call.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from windrose_sites.cost.model import CostModel

__all__ = [
    "LABELS",
    "LEVERS",
    "break_even",
    "break_even_sentences",
    "influential_missing",
    "row_swings",
    "short_name",
    "tornado",
]

LABELS = {
    "freight_shanghai_antwerp_bruges_usd_per_feu": "the Shanghai → Antwerp freight rate",
    "freight_shanghai_long_beach_usd_per_feu": "the Shanghai → Long Beach freight rate",
    "freight_shanghai_oakland_usd_per_feu": "the Shanghai → Oakland freight rate",
    "feu_per_truck_kit": "the containers per kit",
    "assembly_hours_per_truck": "the assembly hours per truck",
    "us_section232_pct": "the US Section 232 duty",
    "eu_parts_duty_pct": "the EU duty on kit parts",
    "kit_value_share_of_price": "the kit's customs value (share of the truck price)",
    "truck_price_usd": "the truck price",
    "labour_cost_eur_h": "the hourly labour cost",
    "electricity_eur_mwh": "the electricity price",
    "energy_kwh_per_truck": "the electricity per truck",
    "capex_m": "the plant investment",
    "discount_rate": "the discount rate",
    "barge_to_plant_per_feu": "the barge rate from Antwerp",
    "road_cost_per_km": "the road cost per km",
}


#: ``fixed`` rows are settings and policy (flags, built-import share, duty rates): the tariff
#: scenarios move them. These policy levers still enter the tornado, from low to high.
LEVERS = ("us_section232_pct@US",)


def short_name(name: str) -> str:
    """A site's short name: ``"Antwerp – Romeynsweel, Noorderlaan (…)"`` -> ``"Antwerp"``."""
    return str(name).split(" – ")[0].split(" (")[0].split(" / ")[0].strip()


def _label(params: pd.DataFrame, row: str, names: pd.Series | None = None) -> str:
    param, where = params.at[row, "param"], params.at[row, "applies_to"]
    text = LABELS.get(param, param.replace("_", " "))
    if where == "all":
        return text
    if names is not None and where in names.index:
        return f"{text} at {short_name(names[where])}"
    return f"{text} ({where})"


def _varying(params: pd.DataFrame) -> list[str]:
    """Rows with a range that are uncertain (not ``fixed``), plus the policy :data:`LEVERS`."""
    keep = (params["high"] > params["low"]) & (
        (params["distribution"] != "fixed") | params.index.isin(LEVERS)
    )
    return list(params.index[keep])


def _one_at_a_time(model: CostModel, rows: list[str], values: np.ndarray) -> np.ndarray:
    """Totals (sites, len(rows) × k) with row ``rows[i]`` set to ``values[i, j]`` in turn."""
    pos = model.params.index.get_indexer(rows)
    k = values.shape[1]
    draws = np.repeat(model.base(), len(rows) * k, axis=1)
    for i, p in enumerate(pos):
        draws[p, i * k : (i + 1) * k] = values[i]
    return np.asarray(model.evaluate(draws)["total"])


def row_swings(model: CostModel, only: pd.Series | None = None) -> pd.DataFrame:
    """Total at ``high`` minus total at ``low``, per varying row (index) and site (columns).

    Varying rows: every row with a range that is not ``fixed``, plus :data:`LEVERS`; with
    ``only`` (a boolean Series over the parameter rows), just those of them.
    """
    p = model.params
    rows = _varying(p)
    if only is not None:
        rows = [r for r in rows if bool(only.get(r, False))]
    if not rows:
        return pd.DataFrame(columns=model.sites.ids, dtype=float)
    tot = _one_at_a_time(model, rows, p.loc[rows, ["low", "high"]].to_numpy(float))
    return pd.DataFrame((tot[:, 1::2] - tot[:, 0::2]).T, index=rows, columns=model.sites.ids)


def influential_missing(model: CostModel) -> dict[str, list[str]]:
    """Per site, the ``missing`` rows that move its total (their midpoint is in use)."""
    sw = row_swings(model, only=model.params["kind"] == "missing")
    moves = np.abs(sw.to_numpy(float)) > 1e-9
    rows = np.asarray(sw.index, dtype=object)
    return {s: list(rows[moves[:, j]]) for j, s in enumerate(sw.columns)}


def tornado(model: CostModel) -> pd.DataFrame:
    """Swing of the leader's total and of the top-two gap, per row, largest first.

    Rows: every row with a range whose distribution is not ``fixed`` (fixed rows are settings
    and policy that the tariff scenarios move), plus the policy :data:`LEVERS`.

    Returns
    -------
    pandas.DataFrame
        Index = row id; ``label``, ``unit``, ``low``, ``value``, ``high``, ``leader_low``,
        ``leader_high``, ``swing_leader`` (EUR per truck, high minus low), ``gap_low``,
        ``gap_high``, ``swing_gap``. ``attrs`` name the ``leader`` and ``runner_up``. Rows
        that move neither are dropped. Needs two sites or more.
    """
    p = model.params
    base = np.asarray(model.evaluate(model.base())["total"])[:, 0]
    if len(base) < 2:
        msg = "a tornado needs at least two sites"
        raise ValueError(msg)
    lead, run = np.argsort(base, kind="stable")[:2]
    rows = _varying(p)
    tot = _one_at_a_time(model, rows, p.loc[rows, ["low", "high"]].to_numpy(float))
    gap = tot[run] - tot[lead]
    out = pd.DataFrame(
        {
            "label": [_label(p, r, model.sites.table["name"]) for r in rows],
            "unit": p.loc[rows, "unit"].to_numpy(),
            "low": p.loc[rows, "low"].to_numpy(float),
            "value": p.loc[rows, "value"].to_numpy(float),
            "high": p.loc[rows, "high"].to_numpy(float),
            "leader_low": tot[lead, 0::2],
            "leader_high": tot[lead, 1::2],
            "gap_low": gap[0::2],
            "gap_high": gap[1::2],
        },
        index=pd.Index(rows, name="row"),
    )
    out["swing_leader"] = out["leader_high"] - out["leader_low"]
    out["swing_gap"] = out["gap_high"] - out["gap_low"]
    size = np.maximum(out["swing_leader"].abs(), out["swing_gap"].abs())
    out = out[size > 1e-9].iloc[np.argsort(-size[size > 1e-9].to_numpy(), kind="stable")]
    out.attrs.update(leader=model.sites.ids[lead], runner_up=model.sites.ids[run])
    return out


def break_even(
    model: CostModel, row: str, a: str, b: str, span: float = 3.0, points: int = 601
) -> tuple[float, str] | None:
    """The value of ``row`` at which sites ``a`` and ``b`` cost the same, if any.

    Searched from ``max(0, low - span × range)`` to ``high + span × range`` (a row without a
    range: 0 to 3 × value), on ``points`` values, with linear interpolation. Returns the value
    and ``"above"`` / ``"below"``: on which side of it ``b`` is cheaper than ``a``; ``None``
    if the ranking of ``a`` and ``b`` does not change on the interval.
    """
    p = model.params
    low, high, value = (float(p.at[row, c]) for c in ("low", "high", "value"))
    width = high - low
    lo = max(0.0, low - span * width) if width > 0 else 0.0
    hi = high + span * width if width > 0 else max(3 * value, 1.0)
    grid = np.linspace(lo, hi, points)
    tot = _one_at_a_time(model, [row], grid[None, :])
    ids = model.sites.ids
    diff = tot[ids.index(b)] - tot[ids.index(a)]  # < 0: b cheaper
    sign = np.sign(diff)
    change = np.flatnonzero((sign[:-1] * sign[1:] < 0) | ((sign[:-1] != 0) & (sign[1:] == 0)))
    if not change.size:
        return None
    i = int(change[0])
    x0, x1, d0, d1 = grid[i], grid[i + 1], diff[i], diff[i + 1]
    x = x0 if d1 == d0 else x0 + (x1 - x0) * d0 / (d0 - d1)
    return float(x), ("above" if d1 < d0 else "below")


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def _pairs(model: CostModel, base: np.ndarray) -> list[tuple[str, str]]:
    ids = model.sites.ids
    order = [ids[i] for i in np.argsort(base, kind="stable")]
    pairs = [(order[0], order[1])] if len(order) >= 2 else []
    chains = model.sites.table["chain"]
    best: dict[str | None, str] = {}  # market -> its best site
    for s in order:
        market = "US" if "US" in chains[s] else "EU" if "EU" in chains[s] else None
        best.setdefault(market, s)
    if "EU" in best and "US" in best:
        first, second = sorted((best["EU"], best["US"]), key=order.index)
        pair = (first, second)
        if pair not in pairs:
            pairs.append(pair)
    return pairs


def break_even_sentences(model: CostModel, top: int = 6) -> list[str]:
    """Break-even values in words, for the leader vs runner-up and the best EU vs best US site.

    For each pair, the ``top`` rows that move the pair's gap most are searched
    (:func:`break_even`); each crossing becomes a sentence such as "Antwerp becomes cheaper
    than Onnaing if the barge rate Antwerp → Onnaing rises above 520 EUR/FEU (now 375)".
    """
    p, full = model.params, model.sites.table["name"]
    names = full.map(short_name)
    base = np.asarray(model.evaluate(model.base())["total"])[:, 0]
    sw = row_swings(model)
    out = []
    for a, b in _pairs(model, base):
        gap_swing = (sw[b] - sw[a]).abs().sort_values(ascending=False)
        found = 0
        for row in gap_swing.index[:top]:
            if gap_swing[row] <= 1e-9:
                break
            hit = break_even(model, row, a, b)
            if hit is None:
                continue
            x, side = hit
            verb = "rises above" if side == "above" else "falls below"
            out.append(
                f"{names[b]} becomes cheaper than {names[a]} if {_label(p, row, full)} {verb} "
                f"{_fmt(x)} {p.at[row, 'unit']} (now {_fmt(float(p.at[row, 'value']))})."
            )
            found += 1
        if not found:
            out.append(
                f"No single parameter among the {top} that move the gap most makes {names[b]} "
                f"cheaper than {names[a]}, even at three times its range beyond low and high."
            )
    return out
