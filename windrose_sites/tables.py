"""Tables behind the pages: effective weights, ranking, contributions, side by side, and the
on-screen forms of values (labels instead of ids, one number format per unit, "—" for missing).

(Formerly ``windrose_sites.comparison``, which still re-exports the Compare page's names.)
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd

from windrose_sites import scoring
from windrose_sites.export import DECIMALS_BY_UNIT

__all__ = [
    "DIRECTION_WORDS",
    "DISPLAY_DECIMALS",
    "FACT_LABELS",
    "METHOD_NOTES",
    "MISSING",
    "contributions_long",
    "cost_parameter_label",
    "cost_table_decimals",
    "cost_table_labels",
    "effective_weights_table",
    "fact_label",
    "format_value",
    "key_facts_table",
    "no_information_note",
    "ranking_table",
    "round_for_display",
    "side_by_side",
    "side_by_side_sources",
    "side_by_side_view",
    "true_cells",
    "user_sites_table",
]

#: What a missing value shows on screen.
MISSING = "—"
#: A criterion's direction in plain words.
DIRECTION_WORDS = {"benefit": "higher is better", "cost": "lower is better"}
#: Decimals shown on screen per unit: the source precision of the downloads
#: (:data:`windrose_sites.export.DECIMALS_BY_UNIT`), but rates to one decimal.
DISPLAY_DECIMALS = {**DECIMALS_BY_UNIT, "%": 1, "EUR/h": 1, "M TEU/yr": 2, "FTE": 0}
#: How a unit is written after a number ("EUR m" reads "EUR 175 M" instead).
_UNIT_TEXT = {"m2": "m²", "count": "", "jobs": "jobs", "year": ""}
#: Units whose values are text, dates or years: shown as they are.
_VERBATIM_UNITS = {"text", "date", "year"}
#: On-screen names of the announced facts of ``data/site_facts.csv`` (ids stay in downloads).
FACT_LABELS = {
    "activities": "Activities",
    "announcement_date": "Announced",
    "building_m2": "Building floor area",
    "capacity_trucks_per_year_start": "Capacity at start",
    "capacity_trucks_per_year_target": "Capacity target",
    "competing_sites_count": "Competing sites",
    "components": "Components",
    "concession_area_ha": "Concession area",
    "concession_date": "Concession granted",
    "contract_manufacturers": "Contract manufacturers",
    "developer": "Developer",
    "eu_hq_interim": "Interim European HQ",
    "facility": "Facility",
    "first_truck": "First truck",
    "inbound": "Inbound parts",
    "investment_eur_m": "Investment",
    "jobs_at_start": "Jobs at start",
    "jobs_fte_long_term": "Jobs in the long term",
    "nearby_plant": "Nearby plant",
    "partner": "Partner",
    "plots_count": "Plots",
    "prd_investment_eur_m": "Developer's share of the investment",
    "production_start": "Production start",
    "public_aid": "Public aid",
    "second_us_plant_search": "Search for a second US plant",
    "selection_factors": "Why this site",
    "site_area_ha": "Site area",
}

#: One line per method: what the score means (the formula is in ``scoring.score``'s docstring).
METHOD_NOTES = {
    "wsm": "Weighted sum of min–max normalized values: (x − min)/(max − min) for a benefit, "
    "(max − x)/(max − min) for a cost. Score 0–1; contributions add up to the score.",
    "wpm": "Weighted product of x/max (benefit) and min/x (cost), each raised to its weight. "
    "Score 0–1; a site weak on one criterion is penalised more than in the weighted sum. "
    + scoring.WPM_RULE,
    "topsis": "TOPSIS (Hwang & Yoon): vector normalization, distance to the ideal and the "
    "anti-ideal site; score = relative closeness, 0–1.",
    "promethee": "PROMETHEE II net flow, usual preference function: for each criterion, the share "
    "of sites this one beats minus the share that beat it, weighted. Score −1 to 1.",
}


def effective_weights_table(criteria: pd.DataFrame, weights: pd.Series | None) -> pd.DataFrame:
    """Criterion, group, unit, direction and effective weight in % (the weights in use)."""
    out = pd.DataFrame(
        {
            "criterion": criteria["label"],
            "group": criteria["group"],
            "unit": criteria["unit"],
            "direction": criteria["direction"],
        }
    )
    out["weight %"] = (
        (weights.reindex(criteria.index).fillna(0) * 100).round(1) if weights is not None else 0.0
    )
    return out.reset_index(names="id")


def ranking_table(result: pd.DataFrame, attributes: pd.DataFrame) -> pd.DataFrame:
    """Rank, name, score, country and status of the scored sites, best first."""
    out = result[["rank", "score"]].join(attributes[["name", "country", "status"]])
    out.attrs = {}  # the scoring attrs (DataFrames) are not for display
    return out.sort_values(["rank", "score"], ascending=[True, False]).reset_index(names="site_id")


def contributions_long(
    result: pd.DataFrame, names: pd.Series, criteria: pd.DataFrame
) -> pd.DataFrame | None:
    """Long table (site, criterion, contribution, rank) for a stacked bar; None if not additive."""
    cols = [c for c in result.columns if c.startswith("contrib_")]
    if not cols:
        return None
    wide = result[cols].rename(columns=lambda c: criteria.at[c.removeprefix("contrib_"), "label"])
    wide.attrs = {}
    long = wide.stack().rename("contribution").reset_index()
    long.columns = ["site_id", "criterion", "contribution"]
    long["site"] = long["site_id"].map(names)
    long["rank"] = long["site_id"].map(result["rank"])
    return long


def side_by_side(
    result: pd.DataFrame,
    table: pd.DataFrame,
    provenance: pd.DataFrame,
    criteria: pd.DataFrame,
    a: str,
    b: str,
    names: pd.Series,
) -> pd.DataFrame:
    """Every criterion of two sites: unit, value, normalized value and source (with year)."""
    normalized = result.attrs.get("normalized", pd.DataFrame())
    prov = provenance.set_index(["site_id", "criterion"])
    rows = []
    for cid in criteria.index:
        row = {"criterion": criteria.at[cid, "label"], "unit": criteria.at[cid, "unit"]}
        for site in (a, b):
            label = names.get(site, site)
            row[f"{label}: value"] = table.at[site, cid]
            row[f"{label}: normalized"] = (
                normalized.at[site, cid] if cid in normalized.columns else float("nan")
            )
            p = prov.loc[(site, cid)] if (site, cid) in prov.index else None
            year = "" if p is None or pd.isna(p["year"]) else f" ({int(p['year'])})"
            row[f"{label}: source"] = "NOT FOUND" if p is None else f"{p['source']}{year}"
            row[f"{label}: kind"] = "missing" if p is None else p["kind"]
        rows.append(row)
    return pd.DataFrame(rows)


def no_information_note(result: pd.DataFrame, criteria: pd.DataFrame) -> str | None:
    """One sentence naming the weighted criteria that carry no information, or None.

    Reads ``result.attrs["no_information"]`` of :func:`windrose_sites.scoring.score` and
    the criterion labels; ends with :data:`windrose_sites.scoring.NO_INFORMATION_RULE`. The
    labels come from data: pass the sentence through ``windrose_sites.text.md`` to display it.

    Examples
    --------
    >>> crit = pd.DataFrame({"label": ["Import duty"]}, index=["duty_pct"])
    >>> r = pd.DataFrame({"score": [1.0]})
    >>> r.attrs["no_information"] = ["duty_pct"]
    >>> no_information_note(r, crit).split(":")[0]
    'No information in Import duty'
    """
    flat = result.attrs.get("no_information", [])
    if not flat:
        return None
    labels = [str(criteria.at[c, "label"]) if c in criteria.index else str(c) for c in flat]
    return f"No information in {', '.join(labels)}: {scoring.NO_INFORMATION_RULE}"


def true_cells(mask: pd.DataFrame) -> list[tuple[object, object]]:
    """(row, column) labels of the True cells of a boolean frame, row by row."""
    rows, cols = mask.to_numpy(dtype=bool).nonzero()
    return [(mask.index[r], mask.columns[c]) for r, c in zip(rows, cols, strict=True)]


def fact_label(fact: str) -> str:
    """The on-screen name of a fact id: :data:`FACT_LABELS`, else the id in words.

    >>> fact_label("concession_area_ha"), fact_label("road_links_count")
    ('Concession area', 'Road links count')
    """
    return FACT_LABELS.get(fact, str(fact).replace("_", " ").capitalize())


def _number(value: object) -> float | None:
    """The value as a finite float, or None (text, blank, NaN, None)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def format_value(value: object, unit: str, *, signed: bool = False) -> str:
    """A value as shown on screen: one format per unit, the unit after it, "—" when missing.

    Distances and counts are whole numbers with thousands separators, rates have one decimal
    (:data:`DISPLAY_DECIMALS`), other units three significant digits. Text, dates and years
    are shown as they are. ``signed=True`` writes a difference: "+19 km", "−3.6 pp"
    (a difference of percentages is in percentage points).

    >>> format_value(10510.9458, "nm"), format_value(9.73, "%"), format_value(None, "km")
    ('10,511 nm', '9.7 %', '—')
    >>> format_value(175, "EUR m"), format_value(-19.2, "km", signed=True), format_value(9.5, "ha")
    ('EUR 175 M', '−19 km', '9.5 ha')
    >>> format_value(0.775, "fraction")
    '77.5 %'
    """
    unit = str(unit)
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return MISSING
    if unit in _VERBATIM_UNITS:
        text = str(value).strip()
        if unit == "year" and _number(text) is not None:
            text = f"{_number(text):.0f}"
        return text or MISSING
    number = _number(value)
    if number is None:
        return str(value).strip() or MISSING
    if unit == "fraction":  # a share reads as a percentage
        number, unit = number * 100, "%"
    decimals = DISPLAY_DECIMALS.get(unit)
    sign = "+" if signed else ""
    if decimals is None:  # three significant digits, no trailing zeros
        decimals = 0 if abs(number) >= 100 else max(0, 2 - math.floor(math.log10(abs(number) or 1)))
        text = f"{number:{sign},.{decimals}f}"
        text = text.rstrip("0").rstrip(".") if "." in text else text
    else:
        text = f"{number:{sign},.{decimals}f}"
    text = text.replace("-", "−")
    if signed and text.lstrip("+−").strip("0.,") == "":
        text = text.lstrip("+−")  # a rounded zero has no sign
    if unit == "EUR m":
        return f"EUR {text} M"
    if unit == "%" and signed:
        return f"{text} pp"
    shown_unit = _UNIT_TEXT.get(unit, unit)
    return f"{text} {shown_unit}" if shown_unit else text


