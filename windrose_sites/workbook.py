"""The live Excel model: weights, values, a weighted-sum ranking and the cost model as formulas.

Finance can audit and change it. Sheets:

- ``Ranking``: ``site_id``, ``name``, ``score``, ``rank``. For the weighted sum (WSM) score and
  rank are Excel formulas over ``Normalized`` and the weight shares, so changing ``w_logistics``
  re-ranks the sites as the app would at that weight. For the other methods they are the app's
  values (a note cell says so).
- ``Weights``: group weights in cells named ``w_<group>``; criterion weights within each group
  (``c_<criterion>``), directions (``d_<criterion>``) and the effective shares (formulas,
  ``share_<criterion>``); ``missing_margin`` (:data:`windrose_sites.scoring.MISSING_MARGIN`).
- ``Values``: one row per (site, criterion): value, unit, source, year, kind; a missing value
  is a blank cell.
- ``Used values``: the values with :data:`windrose_sites.scoring.MISSING_RULE` written out as
  a formula (a blank becomes worse than the worst known value by ``missing_margin`` of the
  known range); ``Normalized``: min–max with the direction, as formulas.
- ``Cost``: the landed-cost components per truck as formulas over ``Cost inputs`` (each input
  a reference into ``Cost assumptions``, USD converted at the ECB rate row); incentives, whose
  programme rules have caps and thresholds, are the model's values (a note says so).

Text cells never start with ``=``, ``+``, ``-`` or ``@`` (a leading ``'`` is added), so a site
name cannot become a formula.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping

import numpy as np
import pandas as pd

from windrose_sites import pipeline, scoring
from windrose_sites import state as wstate

__all__ = ["FORMULA_PREFIXES", "safe_text", "workbook_xlsx"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_FORMATS = {"nm": "#,##0", "km": "#,##0", "people": "#,##0", "%": "0.0",
                   "EUR/h": "0.00", "EUR/MWh": "0.0", "EUR/truck": "#,##0"}  # fmt: skip


def safe_text(value: object) -> str:
    """Text for a cell: a leading ``'`` if it would start a formula in a spreadsheet.

    Examples
    --------
    >>> safe_text("=HYPERLINK(1)"), safe_text("Onnaing")
    ("'=HYPERLINK(1)", 'Onnaing')
    """
    text = "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _col(j: int) -> str:
    """Excel column letters of 0-based column ``j``."""
    from xlsxwriter.utility import xl_col_to_name

    return xl_col_to_name(j)


class _Book:
    """An xlsxwriter workbook with the formats and safe writers the sheets share."""

    def __init__(self, buf: io.BytesIO, created: dt.datetime) -> None:
        import xlsxwriter

        self.wb = xlsxwriter.Workbook(
            buf,
            {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
             "strings_to_numbers": False},
        )  # fmt: skip
        self.wb.set_properties({"title": "Windrose site selection model", "created": created})
        add = self.wb.add_format
        self.head = add({"bold": True, "bg_color": "#DCE6F0", "text_wrap": True, "valign": "top"})
        self.input = add({"bg_color": "#FFF2CC", "num_format": "0.0"})
        self.input_text = add({"bg_color": "#FFF2CC"})
        self.pct = add({"num_format": "0.0%"})
        self.score = add({"num_format": "0.000"})
        self.int = add({"num_format": "0"})
        self.eur = add({"num_format": "#,##0"})
        self.eur_m = add({"num_format": "#,##0.0"})
        self.num = add({"num_format": "#,##0.####"})
        self.note = add({"italic": True, "text_wrap": True, "valign": "top"})
        self.units = {u: add({"num_format": f}) for u, f in _NUMBER_FORMATS.items()}

    def text(self, ws, r: int, c: int, value: object, fmt=None) -> None:
        ws.write_string(r, c, safe_text(value), fmt)

    def header(self, ws, r: int, names: list[str], widths: list[float] | None = None) -> None:
        for j, name in enumerate(names):
            self.text(ws, r, j, name, self.head)
            if widths:
                ws.set_column(j, j, widths[j])
        ws.freeze_panes(r + 1, 0)

    def number(self, ws, r: int, c: int, value: object, fmt=None) -> None:
        x = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
        if pd.isna(x) or not np.isfinite(float(x)):
            ws.write_blank(r, c, None, fmt)
        else:
            ws.write_number(r, c, float(x), fmt)


def _name_key(text: str) -> str:
    return str(text).replace(" ", "_")


# --------------------------------------------------------------------------- weights


def _weights_sheet(b: _Book, state, crit: pd.DataFrame, groups: list[str]) -> dict[str, int]:
    """Groups, criteria and shares; returns criterion -> Weights row (1-based) of its share."""
    ws = b.wb.add_worksheet("Weights")
    b.text(ws, 0, 0, "Weights. Change the yellow cells; shares and the WSM ranking follow.",
           b.note)  # fmt: skip
    b.header(ws, 2, ["Group", "Weight (0–100)", "Effective share [%]"], [26, 16, 18])
    first, last = 8 + len(groups), 8 + len(groups) + len(crit) - 1  # 0-based criterion rows
    g_range = f"$C${first + 1}:$C${last + 1}"
    s_range = f"$H${first + 1}:$H${last + 1}"
    group_cell = {}
    for i, g in enumerate(groups):
        r = 3 + i
        b.text(ws, r, 0, g)
        ws.write_number(r, 1, float(state.group_weights.get(g, 0.0)), b.input)
        b.wb.define_name(wstate.group_key(g), f"=Weights!$B${r + 1}")
        ws.write_formula(r, 2, f"=SUMIF({g_range},A{r + 1},{s_range})", b.pct)
        group_cell[g] = f"$B${r + 1}"
    m = 4 + len(groups)
    b.text(ws, m, 0, "missing_margin")
    ws.write_number(m, 1, scoring.MISSING_MARGIN, b.num)
    b.wb.define_name("missing_margin", f"=Weights!$B${m + 1}")
    b.text(ws, m, 2, scoring.MISSING_RULE, b.note)
    ws.set_row(m, 60)
    ws.set_column(2, 2, 18)
    heads = ["Criterion id", "Label", "Group", "Unit", "Direction (benefit or cost)",
             "Weight in group (0–100)", "Raw share", "Effective share [%]"]  # fmt: skip
    for j, name in enumerate(heads):
        b.text(ws, first - 1, j, name, b.head)
    ws.set_column(3, 7, 16)
    ws.set_column(1, 1, 34)
    w_range = f"$F${first + 1}:$F${last + 1}"
    raw_range = f"$G${first + 1}:$G${last + 1}"
    rows = {}
    for k, c in enumerate(crit.index):
        r = first + k
        x = r + 1
        b.text(ws, r, 0, c)
        b.text(ws, r, 1, crit.at[c, "label"])
        b.text(ws, r, 2, crit.at[c, "group"])
        b.text(ws, r, 3, crit.at[c, "unit"])
        b.text(ws, r, 4, crit.at[c, "direction"], b.input_text)
        ws.write_number(r, 5, float(state.criterion_weights.get(c, 1.0)), b.input)
        inner = f"SUMIF({g_range},C{x},{w_range})"
        gcell = group_cell[crit.at[c, "group"]]
        ws.write_formula(r, 6, f"=IF({inner}>0,{gcell}*F{x}/{inner},0)", b.num)
        ws.write_formula(r, 7, f"=IF(SUM({raw_range})>0,G{x}/SUM({raw_range}),0)", b.pct)
        b.wb.define_name(f"d_{c}", f"=Weights!$E${x}")
        b.wb.define_name(f"c_{c}", f"=Weights!$F${x}")
        b.wb.define_name(f"share_{c}", f"=Weights!$H${x}")
        rows[c] = x
    ws.data_validation(first, 4, last, 4, {"validate": "list", "source": ["benefit", "cost"]})
    return rows


# --------------------------------------------------------------------------- values


def _values_sheet(b: _Book, work, crit, order, imputed) -> dict[str, tuple[int, int]]:
    """Long table of values; returns criterion -> (first, last) 1-based rows of its block."""
    ws = b.wb.add_worksheet("Values")
    b.header(ws, 0, ["site_id", "name", "criterion", "label", "unit", "value", "source", "year",
                     "kind", "imputed in ranking", "note"],
             [22, 34, 24, 30, 10, 14, 60, 7, 14, 10, 60])  # fmt: skip
    prov = work.provenance.drop_duplicates(["site_id", "criterion"]).set_index(
        ["site_id", "criterion"]
    )
    names = work.attributes["name"]
    blocks, r = {}, 1
    for c in crit.index:
        start = r
        unit = str(crit.at[c, "unit"])
        for s in order:
            b.text(ws, r, 0, s)
            b.text(ws, r, 1, names[s])
            b.text(ws, r, 2, c)
            b.text(ws, r, 3, crit.at[c, "label"])
            b.text(ws, r, 4, unit)
            b.number(ws, r, 5, work.table.at[s, c], b.units.get(unit, b.num))
            p = prov.loc[(s, c)] if (s, c) in prov.index else None
            b.text(ws, r, 6, "" if p is None else p["source"])
            b.number(ws, r, 7, None if p is None else p["year"], b.int)
            b.text(ws, r, 8, "missing" if p is None else p["kind"])
            flag = bool(imputed.at[s, c]) if c in imputed.columns else pd.isna(work.table.at[s, c])
            ws.write_boolean(r, 9, flag)
            b.text(ws, r, 10, "" if p is None else p["note"])
            r += 1
        blocks[c] = (start + 1, r)
    ws.autofilter(0, 0, r - 1, 10)
    return blocks


def _wide_sheet(b: _Book, name: str, crit, order, names, cell_formula, footer) -> None:
    """Sites × criteria of formulas, then footer rows (label, per-criterion formula)."""
    ws = b.wb.add_worksheet(name)
    units = [f"{crit.at[c, 'label']} [{crit.at[c, 'unit']}]" for c in crit.index]
    heads = ["site_id", "name", *units]
    b.header(ws, 0, heads, [22, 34, *[16] * len(crit)])
    ws.freeze_panes(1, 2)
    for i, s in enumerate(order):
        b.text(ws, i + 1, 0, s)
        b.text(ws, i + 1, 1, names[s])
        for k, c in enumerate(crit.index):
            formula, fmt = cell_formula(c, k, i)
            ws.write_formula(i + 1, 2 + k, formula, fmt)
    for f, (label, formula) in enumerate(footer):
        r = len(order) + 2 + f
        b.text(ws, r, 1, label, b.head)
        for k, c in enumerate(crit.index):
            ws.write_formula(r, 2 + k, formula(c, k), b.num)


def _used_values(b: _Book, crit, order, names, blocks) -> None:
    """MISSING_RULE as formulas: a blank value becomes worse than the worst known one."""
    n = len(order)
    lo_row, hi_row = n + 3, n + 4  # 1-based rows of the known min and max

    def cell(c: str, k: int, i: int):
        first, _ = blocks[c]
        raw, col = f"Values!$F${first + i}", _col(2 + k)
        lo, hi = f"{col}${lo_row}", f"{col}${hi_row}"
        gap = f"missing_margin*({hi}-{lo})"
        formula = f'=IF(ISBLANK({raw}),IF(d_{c}="benefit",{lo}-{gap},{hi}+{gap}),{raw})'
        return formula, b.units.get(str(crit.at[c, "unit"]), b.num)

    def known(fn: str):
        return lambda c, _k: f"={fn}(Values!$F${blocks[c][0]}:$F${blocks[c][1]})"

    footer = [("known minimum", known("MIN")), ("known maximum", known("MAX"))]
    _wide_sheet(b, "Used values", crit, order, names, cell, footer)


def _normalized(b: _Book, crit, order, names) -> None:
    """Min–max normalization with the direction, as formulas (WSM's r, 0..1)."""
    n = len(order)
    lo_row, hi_row = n + 3, n + 4

    def cell(c: str, k: int, i: int):
        col = _col(2 + k)
        v, lo, hi = f"'Used values'!{col}{i + 2}", f"{col}${lo_row}", f"{col}${hi_row}"
        formula = (
            f'=IF({hi}={lo},1,IF(d_{c}="benefit",({v}-{lo})/({hi}-{lo}),({hi}-{v})/({hi}-{lo})))'
        )
        return formula, b.score

    def bound(fn: str):
        return lambda _c, k: f"={fn}('Used values'!{_col(2 + k)}$2:{_col(2 + k)}${n + 1})"

    footer = [("minimum", bound("MIN")), ("maximum", bound("MAX"))]
    _wide_sheet(b, "Normalized", crit, order, names, cell, footer)


# --------------------------------------------------------------------------- ranking


def _ranking_sheet(b: _Book, state, crit, order, result, names, note_lines) -> None:
    ws = b.wb.add_worksheet("Ranking")
    b.header(ws, 0, ["site_id", "name", "score", "rank", "app score", "app rank",
                     "score rounded (12 decimals)"], [22, 40, 10, 7, 10, 9, 14])  # fmt: skip
    n = len(order)
    for i, s in enumerate(order):
        x = i + 2
        b.text(ws, i + 1, 0, s)
        b.text(ws, i + 1, 1, names[s])
        if state.method == "wsm":
            terms = "+".join(
                f"Normalized!{_col(2 + k)}{x}*share_{c}" for k, c in enumerate(crit.index)
            )
            ws.write_formula(i + 1, 2, f"=MIN(1,MAX(0,{terms}))", b.score)
            ws.write_formula(i + 1, 6, f"=ROUND(C{x},12)", b.score)
            ws.write_formula(i + 1, 3, f"=RANK(G{x},$G$2:$G${n + 1})", b.int)
        else:
            ws.write_number(i + 1, 2, float(result.at[s, "score"]), b.score)
            ws.write_number(i + 1, 3, int(result.at[s, "rank"]), b.int)
        ws.write_number(i + 1, 4, float(result.at[s, "score"]), b.score)
        ws.write_number(i + 1, 5, int(result.at[s, "rank"]), b.int)
    ws.set_column(8, 8, 90)
    for k, line in enumerate(note_lines):
        b.text(ws, k, 8, line, b.note)


def _notes(state, content_query: str, method_label: str, data_version: str, removed) -> list:
    lines = [
        f"Method: {method_label}.",
        f"State (the app's URL query): ?{content_query or '(default state)'}",
        f"Data version: {data_version}.",
    ]
    if state.method == "wsm":
        lines.append(
            "score and rank are formulas: the weighted sum of the min–max normalized values "
            "(sheet Normalized) times the effective shares (sheet Weights). Change w_logistics "
            "or any yellow cell and the ranking follows, as the app would rank at those weights."
        )
    else:
        lines.append(
            f"score and rank are the app's values for {method_label}: only the weighted sum is "
            "written out as formulas. Sheets Used values and Normalized show the min–max "
            "normalization the weighted sum would use."
        )
    lines.append("Missing values: " + scoring.MISSING_RULE)
    lines.append("Only the sites kept by the filters are ranked; min–max runs over them.")
    for site, reason in list(removed.items())[:20]:
        lines.append(f"Filtered out: {site}: {reason}")
    return lines


# --------------------------------------------------------------------------- cost

_ASSUMPTION_COLUMNS = ("param", "applies_to", "value", "unit", "low", "high", "distribution",
                       "source", "year", "kind", "note")  # fmt: skip
_SITE_COLUMNS = ("road_to_port_km", "distance_to_market_km", "in_EU", "in_US")
_HELPERS = {
    "kit_share": "1-MIN(MAX({built_import_share},0),1)",
    "built_share": "MIN(MAX({built_import_share},0),1)",
    "freight_kit": "{feu_per_truck_kit}*{freight}",
    "freight_built": "{feu_per_built_truck}*{freight}",
    "value_kit": "{truck_price_usd}*{kit_value_share_of_price}",
    "value_built": "{truck_price_usd}*{built_value_share_of_price}",
    "insurance_rate": "{insurance_pct_of_insured_value}/100*{insurance_uplift}",
}
_COMPONENT_FORMULAS = {
    "ocean_freight": "{kit_share}*{freight_kit}+{built_share}*{freight_built}",
    "insurance": "{kit_share}*{insurance_rate}*({value_kit}+{freight_kit})"
    "+{built_share}*{insurance_rate}*({value_built}+{freight_built})",
    "duty": "{in_EU}*({kit_share}*{eu_parts_duty_pct}/100*({value_kit}+{freight_kit})"
    "*(1+{insurance_rate})+{built_share}*{eu_built_duty_pct}/100*({value_built}+{freight_built})"
    "*(1+{insurance_rate}))+{in_US}*({kit_share}*({us_mfn_kit_pct}+{us_section301_pct}"
    "+{us_section232_pct})/100*{value_kit}+{built_share}*({us_mfn_built_pct}"
    "+{us_section301_pct}+{us_section232_pct})/100*{value_built})",
    "port_and_inland": "({kit_share}*{feu_per_truck_kit}+{built_share}*{feu_per_built_truck})"
    "*({port_handling_per_feu}+{inbound_by_barge}*{barge_to_plant_per_feu}"
    "+(1-{inbound_by_barge})*{road_to_port_km}*{road_cost_per_km}*{drayage_round_trip_factor})",
    "labour": "({kit_share}*{assembly_hours_per_truck}+{built_share}*{built_pdi_hours_per_truck})"
    "*{labour_cost_eur_h}",
    "energy": "{kit_share}*{energy_kwh_per_truck}*{electricity_eur_mwh}/1000",
    "outbound": "{distance_to_market_km}*{road_circuity_factor}*{road_cost_per_km}",
    "capex": "{capex_m}*1000000*{kit_share}/{trucks_over_horizon}",
}


def _assumptions_sheet(b: _Book, params: pd.DataFrame) -> None:
    ws = b.wb.add_worksheet("Cost assumptions")
    b.header(ws, 0, ["row id", *_ASSUMPTION_COLUMNS],
             [40, 34, 12, 12, 12, 12, 12, 12, 60, 7, 10, 60])  # fmt: skip
    for i, (rid, p) in enumerate(params.iterrows()):
        r = i + 1
        b.text(ws, r, 0, rid)
        for j, col in enumerate(_ASSUMPTION_COLUMNS, start=1):
            if col in ("value", "low", "high"):
                b.number(ws, r, j, p[col], b.input if col == "value" else b.num)
            elif col == "year":
                b.number(ws, r, j, p[col], b.int)
            else:
                b.text(ws, r, j, p[col])
    ws.autofilter(0, 0, len(params), len(_ASSUMPTION_COLUMNS))


def _ramp_terms(horizon: int, start: str, target: str, ramp: str, rate: str | None) -> str:
    terms = []
    for t in range(1, horizon + 1):
        share = f"MIN(1,MAX(0,{t - 1}/MAX({ramp},1E-9)))"
        volume = f"({start}+({target}-{start})*{share})"
        terms.append(volume if rate is None else f"{volume}/(1+{rate})^{t}")
    return "+".join(terms)


def _input_names() -> list[str]:
    from windrose_sites.cost.model import INPUTS

    return [*INPUTS, *_SITE_COLUMNS, *_HELPERS, "trucks_over_horizon", "discounted_trucks"]


def _cost_inputs_sheet(b: _Book, model, rows: dict[str, int]) -> None:
    """Per site, every input as a reference into Cost assumptions, then the helpers."""
    from windrose_sites.cost.model import INPUTS

    ws = b.wb.add_worksheet("Cost inputs")
    names = _input_names()
    cols = {name: _col(2 + j) for j, name in enumerate(names)}
    b.header(ws, 0, ["site_id", "name", *names], [22, 30, *[14] * len(names)])
    ws.freeze_panes(1, 2)
    ids = model.params.index
    fx_row = rows[ids[model.index[INPUTS.index("fx_usd_per_eur"), 0]]]
    fx = f"'Cost assumptions'!$D${fx_row}"
    t = model.sites.table
    for j, site in enumerate(model.sites.ids):
        r, x = j + 1, j + 2
        b.text(ws, r, 0, site)
        b.text(ws, r, 1, t.at[site, "name"])
        for i in range(len(INPUTS)):
            k = model.index[i, j]
            if k < 0:
                ws.write_number(r, 2 + i, 0.0, b.num)
                continue
            ref = f"'Cost assumptions'!$D${rows[ids[k]]}"
            ws.write_formula(r, 2 + i, f"={ref}/{fx}" if model.usd[i, j] else f"={ref}", b.num)
        chain = t.at[site, "chain"]
        site_values = (t.at[site, "road_to_port_km"], t.at[site, "distance_to_market_km"],
                       float("EU" in chain), float("US" in chain))  # fmt: skip
        for name, value in zip(_SITE_COLUMNS, site_values, strict=True):
            b.number(ws, r, 2 + names.index(name), value, b.num)
        cells = {name: f"{col}{x}" for name, col in cols.items()}
        for name, formula in _HELPERS.items():
            ws.write_formula(r, 2 + names.index(name), "=" + formula.format(**cells), b.num)
        args = (cells["volume_start"], cells["volume_target"], cells["ramp_years"])
        ws.write_formula(r, 2 + names.index("trucks_over_horizon"),
                         "=" + _ramp_terms(model.horizon, *args, None), b.eur)  # fmt: skip
        ws.write_formula(r, 2 + names.index("discounted_trucks"),
                         "=" + _ramp_terms(model.horizon, *args, cells["discount_rate"]),
                         b.eur)  # fmt: skip


def _cost_sheet(b: _Book, model, table: pd.DataFrame) -> None:
    from windrose_sites.cost.model import COMPONENTS, RECURRING

    ws = b.wb.add_worksheet("Cost")
    cols = {name: _col(2 + j) for j, name in enumerate(_input_names())}
    heads = ["site_id", "name", *[f"{c} [EUR/truck]" for c in COMPONENTS],
             "total [EUR/truck]", "npv_10y [EUR m]", "model total [EUR/truck]",
             "formula − model [EUR/truck]"]  # fmt: skip
    b.header(ws, 0, heads, [22, 30, *[14] * (len(heads) - 2)])
    ws.freeze_panes(1, 2)
    ccol = {c: _col(2 + k) for k, c in enumerate(COMPONENTS)}
    total_col, model_col = _col(2 + len(COMPONENTS)), _col(4 + len(COMPONENTS))
    table = table.set_index("site_id")
    for j, site in enumerate(model.sites.ids):
        r, x = j + 1, j + 2
        ref = {name: f"'Cost inputs'!{col}{x}" for name, col in cols.items()}
        b.text(ws, r, 0, site)
        b.text(ws, r, 1, table.at[site, "name"])
        for k, comp in enumerate(COMPONENTS):
            if comp in _COMPONENT_FORMULAS:
                ws.write_formula(r, 2 + k, "=" + _COMPONENT_FORMULAS[comp].format(**ref), b.eur)
            else:
                b.number(ws, r, 2 + k, table.at[site, f"{comp}_eur_per_truck"], b.eur)
        ws.write_formula(r, 2 + len(COMPONENTS), f"=SUM(C{x}:{ccol['incentives']}{x})", b.eur)
        recurring = "+".join(f"{ccol[c]}{x}" for c in RECURRING)
        npv = (
            f"=({ref['capex_m']}*1000000*{ref['kit_share']}"
            f"+{ccol['incentives']}{x}*{ref['trucks_over_horizon']}/(1+{ref['discount_rate']})"
            f"+{ref['discounted_trucks']}*({recurring}))/1000000"
        )
        ws.write_formula(r, 3 + len(COMPONENTS), npv, b.eur_m)
        b.number(ws, r, 4 + len(COMPONENTS), table.at[site, "total_eur_per_truck"], b.eur)
        ws.write_formula(r, 5 + len(COMPONENTS), f"={total_col}{x}-{model_col}{x}", b.num)
    n = len(model.sites.ids)
    notes = [
        (
            "Components are formulas over sheet Cost inputs, whose cells point into Cost "
            "assumptions (change a value there). USD amounts are divided by the ECB USD per "
            "EUR row."
        ),
        (
            "Incentives are the model's values: the programme rules (caps, thresholds, "
            "eligibility; windrose_sites/cost/incentives.py) are not written out."
        ),
        (
            f"Trucks over the horizon and the discounted trucks are written out for "
            f"{model.horizon} years (horizon_years); a different horizon needs a new workbook."
        ),
        (
            "npv_10y = capex (year 0) − incentives (year 1, discounted) + discounted trucks × "
            "recurring cost per truck, EUR million (docs/COST_MODEL.md)."
        ),
        "A missing parameter (kind missing) uses the midpoint of its range.",
    ]
    for k, line in enumerate(notes):
        b.text(ws, n + 2 + k, 1, line, b.note)


# --------------------------------------------------------------------------- entry point


def workbook_xlsx(
    query: str,
    inputs: pipeline.Inputs | None = None,
    *,
    work: pipeline.WorkingSet | None = None,
    edits: Mapping[str, Mapping[str, float | None]] | None = None,
    tariff: str = "today",
    today: dt.date | None = None,
) -> bytes:
    """The Excel model of a shared link's state, as ``.xlsx`` bytes.

    Parameters are as :func:`windrose_sites.report.memo_pdf`. The same arguments on the same
    day give the same bytes (the creation time is the day's midnight, UTC).

    Raises
    ------
    NoRankingError
        When the state leaves nothing to rank.
    """
    from windrose_sites import cost as wcost
    from windrose_sites.report.content import METHOD_LABELS, data_version, evaluate

    inputs = pipeline.load_inputs() if inputs is None else inputs
    state, _warnings, work, ranking = evaluate(query, inputs, work)
    result = ranking.result
    crit = pipeline.criteria_for(state, inputs.criteria)
    order = list(result.sort_values(["rank", "score"], ascending=[True, False]).index)
    names = work.attributes["name"].astype(str)
    day = today or dt.date.today()
    buf = io.BytesIO()
    b = _Book(buf, dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC))
    lines = _notes(state, pipeline.query_string(state, inputs), METHOD_LABELS[state.method],
                   data_version(), ranking.removed.rename(index=names))  # fmt: skip
    _ranking_sheet(b, state, crit, order, result, names, lines)
    _weights_sheet(b, state, crit, pipeline.groups(inputs))
    imputed = result.attrs["imputed"]
    blocks = _values_sheet(b, work, crit, order, imputed)
    _used_values(b, crit, order, names, blocks)
    _normalized(b, crit, order, names)
    try:
        model, _ = wcost.tables.model_for_state(state, inputs, edits, wcost.tariff_scenario(tariff))
    except wcost.CostError as exc:
        ws = b.wb.add_worksheet("Cost")
        b.text(ws, 0, 0, f"No cost model for this state: {exc}", b.note)
    else:
        _cost_sheet(b, model, wcost.cost_table(model))
        rows = {rid: i + 2 for i, rid in enumerate(model.params.index)}
        _cost_inputs_sheet(b, model, rows)
        _assumptions_sheet(b, model.params)
    b.wb.close()
    return buf.getvalue()
