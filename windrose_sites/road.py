"""Road distance ESTIMATED from geodesic distance with a published circuity factor per region.

Road km = geodesic km x circuity, where circuity (road / straight-line distance, the inverse of
"route efficiency") comes from ``data/road_circuity.csv``: one sourced row per region, read at
the most specific region of a site's or a cell's area chain that has a row (a US state falls to
``US``, Belgium and France to ``EU``), and the ``default`` row for any region without one. No
road network is routed: every result is an estimate, and is labelled so.

The same :func:`road_km` serves catalog sites and suitability-surface cells.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from windrose_sites import geo

__all__ = [
    "CIRCUITY_COLUMNS",
    "DEFAULT_REGION",
    "Circuity",
    "CircuityError",
    "circuity",
    "circuity_for",
    "load_circuity",
    "region_chain",
    "road_km",
]

#: Columns of ``road_circuity.csv``. Exactly one of ``factor`` and ``route_efficiency`` is given
#: per row; a published efficiency e is turned into the factor 1 / e here, never typed in.
CIRCUITY_COLUMNS = ("region", "factor", "route_efficiency", "source", "year", "kind", "note")
#: The row used for a region that has no row of its own.
DEFAULT_REGION = "default"
_KINDS = ("official", "derived", "estimate")


class CircuityError(ValueError):
    """``road_circuity.csv`` is malformed; the message names the file, line and column."""


@dataclass(frozen=True)
class Circuity:
    """The circuity factor used for one area chain, and where it comes from."""

    factor: float
    region: str  # the row used (an area id, or DEFAULT_REGION)
    skipped: tuple[str, ...]  # the chain's more specific regions, which have no row
    source: str
    year: int
    kind: str
    note: str

    @property
    def fallback(self) -> bool:
        """True when the row used is not the chain's own, most specific area."""
        return bool(self.skipped)

    def describe(self) -> str:
        """One line for provenance: the method, the factor and the region row it comes from."""
        row = "the default row" if self.region == DEFAULT_REGION else f"the {self.region} row"
        why = f"; no factor for {', '.join(self.skipped)}" if self.skipped else ""
        return (
            f"road ESTIMATE: geodesic WGS84 km x circuity {self.factor:.3f} "
            f"({row} of road_circuity.csv, {self.year}{why})"
        )


def _fail(path: Path, line: int | None, column: str | None, msg: str) -> CircuityError:
    where = (
        f"{path}" + (f", line {line}" if line else "") + (f", column {column!r}" if column else "")
    )
    return CircuityError(f"{where}: {msg}")


def _factor(row: pd.Series, path: Path, line: int) -> float:
    factor, eff = row["factor"], row["route_efficiency"]
    if (factor == "") == (eff == ""):
        msg = "give exactly one of 'factor' and 'route_efficiency'"
        raise _fail(path, line, "factor", msg)
    column = "factor" if factor else "route_efficiency"
    try:
        value = float(factor or eff)
    except ValueError:
        raise _fail(path, line, column, f"{factor or eff!r} is not a number") from None
    ok = 1.0 <= value <= 3.0 if factor else 1 / 3 <= value <= 1.0
    if not ok:
        allowed = "a factor in [1, 3]" if factor else "an efficiency in [1/3, 1]"
        raise _fail(path, line, column, f"{value:g} is out of range; expected {allowed}")
    return value if factor else 1.0 / value


@cache
def _load_cached(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise _fail(path, None, None, "file not found")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in CIRCUITY_COLUMNS if c not in raw.columns]
    if missing:
        raise _fail(path, None, missing[0], f"missing column(s) {missing}")
    raw = raw[list(CIRCUITY_COLUMNS)].apply(lambda s: s.str.strip())
    rows = []
    for i, row in raw.iterrows():
        line = int(i) + 2  # 1-based, after the header
        for col in ("region", "source"):
            if not row[col]:
                raise _fail(path, line, col, "must not be empty")
        if row["kind"] not in _KINDS:
            raise _fail(path, line, "kind", f"{row['kind']!r} is not one of {list(_KINDS)}")
        if not row["year"].isdigit() or not 1900 <= int(row["year"]) <= 2100:
            raise _fail(path, line, "year", f"{row['year']!r} is not a year in 1900-2100")
        rows.append({**row.to_dict(), "factor": _factor(row, path, line), "year": int(row["year"])})
    table = pd.DataFrame(rows, columns=list(CIRCUITY_COLUMNS))
    dupes = table["region"][table["region"].duplicated()]
    if len(dupes):
        raise _fail(path, None, "region", f"duplicate region(s) {sorted(set(dupes))}")
    if DEFAULT_REGION not in set(table["region"]):
        raise _fail(path, None, "region", f"no {DEFAULT_REGION!r} row for unknown regions")
    return table.set_index("region")