def round_for_display(table: pd.DataFrame, criteria: pd.DataFrame) -> pd.DataFrame:
    """Criterion values rounded to the decimals shown on screen (:data:`DISPLAY_DECIMALS`).

    For an editable table: Streamlit's number column cuts the digits its step does not show
    (10,510.95 nm reads 10,510), so the values it gets are rounded first (10,511).

    >>> crit = pd.DataFrame({"unit": ["nm", "%"]}, index=["sea_nm", "rate"])
    >>> values = pd.DataFrame({"sea_nm": [10510.9458], "rate": [9.73]})
    >>> round_for_display(values, crit).iloc[0].tolist()
    [10511.0, 9.7]
    """
    out = table.copy()
    for cid in table.columns.intersection(criteria.index):
        decimals = DISPLAY_DECIMALS.get(str(criteria.at[cid, "unit"]))
        if decimals is not None:
            out[cid] = out[cid].astype(float).round(decimals)
    return out


def key_facts_table(facts: pd.DataFrame, names: pd.Series) -> pd.DataFrame:
    """Announced facts for the screen: site name, fact label, value with its unit, year, kind,
    source and note (the ids and raw values stay in ``data/site_facts.csv`` and downloads).
    """
    return pd.DataFrame(
        {
            "site": facts["site_id"].map(names).fillna(facts["site_id"]),
            "fact": facts["fact"].map(fact_label),
            "value": [
                format_value(v, u) for v, u in zip(facts["value"], facts["unit"], strict=True)
            ],
            "year": facts["year"],
            "kind": facts["kind"],
            "source": facts["source"],
            "note": facts["note"],
        },
        index=facts.index,
    ).reset_index(drop=True)


