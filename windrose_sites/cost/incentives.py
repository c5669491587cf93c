"""Public incentive programmes as rules with their caps and eligibility (vectorised).

Every function takes amounts in one currency (the model passes EUR, after converting the
US programmes' USD caps at the ECB rate) and returns the incentive *received*, >= 0; the cost
model books it as a negative cost. Arrays broadcast, so one call covers every Monte Carlo
sample. The rules and their sources are in ``data/cost_assumptions.csv`` (rows ``az_qf_*``,
``ca_competes_*``, ``fr_afr_*``, ``fr_implantation_*``, ``hdf_adge_*``, ``be_stres_*``).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "PROGRAMMES",
    "arizona_qualified_facility",
    "california_competes",
    "flanders_strategic_ecology",
    "france_regional_aid",
]

#: Programme -> the indicator area where it applies.
PROGRAMMES = {
    "Arizona Qualified Facility": "US-AZ",
    "California Competes": "US-CA",
    "French AFR / Hauts-de-France aid": "FR",
    "Flanders strategic ecology support": "BE-VLG",
}


def arizona_qualified_facility(
    capex: np.ndarray,
    jobs: np.ndarray,
    capex_pct: np.ndarray,
    per_job: np.ndarray,
    cap: np.ndarray,
    min_capex: np.ndarray,
    eligible: np.ndarray,
) -> np.ndarray:
    """Refundable credit = min(capex_pct % × capex, per_job × jobs, cap) if eligible.

    Eligible: ``eligible`` (job-quality conditions, 0..1) and capex >= ``min_capex``.

    >>> float(arizona_qualified_facility(250e6, 350, 10, 20_000, 30e6, 0.25e6, 1))
    7000000.0
    """
    amount = np.minimum(np.minimum(capex_pct / 100 * capex, per_job * jobs), cap)
    return np.where(np.asarray(capex) >= min_capex, amount * eligible, 0.0)


def california_competes(
    capex: np.ndarray,
    pct_of_capex: np.ndarray,
    pool: np.ndarray,
    max_share_pct: np.ndarray,
    usable_share: np.ndarray,
) -> np.ndarray:
    """Negotiated, non-refundable credit: min(pct × capex, max_share % × pool) × usable share.

    >>> float(california_competes(250e6, 5, 180e6, 20, 0.5))
    6250000.0
    """
    award = np.minimum(pct_of_capex / 100 * capex, max_share_pct / 100 * pool)
    return award * usable_share


def france_regional_aid(
    capex: np.ndarray,
    jobs: np.ndarray,
    afr_max_pct: np.ndarray,
    zone_eligible: np.ndarray,
    implantation_pct: np.ndarray,
    adge_established: np.ndarray,
    adge_min_invest: np.ndarray,
    adge_min_jobs: np.ndarray,
    adge_pct: np.ndarray,
) -> np.ndarray:
    """Regional aid (implantation aid + ADGE if eligible), capped by the AFR ceiling.

    ADGE needs a firm already established in the region, an investment above
    ``adge_min_invest`` and at least ``adge_min_jobs`` jobs. All regional aid together is at
    most ``afr_max_pct`` % of the investment, and only inside an AFR zone (``zone_eligible``:
    0 outside, 1 inside, a fraction = an expected value).

    >>> float(france_regional_aid(175e6, 300, 15, 1, 20, 0, 2e6, 100, 5))
    26250000.0
    """
    adge_ok = (adge_established > 0) & (capex > adge_min_invest) & (jobs >= adge_min_jobs)
    request = implantation_pct / 100 * capex + np.where(adge_ok, adge_pct / 100 * capex, 0.0)
    return np.minimum(request, afr_max_pct / 100 * capex * zone_eligible)


def flanders_strategic_ecology(
    eco_extra_cost: np.ndarray,
    rate_pct: np.ndarray,
    cap: np.ndarray,
    min_invest: np.ndarray,
) -> np.ndarray:
    """Grant = min(rate % × ecological extra cost, cap) if the ecological part >= min_invest.

    The model compares the ecological additional cost with the EUR 3 M threshold (the rule
    names the ecological investment; its extra cost is a lower bound of it).

    >>> float(flanders_strategic_ecology(5e6, 25, 1e6, 3e6))
    1000000.0
    """
    amount = np.minimum(rate_pct / 100 * eco_extra_cost, cap)
    return np.where(np.asarray(eco_extra_cost) >= min_invest, amount, 0.0)
