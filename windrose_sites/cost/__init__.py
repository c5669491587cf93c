"""The decision in money: landed cost per truck, 10-year cost of operations, uncertainty.

No streamlit here. The pieces:

- :mod:`~windrose_sites.cost.params`: the sourced parameter table (``cost_assumptions.csv``
  plus rows derived from the catalog), overrides and sampling;
- :mod:`~windrose_sites.cost.model`: the vectorised landed-cost model per site;
- :mod:`~windrose_sites.cost.incentives`: programme rules with caps and eligibility;
- :mod:`~windrose_sites.cost.tariffs`: named tariff scenarios (parameter overrides);
- :mod:`~windrose_sites.cost.montecarlo`: P10/P50/P90, probability cheapest, top-two gap;
- :mod:`~windrose_sites.cost.tornado`: one-at-a-time swings and break-even sentences;
- :mod:`~windrose_sites.cost.tables`: the cost table, the 10-year view, the criterion;
- :mod:`~windrose_sites.cost.cli`: ``python -m windrose_sites cost``.

Example
-------
>>> from windrose_sites import cost
>>> model = cost.build_model(cost.tariff_scenario("s232_lifted"))   # doctest: +SKIP
>>> cost.cost_table(model, samples=10_000, seed=1)                   # doctest: +SKIP
"""

from __future__ import annotations

from windrose_sites.cost.model import COMPONENTS, CostModel, build_model, site_inputs
from windrose_sites.cost.montecarlo import simulate, simulate_loop, summarise
from windrose_sites.cost.params import CostError, parameter_table
from windrose_sites.cost.tables import (
    CRITERION,
    cost_table,
    landed_cost_criterion,
    parameter_listing,
    ten_year,
)
from windrose_sites.cost.tariffs import TARIFF_LABELS, TARIFF_SCENARIOS, tariff_scenario
from windrose_sites.cost.tornado import break_even, break_even_sentences, tornado

__all__ = [
    "COMPONENTS",
    "CRITERION",
    "TARIFF_LABELS",
    "TARIFF_SCENARIOS",
    "CostError",
    "CostModel",
    "break_even",
    "break_even_sentences",
    "build_model",
    "cost_table",
    "landed_cost_criterion",
    "parameter_listing",
    "parameter_table",
    "simulate",
    "simulate_loop",
    "site_inputs",
    "summarise",
    "tariff_scenario",
    "ten_year",
    "tornado",
]