def _better(diff: float, shown: str, direction: str, names: tuple[str, str]) -> str:
    """Which of two sites is better on a criterion, from B − A and the direction; "equal"
    when the difference as shown rounds to zero (``shown`` carries no sign).
    """
    if diff == 0 or not shown.startswith(("+", "−")):
        return "equal"
    b_better = diff > 0 if direction == "benefit" else diff < 0
    return names[1] if b_better else names[0]


def side_by_side_view(
    table: pd.DataFrame,
    criteria: pd.DataFrame,
    a: str,
    b: str,
    names: pd.Series,
) -> pd.DataFrame:
    """Two sites on every criterion, for the screen: one row per criterion with the direction
    in words, both values with their unit, the difference B − A and which site is better.

    Values are formatted by :func:`format_value` ("—" when missing; then nothing is better);
    the columns are ``criterion``, ``direction``, ``A: <short name>``, ``B: <short name>``,
    ``B − A`` and ``better``.
    """
    short = _two_short_names(str(names.get(a, a)), str(names.get(b, b)))
    col_a, col_b = f"A: {short[0]}", f"B: {short[1]}"
    rows = []
    for cid in criteria.index:
        unit, direction = str(criteria.at[cid, "unit"]), str(criteria.at[cid, "direction"])
        va = _number(table.at[a, cid]) if cid in table.columns else None
        vb = _number(table.at[b, cid]) if cid in table.columns else None
        diff = None if va is None or vb is None else vb - va
        shown = MISSING if diff is None else format_value(diff, unit, signed=True)
        rows.append(
            {
                "criterion": criteria.at[cid, "label"],
                "direction": DIRECTION_WORDS.get(direction, direction),
                col_a: format_value(va, unit),
                col_b: format_value(vb, unit),
                "B − A": shown,
                "better": MISSING if diff is None else _better(diff, shown, direction, short),
            }
        )
    return pd.DataFrame(rows)


