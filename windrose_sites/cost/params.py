"""Cost-model parameters: the sourced table, site-derived rows, overrides and sampling.

One row per ``(param, applies_to)``. ``applies_to`` is ``all``, a market (``EU``, ``US``),
an indicator area (``BE``, ``BE-VLG``, ``FR``, ``US-AZ``, ``US-CA``...) or a site id. A site takes
the most specific row: its site id, then its indicator areas (most specific first, as in
``sites.geojson``), then ``all``.

Rows come from ``data/cost_assumptions.csv`` plus rows derived at load time from the catalog:

- ``fx_usd_per_eur``: the ECB annual mean of :data:`FX_YEAR` (:mod:`windrose_sites.fx`);
- per site: ``labour_cost_eur_h`` and ``electricity_eur_mwh`` (criteria table, with their
  provenance), and for the sites with announcements ``capex_m``, ``volume_start``,
  ``volume_target`` and ``jobs`` (``site_facts.csv``).

**Missing values.** A row of kind ``missing`` has no value in the CSV. The model uses the
midpoint of its stated range, and every output that depends on it can name it
(:func:`missing_rows`). A derived row whose source value is missing gets the range of the
observed values of that criterion across the candidates, and its midpoint.

**Ranges of derived rows** follow the kind of the source value: official ±2 %, derived ±5 %,
estimate ±15 % (:data:`KIND_SPREAD`), triangular around the value.

Money in USD stays in USD here (the unit says so); :mod:`windrose_sites.cost.model` converts
with the sampled ``fx_usd_per_eur``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from windrose_sites import catalog, fx
from windrose_sites.errors import WindroseError

__all__ = [
    "APPLIES_TO",
    "ASSUMPTIONS_PATH",
    "COLUMNS",
    "DISTRIBUTIONS",
    "DUTY_LINKS",
    "FX_YEAR",
    "KINDS",
    "KIND_SPREAD",
    "REQUIRED",
    "CostError",
    "apply_overrides",
    "load_assumptions",
    "missing_rows",
    "parameter_table",
    "parse_override",
    "row_id",
    "sample",
    "site_chain",
]

ASSUMPTIONS_PATH = catalog.DATA_DIR / "cost_assumptions.csv"
#: What may follow the ``@`` of an override key: ``all``, a market, an indicator area or a
#: site id (an upload's site ids follow the same rule). Such a key is shown on the Cost page
#: and in its command line, so it can never carry markup, quotes or a line break.
APPLIES_TO = re.compile(r"[A-Za-z0-9_\-]{1,100}")
COLUMNS = (
    "param",
    "value",
    "unit",
    "low",
    "high",
    "distribution",
    "applies_to",
    "source",
    "year",
    "kind",
    "note",
)
DISTRIBUTIONS = ("fixed", "uniform", "triangular", "lognormal")
#: ``user`` marks a value the user (or a tariff scenario) set; the CSV never carries it.
KINDS = (*catalog.KINDS, "user")
#: Relative half-width of the range of a catalog-derived row, by the kind of its source value.
KIND_SPREAD = {"official": 0.02, "derived": 0.05, "estimate": 0.15}
#: Parameter ids the CSV must define (issue 14), besides one freight row per sea lane used.
REQUIRED = ("assembly_hours_per_truck", "us_section232_pct", "discount_rate", "feu_per_truck_kit")
#: Year of the freight readings; the USD amounts are converted at this year's ECB mean.
FX_YEAR = 2025
#: z of the 10th / 90th percentile: a lognormal row's low/high are its P10/P90.
_Z90 = 1.2815515655446004


class CostError(WindroseError):
    """A cost parameter, override or input is not usable; the message says what and where."""


def row_id(param: str, applies_to: str) -> str:
    """The id of one row: ``"param@applies_to"``."""
    return f"{param}@{applies_to}"


def _fail(path: Path, line: int, column: str, message: str) -> CostError:
    return CostError(f"{path.name}, line {line}, column {column!r}: {message}")


def _check_row(path: Path, line: int, row: pd.Series) -> None:
    kind, dist = row["kind"], row["distribution"]
    if kind not in catalog.KINDS:
        raise _fail(path, line, "kind", f"{kind!r}; allowed are {', '.join(catalog.KINDS)}")
    if dist not in DISTRIBUTIONS:
        raise _fail(path, line, "distribution", f"{dist!r}; allowed: {', '.join(DISTRIBUTIONS)}")
    if not str(row["param"]).strip() or not str(row["applies_to"]).strip():
        raise _fail(path, line, "param", "param and applies_to must not be empty")
    low, high, value = row["low"], row["high"], row["value"]
    if not (math.isfinite(low) and math.isfinite(high)) or low > high:
        raise _fail(path, line, "low", f"need finite low <= high, got {low} and {high}")
    if kind == "missing":
        if math.isfinite(value):
            raise _fail(path, line, "value", "a missing row has no value (the midpoint is used)")
        if not str(row["note"]).strip():
            raise _fail(path, line, "note", "a missing row needs a note saying what is missing")
        return
    if not str(row["source"]).strip():
        raise _fail(path, line, "source", f"a {kind} row needs a source")
    if not math.isfinite(value) or not low <= value <= high:
        raise _fail(path, line, "value", f"{value} is not within [{low}, {high}]")
    if dist == "lognormal" and low <= 0:
        raise _fail(path, line, "low", "a lognormal row needs low > 0")


@lru_cache(maxsize=4)
def _load_cached(path: Path) -> pd.DataFrame:
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except OSError as exc:
        msg = f"{path}: cannot read the cost assumptions ({exc})"
        raise CostError(msg) from exc
    absent = [c for c in COLUMNS if c not in raw.columns]
    if absent:
        msg = f"{path.name}: missing column(s) {', '.join(absent)}; expected {', '.join(COLUMNS)}"
        raise CostError(msg)
    df = raw[list(COLUMNS)].copy()
    for col in ("value", "low", "high"):
        num = pd.to_numeric(df[col].replace("", np.nan), errors="coerce")
        bad = num.isna() & (df[col] != "")
        if bad.any():
            line = int(np.flatnonzero(bad.to_numpy())[0]) + 2
            raise _fail(path, line, col, f"not a number: {df[col][bad].iloc[0]!r}")
        df[col] = num.astype(float)
    df["year"] = pd.to_numeric(df["year"].replace("", np.nan), errors="coerce")
    for i, row in df.iterrows():
        _check_row(path, int(i) + 2, row)
    ids = df["param"] + "@" + df["applies_to"]
    if ids.duplicated().any():
        msg = f"{path.name}: duplicate (param, applies_to): {ids[ids.duplicated()].iloc[0]}"
        raise CostError(msg)
    absent = [p for p in REQUIRED if p not in set(df["param"])]
    if absent:
        msg = f"{path.name}: required parameter(s) missing: {', '.join(absent)}"
        raise CostError(msg)
    missing = df["kind"] == "missing"
    df.loc[missing, "value"] = ((df.loc[missing, "low"] + df.loc[missing, "high"]) / 2).round(10)
    df.index = pd.Index(ids, name="row")
    return df


def load_assumptions(path: Path | str | None = None) -> pd.DataFrame:
    """The validated rows of ``cost_assumptions.csv``, indexed by ``"param@applies_to"``.

    A ``missing`` row's ``value`` is filled with the midpoint of ``low`` and ``high``. The
    duty rows (:data:`DUTY_LINKS`) take their value, source, year and kind from the duty
    components of ``indicators.csv`` (:func:`windrose_sites.catalog.duty_components`), so the
    cost model and the ``import_duty_pct`` criterion read one figure; the CSV sets their range.

    Raises
    ------
    CostError
        Naming the file, line and column of the first bad cell.
    """
    return _linked(Path(path) if path else ASSUMPTIONS_PATH).copy()


@lru_cache(maxsize=4)
def _linked(path: Path) -> pd.DataFrame:
    return _link_duty(_load_cached(path).copy())


#: Duty rows of the CSV -> (area, indicator id in ``indicators.csv``). ``eu_parts_duty_pct``
#: takes the EU kit MFN of :func:`windrose_sites.catalog.import_duty_pct` (highest kit line).
DUTY_LINKS = {
    "eu_parts_duty_pct@EU": ("EU", "kit"),
    "eu_built_duty_pct@EU": ("EU", "duty_mfn_built_pct"),
    "us_mfn_kit_pct@US": ("US", "duty_mfn_kit_pct"),
    "us_mfn_built_pct@US": ("US", "duty_mfn_built_pct"),
    "us_section301_pct@US": ("US", "duty_extra_s301_pct"),
    "us_section232_pct@US": ("US", "duty_extra_s232_pct"),
}


def _duty_value(area: str, indicator: str) -> dict | None:
    if indicator == "kit":
        got = catalog.import_duty_pct(area, "kit")
        value = got["value"]  # always a float (NaN when no duty row is found)
        if not isinstance(value, float) or not math.isfinite(value):
            return None
        extra = catalog.duty_components(area)
        extra = float(extra.loc[extra["layer"] == "extra", "value"].sum())
        return {**got, "value": value - extra, "indicator": "kit MFN"}
    comp = catalog.duty_components(area)
    hit = comp[comp["indicator"] == indicator]
    return None if hit.empty else {**hit.iloc[0].to_dict(), "indicator": indicator}


def _link_duty(df: pd.DataFrame) -> pd.DataFrame:
    for rid, (area, indicator) in DUTY_LINKS.items():
        if rid not in df.index:
            continue
        got = _duty_value(area, indicator)
        if got is None:  # no duty row yet: the CSV value stands
            continue
        value = float(got["value"])
        df.at[rid, "value"] = value
        df.at[rid, "low"] = min(df.at[rid, "low"], value)
        df.at[rid, "high"] = max(df.at[rid, "high"], value)
        df.at[rid, "source"] = str(got["source"])
        df.at[rid, "year"] = got["year"]
        df.at[rid, "kind"] = str(got["kind"])
        df.at[rid, "note"] = (
            f"{df.at[rid, 'note']} Value read from indicators.csv ({area} {got['indicator']})."
        )
    return df


def _derived(param: str, value: float, unit: str, site: str, prov: pd.Series | None) -> dict:
    kind = prov["kind"] if prov is not None else "estimate"
    spread = KIND_SPREAD.get(kind, 0.15)
    return {
        "param": param,
        "value": float(value),
        "unit": unit,
        "low": float(value) * (1 - spread),
        "high": float(value) * (1 + spread),
        "distribution": "triangular" if spread else "fixed",
        "applies_to": site,
        "source": "" if prov is None else str(prov["source"]),
        "year": np.nan if prov is None else prov["year"],
        "kind": kind,
        "note": "" if prov is None else str(prov["note"]),
    }


def _criterion_rows(criterion: str, param: str, unit: str, table: pd.DataFrame, prov) -> list:
    values = pd.to_numeric(table[criterion], errors="coerce")
    rows = []
    for site, value in values.items():
        p = prov.get((site, criterion))
        if math.isfinite(value):
            rows.append(_derived(param, value, unit, str(site), p))
            continue
        lo, hi = float(values.min()), float(values.max())
        rows.append(
            {
                "param": param,
                "value": (lo + hi) / 2,
                "unit": unit,
                "low": lo,
                "high": hi,
                "distribution": "uniform",
                "applies_to": str(site),
                "source": "",
                "year": np.nan,
                "kind": "missing",
                "note": (
                    f"{criterion} is missing for this site ({'' if p is None else p['note']}); "
                    f"the range is the lowest to highest value of the candidates and the "
                    f"midpoint is used, flagged missing."
                ),
            }
        )
    return rows


_FACTS = {  # site fact -> (param, unit, scale)
    "investment_eur_m": ("capex_m", "EUR m"),
    "capacity_trucks_per_year_start": ("volume_start", "trucks/yr"),
    "capacity_trucks_per_year_target": ("volume_target", "trucks/yr"),
    "jobs_fte_long_term": ("jobs", "FTE"),
    "jobs_at_start": ("jobs", "FTE"),
}


def _fact_rows(sites: Iterable[str]) -> list:
    facts = catalog.load_site_facts()
    facts = facts[facts["site_id"].isin(set(sites)) & facts["fact"].isin(_FACTS)]
    rows, seen = [], set()
    for _, f in facts.iterrows():
        param, unit = _FACTS[f["fact"]]
        value = pd.to_numeric(f["value"], errors="coerce")
        if not math.isfinite(value) or (param, f["site_id"]) in seen:
            continue
        seen.add((param, f["site_id"]))
        row = _derived(param, value, unit, f["site_id"], f)
        row["note"] = f"site_facts.csv {f['fact']}: {f['note']}"
        rows.append(row)
    return rows


def _fx_row() -> dict:
    return {
        "param": "fx_usd_per_eur",
        "value": fx.usd_per_eur(FX_YEAR),
        "unit": "USD/EUR",
        "low": fx.usd_per_eur(FX_YEAR),
        "high": fx.usd_per_eur(FX_YEAR),
        "distribution": "fixed",
        "applies_to": "all",
        "source": fx.ECB_URL,
        "year": FX_YEAR,
        "kind": "derived",
        "note": (
            f"Mean of the ECB daily euro reference rates of {FX_YEAR} (windrose_sites.fx), the "
            "year of the freight readings; converts every USD amount of the cost model."
        ),
    }


def parameter_table(
    table: pd.DataFrame | None = None,
    provenance: pd.DataFrame | None = None,
    path: Path | str | None = None,
) -> pd.DataFrame:
    """Every row the model reads: the CSV plus the rows derived from the catalog.

    Parameters
    ----------
    table : pandas.DataFrame, optional
        Criteria per site (index ``site_id``), default :func:`windrose_sites.catalog.
        criteria_table`; its ``labour_cost_eur_h`` and ``electricity_eur_mwh`` become rows.
    provenance : pandas.DataFrame, optional
        Rows ``(site_id, criterion)`` as in :func:`windrose_sites.catalog.provenance`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`, index ``"param@applies_to"``.
    """
    table = catalog.criteria_table() if table is None else table
    prov = catalog.provenance() if provenance is None else provenance
    wanted = prov["criterion"].isin(("labour_cost_eur_h", "electricity_eur_mwh")) & prov[
        "site_id"
    ].isin(table.index)
    by_key = {(r["site_id"], r["criterion"]): r for _, r in prov[wanted].iterrows()}
    rows = [_fx_row()]
    rows += _criterion_rows("labour_cost_eur_h", "labour_cost_eur_h", "EUR/h", table, by_key)
    rows += _criterion_rows("electricity_eur_mwh", "electricity_eur_mwh", "EUR/MWh", table, by_key)
    rows += _fact_rows(table.index)
    derived = pd.DataFrame(rows, columns=list(COLUMNS))
    derived["year"] = pd.to_numeric(derived["year"], errors="coerce")
    derived.index = pd.Index(derived["param"] + "@" + derived["applies_to"], name="row")
    return pd.concat([load_assumptions(path), derived])


def site_chain(site_id: str, indicator_areas: str, country: str) -> tuple[str, ...]:
    """Where a site looks for a row, most specific first: site, areas, market, ``all``."""
    areas = [a for a in str(indicator_areas or "").split(";") if a]
    chain = [site_id, *areas]
    if country and country not in chain:
        chain.append(country)
    market = "US" if country == "US" else ("EU" if "EU" in areas else None)
    if market and market not in chain:
        chain.append(market)
    return (*chain, "all")


def missing_rows(params: pd.DataFrame, rows: Iterable[str]) -> list[str]:
    """The ids among ``rows`` whose kind is ``missing`` (their midpoint is in use)."""
    kinds = params["kind"]
    return [r for r in dict.fromkeys(rows) if r in kinds.index and kinds[r] == "missing"]


def parse_override(key: str, params: pd.DataFrame) -> list[str]:
    """Row ids an override key addresses: ``"param"`` (all its rows) or ``"param@applies_to"``.

    Raises
    ------
    CostError
        For an unknown parameter or row, with the closest known ids.
    """
    if key in params.index:
        return [key]
    matches = list(params.index[params["param"] == key])
    if matches:
        return matches
    import difflib

    known = sorted(set(params["param"]) | set(params.index))
    close = difflib.get_close_matches(key, known, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    msg = f"unknown cost parameter {key[:80]!r}{hint} (see --list-params)"
    raise CostError(msg)


def apply_overrides(params: pd.DataFrame, overrides: Mapping[str, object]) -> pd.DataFrame:
    """A copy of ``params`` with user values set; each edited row becomes kind ``user``.

    ``overrides`` maps ``"param"`` or ``"param@applies_to"`` to a number, or to the name of
    another parameter row whose value it copies (a tariff scenario such as "EU duty on parts
    rises to the built-vehicle rate"). The range widens to include the new value; the
    distribution is kept, so the row still varies in the Monte Carlo unless it is ``fixed``.
    A ``"param@applies_to"`` key without a row yet adds one (a copy of the param's ``all`` row)
    that then takes precedence for the sites of that area.
    """
    out = params.copy()
    for key, raw in overrides.items():
        out = _add_specific_row(out, str(key))
        targets = parse_override(str(key), out)
        if isinstance(raw, str) and not _is_number(raw):
            source = parse_override(raw, out)[0]
            value = float(out.at[source, "value"])
        else:
            value = _as_value(raw, str(key))
        for rid in targets:
            out.at[rid, "value"] = value
            out.at[rid, "low"] = min(out.at[rid, "low"], value)
            out.at[rid, "high"] = max(out.at[rid, "high"], value)
            out.at[rid, "kind"] = "user"
            out.at[rid, "note"] = f"user assumption ({key} = {value:g}); was: {out.at[rid, 'note']}"
    return out


def _add_specific_row(params: pd.DataFrame, key: str) -> pd.DataFrame:
    """For ``"param@where"`` with no such row yet, a copy of the param's broadest row there."""
    param, sep, where = key.partition("@")
    if not sep or key in params.index or not where.strip():
        return params
    if not APPLIES_TO.fullmatch(where):
        msg = (
            f"cost parameter {key[:80]!r}: after '@' comes 'all', a market, an area or a site "
            "id (1-100 letters, digits, '_' or '-')"
        )
        raise CostError(msg)
    rows = params[params["param"] == param]
    if rows.empty:
        return params  # parse_override reports the unknown parameter
    broadest = (
        rows.loc[rows["applies_to"] == "all"] if (rows["applies_to"] == "all").any() else rows
    )
    new = broadest.iloc[[0]].copy()
    new["applies_to"] = where
    new.index = pd.Index([key], name=params.index.name)
    return pd.concat([params, new])


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _as_value(raw: object, key: str) -> float:
    try:
        value = float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        msg = f"{key}: expected a number, got {str(raw)[:40]!r}"
        raise CostError(msg) from None
    if not math.isfinite(value) or value < 0:
        msg = f"{key}: expected a finite number >= 0, got {value}"
        raise CostError(msg)
    return value


def sample(params: pd.DataFrame, n: int, rng: np.random.Generator) -> np.ndarray:
    """Draw ``n`` values of every row, shape ``(len(params), n)``, row order kept.

    ``fixed`` repeats the value; ``uniform`` draws in ``[low, high]``; ``triangular`` has its
    mode at the value; ``lognormal`` has its median at the value and ``low``/``high`` as P10/P90
    (the larger log-distance sets sigma). A row with ``low == high`` is fixed.
    """
    value = params["value"].to_numpy(float)
    low = params["low"].to_numpy(float)
    high = params["high"].to_numpy(float)
    dist = params["distribution"].to_numpy()
    out = np.repeat(value[:, None], n, axis=1)
    varies = high > low
    for name in ("uniform", "triangular", "lognormal"):
        idx = np.flatnonzero((dist == name) & varies)
        if not idx.size:
            continue
        lo, hi, v = low[idx, None], high[idx, None], value[idx, None]
        if name == "uniform":
            out[idx] = rng.uniform(lo, hi, size=(idx.size, n))
        elif name == "triangular":
            out[idx] = rng.triangular(lo, v, hi, size=(idx.size, n))
        else:
            sigma = np.maximum(np.log(hi / v), np.log(v / lo)) / _Z90
            out[idx] = v * np.exp(sigma * rng.standard_normal((idx.size, n)))
    return out