def load_circuity(path: Path | str | None = None) -> pd.DataFrame:
    """The circuity table, indexed by ``region``, with ``factor`` always filled (computed as
    1 / ``route_efficiency`` where the source publishes an efficiency).

    Raises
    ------
    CircuityError
        If the file is missing or malformed; the message names the file, line and column.
    """
    if path is None:
        from windrose_sites import catalog  # lazy: catalog imports this module

        path = catalog.DATA_DIR / "road_circuity.csv"
    return _load_cached(Path(path).resolve()).copy()


def region_chain(areas: str) -> list[str]:
    """The regions to try for a ``;``-separated area chain, most specific first.

    The chain's own areas come first, then their ``-`` prefixes (``US-AZ-PIN`` -> ``US-AZ`` ->
    ``US``), then ``EU`` for an EU member country; duplicates are dropped.

    >>> region_chain("US-AZ-PIN;US-AZ;US")
    ['US-AZ-PIN', 'US-AZ', 'US']
    >>> region_chain("BE-VAN;BE-VLG")
    ['BE-VAN', 'BE-VLG', 'BE', 'EU']
    """
    own = [a.strip() for a in str(areas).split(";") if a.strip()]
    prefixes = ["-".join(a.split("-")[:k]) for a in own for k in range(a.count("-"), 0, -1)]
    eu = ["EU"] if any(a.split("-")[0] in geo.EU27 for a in own) else []
    return list(dict.fromkeys([*own, *prefixes, *eu]))


def circuity_for(areas: str, table: pd.DataFrame | None = None) -> Circuity:
    """The circuity of the first region of :func:`region_chain` with a row, else the default."""
    table = load_circuity() if table is None else table
    chain = region_chain(areas)
    region = next((r for r in chain if r in table.index), DEFAULT_REGION)
    skipped = tuple(chain[: chain.index(region)] if region in chain else chain)
    row = table.loc[region]
    return Circuity(
        factor=float(row["factor"]),
        region=region,
        skipped=skipped,
        source=str(row["source"]),
        year=int(row["year"]),
        kind=str(row["kind"]),
        note=str(row["note"]),
    )


def circuity(areas: object, table: pd.DataFrame | None = None) -> np.ndarray:
    """Circuity factor per area chain (vectorised; one look-up per distinct chain)."""
    table = load_circuity() if table is None else table
    chains = np.asarray(areas, dtype=object)
    flat = ["" if c is None or c != c else str(c) for c in chains.ravel()]  # c != c: NaN
    found = {c: circuity_for(c, table).factor for c in dict.fromkeys(flat)}
    return np.array([found[c] for c in flat], dtype=float).reshape(chains.shape)


def road_km(
    geodesic_km: np.ndarray | float, region: object, table: pd.DataFrame | None = None
) -> np.ndarray:
    """Estimated road km from geodesic km and the region's circuity (vectorised, broadcasts).

    ``region`` is an area id or a ``;``-separated chain as the catalog knows them
    (``"US-AZ-PIN;US-AZ;US"``, ``"US-CA"``, ``"BE"``), one for all distances or one each.
    NaN distances stay NaN.

    Raises
    ------
    ValueError
        If a distance is negative or infinite.

    Examples
    --------
    >>> round(float(road_km(100.0, "US-AZ")), 1)  # US: 1 / 0.843
    118.6
    """
    km = np.asarray(geodesic_km, dtype=float)
    if np.any(km[~np.isnan(km)] < 0) or np.any(np.isinf(km)):
        msg = "geodesic_km must be finite and non-negative (NaN allowed)"
        raise ValueError(msg)
    factor = circuity(region, table)
    return km * factor