def side_by_side_sources(
    provenance: pd.DataFrame, criteria: pd.DataFrame, a: str, b: str, names: pd.Series
) -> pd.DataFrame:
    """Where each value of two sites comes from: per criterion, source (year) and kind."""
    prov = provenance.set_index(["site_id", "criterion"])
    rows = []
    for cid in criteria.index:
        row = {"criterion": criteria.at[cid, "label"]}
        for tag, site in (("A", a), ("B", b)):
            p = prov.loc[(site, cid)] if (site, cid) in prov.index else None
            year = "" if p is None or pd.isna(p["year"]) else f" ({int(p['year'])})"
            short = _short(names.get(site, site))
            row[f"{tag}: {short} source"] = "not found" if p is None else f"{p['source']}{year}"
            row[f"{tag}: kind"] = "missing" if p is None else str(p["kind"])
        rows.append(row)
    return pd.DataFrame(rows)


def _short(name: object, max_chars: int = 24) -> str:
    """A site's place name for a column header (``maps.short_name``'s rule, 24 characters)."""
    text = str(name).split(" (")[0].split(", ")[0].strip() or str(name).strip()
    return text if len(text) <= max_chars else text[: max_chars - 1].rstrip() + "…"


def _two_short_names(a: str, b: str) -> tuple[str, str]:
    """The shortest names that tell two sites apart: "Antwerp" (the part before " – ", " (",
    ", " or " / "), else the place name, else the whole names.

    >>> _two_short_names("Antwerp – Romeynsweel, Noorderlaan (Park)", "Onnaing (next to Toyota)")
    ('Antwerp', 'Onnaing')
    >>> _two_short_names("Antwerp – North", "Antwerp – South")
    ('Antwerp – North', 'Antwerp – South')
    """
    for short in (
        lambda n: _short(n.split(" – ")[0].split(" / ")[0], 18),
        _short,
        lambda n: _short(n, 60),
    ):
        pair = (short(a), short(b))
        if pair[0] != pair[1]:
            return pair
    return (f"{a} (A)", f"{b} (B)")


def user_sites_table(sites: pd.DataFrame, criteria: pd.DataFrame) -> pd.DataFrame:
    """The user's added sites for the screen: name, place, where their statistics come from,
    status, source and any values given, with readable headers and "—" for blanks.

    ``indicator_areas`` (``"US-AZ;US"``, most specific first) reads ``"US-AZ, then US"``;
    ``role`` (always ``candidate``) and the internal ids are left out.
    """

    def _text(column: str) -> pd.Series:
        if column not in sites:
            return pd.Series(MISSING, index=sites.index)
        return sites[column].fillna("").astype(str).str.strip().replace("", MISSING)

    out = pd.DataFrame(
        {
            "site": _text("name"),
            "country": _text("country"),
            "region": _text("region"),
            "statistics from (most specific first)": _text("indicator_areas").str.replace(
                ";", ", then ", regex=False
            ),
            "status": _text("status"),
            "location": _text("location_note"),
            "source": _text("source"),
        },
        index=sites.index,
    )
    for cid in criteria.index.intersection(sites.columns):
        unit = str(criteria.at[cid, "unit"])
        header = f"{criteria.at[cid, 'label']} [{unit}]"
        out[header] = [format_value(v, unit) for v in sites[cid]]
    return out.reset_index(drop=True)


def cost_table_labels(columns: Iterable[object], components: dict[str, str]) -> dict[str, str]:
    """On-screen headers of the cost table's number columns (the CSV keeps the ids).

    >>> cost_table_labels(["name", "duty_eur_per_truck", "p_cheapest"], {"duty": "import duty"})
    {'duty_eur_per_truck': 'import duty (EUR/truck)', 'p_cheapest': 'probability cheapest'}
    """
    fixed = {
        "total_eur_per_truck": "total (EUR/truck)",
        "total_p10_eur_per_truck": "total P10 (EUR/truck)",
        "total_p50_eur_per_truck": "total P50 (EUR/truck)",
        "total_p90_eur_per_truck": "total P90 (EUR/truck)",
        "npv_10y_eur_m": "10-year cost, present value (EUR M)",
        "p_cheapest": "probability cheapest",
    }
    out = {}
    for c in map(str, columns):
        if c in fixed:
            out[c] = fixed[c]
        elif c.endswith("_eur_per_truck"):
            part = c.removesuffix("_eur_per_truck")
            out[c] = f"{components.get(part, part.replace('_', ' '))} (EUR/truck)"
    return out


def cost_table_decimals(columns: Iterable[object]) -> dict[str, int]:
    """Decimals of the cost table on screen: whole euros, EUR M to 0.1, probabilities to 0.1 %.

    >>> cost_table_decimals(["name", "total_eur_per_truck", "npv_10y_eur_m", "p_cheapest"])
    {'total_eur_per_truck': 0, 'npv_10y_eur_m': 1, 'p_cheapest': 3}
    """
    out = {}
    for c in map(str, columns):
        if c.endswith("_eur_per_truck"):
            out[c] = 0
        elif c.endswith("_eur_m"):
            out[c] = 1
        elif c == "p_cheapest":
            out[c] = 3
    return out


def cost_parameter_label(row: str, names: pd.Series) -> str:
    """A cost-parameter row id in words: ``"labour_cost_eur_h@onnaing"`` -> "Hourly labour
    cost at Onnaing" (:data:`windrose_sites.cost.tornado.LABELS`; ids stay in the CSV).

    >>> cost_parameter_label("truck_price_usd@all", pd.Series(dtype=str))
    'Truck price'
    >>> cost_parameter_label("eu_parts_duty_pct@BE", pd.Series(dtype=str))
    'EU duty on kit parts (BE)'
    """
    from windrose_sites.cost.tornado import LABELS, short_name

    param, _, where = str(row).partition("@")
    text = LABELS.get(param, param.replace("_", " ")).removeprefix("the ")
    text = text[:1].upper() + text[1:]
    if where in ("", "all"):
        return text
    if where in names.index:
        return f"{text} at {short_name(names[where])}"
    return f"{text} ({where})"
