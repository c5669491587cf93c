"""Landed cost per truck and the 10-year cost of operations, per candidate site (EUR).

Flow modelled: a knock-down kit leaves Shanghai by container, crosses to the site's gateway
port, is cleared through customs, goes by road (or barge, Onnaing) to the plant, is assembled
there and the finished truck is delivered to the population-weighted centre of the plant's
market. A share ``built_import_share`` of trucks can instead be imported built (no plant work
but the duty on a built vehicle); it is 0 unless a tariff scenario sets it.

Components (EUR per truck; they add up to ``total_eur_per_truck``):

- ``ocean_freight`` = FEU per kit × lane rate (USD/FEU) / ECB USD per EUR;
- ``insurance`` = rate × 1.10 × (goods value + freight): it follows the freight rate;
- ``duty``: EU on a **CIF** basis (goods + freight + insurance), kit at the parts rate, built at
  the built-vehicle rate; US on a **FOB** basis (goods only): MFN + Section 301 + Section 232,
  which covers kits and built trucks alike. So EU duty follows the freight rate, US duty not;
- ``port_and_inland`` = FEU × (terminal handling + road drayage × round trip, or barge);
- ``labour`` = assembly hours × the region's hourly labour cost;
- ``energy`` = kWh per truck × the industrial electricity price;
- ``outbound`` = distance to the market centre × road circuity × road cost per km;
- ``capex`` = investment / trucks built over the horizon (undiscounted amortisation);
- ``incentives`` = − programme amounts / trucks over the horizon (never positive).

``npv_10y_eur_m`` = capex (year 0) − incentives (year 1) + Σ_t volume_t × recurring cost per
truck / (1 + discount_rate)^t, t = 1..horizon, in EUR million: the present cost of operations.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from windrose_sites import catalog
from windrose_sites.cost import incentives
from windrose_sites.cost.params import CostError, missing_rows, parameter_table, site_chain

__all__ = [
    "COMPONENTS",
    "CostModel",
    "SiteInputs",
    "build_model",
    "resolve_report",
    "site_inputs",
]

COMPONENTS = (
    "ocean_freight",
    "insurance",
    "duty",
    "port_and_inland",
    "labour",
    "energy",
    "outbound",
    "capex",
    "incentives",
)
RECURRING = COMPONENTS[:7]
#: Inputs every site needs (besides the lane's freight row).
_ALL = (
    "fx_usd_per_eur",
    "feu_per_truck_kit",
    "feu_per_built_truck",
    "truck_price_usd",
    "kit_value_share_of_price",
    "built_value_share_of_price",
    "built_import_share",
    "built_pdi_hours_per_truck",
    "insurance_pct_of_insured_value",
    "insurance_uplift",
    "port_handling_per_feu",
    "road_cost_per_km",
    "drayage_round_trip_factor",
    "inbound_by_barge",
    "assembly_hours_per_truck",
    "energy_kwh_per_truck",
    "road_circuity_factor",
    "capex_m",
    "volume_start",
    "volume_target",
    "ramp_years",
    "discount_rate",
    "jobs",
    "labour_cost_eur_h",
    "electricity_eur_mwh",
)
_MARKET = {
    "EU": ("eu_parts_duty_pct", "eu_built_duty_pct"),
    "US": ("us_mfn_kit_pct", "us_mfn_built_pct", "us_section301_pct", "us_section232_pct"),
}
#: Inputs that are 0 where no row applies (programmes of other regions, barge elsewhere).
_OPTIONAL = (
    "barge_to_plant_per_feu",
    "az_qf_capex_pct",
    "az_qf_usd_per_job",
    "az_qf_cap_usd_m",
    "az_qf_min_capex_usd_m",
    "az_qf_eligible",
    "ca_competes_pct_of_capex",
    "ca_competes_pool_usd_m",
    "ca_competes_max_share_of_pool_pct",
    "ca_competes_usable_share",
    "fr_afr_max_intensity_pct",
    "fr_afr_zone_eligible",
    "fr_implantation_aid_pct_of_capex",
    "hdf_adge_established_in_region",
    "hdf_adge_min_invest_eur_m",
    "hdf_adge_min_jobs",
    "hdf_adge_pct_of_capex",
    "be_stres_rate_pct",
    "be_stres_cap_eur_m",
    "be_stres_min_invest_eur_m",
    "be_eco_extra_cost_eur_m",
)
INPUTS = ("freight", *_ALL, *_MARKET["EU"], *_MARKET["US"], *_OPTIONAL)
_AREAS = ("EU", "US", "US-AZ", "US-CA", "FR", "BE-VLG")


@dataclass(frozen=True)
class SiteInputs:
    """What the model needs of each site besides parameters (geometry-derived, fixed)."""

    table: pd.DataFrame  # index site_id; name, country, gateway_port_id, distances, chain

    @property
    def ids(self) -> list[str]:
        """Site ids, in table order."""
        return list(self.table.index)

    def mask(self, area: str) -> np.ndarray:
        """Column vector: which sites lie in ``area`` (an entry of their chain)."""
        return np.array([area in c for c in self.table["chain"]], dtype=bool)[:, None]


def site_inputs(
    table: pd.DataFrame | None = None,
    attributes: pd.DataFrame | None = None,
    sites: pd.DataFrame | None = None,
) -> SiteInputs:
    """Site inputs of the shipped candidates (or of the given criteria/attribute tables)."""
    table = catalog.criteria_table() if table is None else table
    attributes = catalog.site_attributes() if attributes is None else attributes
    sites = catalog.load_sites() if sites is None else sites
    areas = sites.set_index("site_id")["indicator_areas"].reindex(table.index).fillna("")
    out = pd.DataFrame(
        {
            "name": attributes["name"].reindex(table.index),
            "country": attributes["country"].reindex(table.index),
            "gateway_port_id": attributes["gateway_port_id"].reindex(table.index),
            "road_to_port_km": pd.to_numeric(table["road_to_port_km"], errors="coerce"),
            "distance_to_market_km": pd.to_numeric(table["distance_to_market_km"], errors="coerce"),
        },
        index=table.index,
    )
    out["chain"] = [
        site_chain(str(s), a, str(c))
        for s, a, c in zip(out.index, areas.to_numpy(), out["country"].to_numpy(), strict=True)
    ]
    bad = out[["road_to_port_km", "distance_to_market_km"]].isna().any(axis=1)
    if bad.any():
        msg = f"no road or market distance for site(s) {', '.join(map(str, out.index[bad]))}"
        raise CostError(msg)
    return SiteInputs(out)


def _resolve_site(
    pos: dict[str, int], chain: tuple[str, ...], gateway: str
) -> tuple[np.ndarray, str | None]:
    """Row positions of every input for one (chain, gateway), and the first failure if any."""
    market = "US" if "US" in chain else ("EU" if "EU" in chain else None)
    needed = {*_ALL, "freight", *(_MARKET[market] if market else ())}
    out = np.full(len(INPUTS), -1, dtype=np.int64)
    failure = None
    for i, name in enumerate(INPUTS):
        param = f"freight_shanghai_{gateway}_usd_per_feu" if name == "freight" else name
        hit = next((pos[f"{param}@{a}"] for a in chain if f"{param}@{a}" in pos), -1)
        if hit < 0 and name in needed and failure is None:
            failure = f"no cost parameter {param!r} applies (looked in {', '.join(chain)})"
        out[i] = hit
    return out, failure


def resolve_report(params: pd.DataFrame, sites: SiteInputs) -> tuple[np.ndarray, dict[str, str]]:
    """Row position of each (input, site), -1 where an input does not apply; and failures.

    Sites sharing an area chain and a gateway port resolve alike, so each distinct pair is
    looked up once (10,000 uploaded sites share a few). ``failures`` maps a site that lacks
    a needed row to the reason.
    """
    pos = {rid: i for i, rid in enumerate(params.index)}
    out = np.full((len(INPUTS), len(sites.ids)), -1, dtype=np.int64)
    memo: dict[tuple, tuple[np.ndarray, str | None]] = {}
    failures: dict[str, str] = {}
    gateways = sites.table["gateway_port_id"].astype(str).to_numpy()
    owners = set(params["applies_to"].astype(str))  # sites with rows of their own
    for j, (site, chain) in enumerate(zip(sites.ids, sites.table["chain"], strict=True)):
        # the chain's first entry (the site, or the profile it shares rows with) matters only
        # when rows apply to it
        key = (chain if chain[0] in owners else chain[1:], gateways[j])
        if key not in memo:
            memo[key] = _resolve_site(pos, chain, gateways[j])
        got = memo[key]
        out[:, j] = got[0]
        if got[1] is not None:
            failures[site] = got[1]
    return out, failures


def _resolve(params: pd.DataFrame, sites: SiteInputs) -> np.ndarray:
    """Row position of each (input, site), -1 where an optional input does not apply."""
    out, failures = resolve_report(params, sites)
    if failures:
        site, reason = next(iter(failures.items()))
        msg = f"site {site}: {reason}"
        raise CostError(msg)
    return out


@dataclass(frozen=True)
class CostModel:
    """Parameters resolved for a set of sites; evaluates any matrix of parameter draws."""

    params: pd.DataFrame
    sites: SiteInputs

    @cached_property
    def index(self) -> np.ndarray:
        """Row position per (input, site), -1 where an optional input does not apply."""
        return _resolve(self.params, self.sites)

    @cached_property
    def usd(self) -> np.ndarray:
        """Per (input, site): the row is in USD (converted with ``fx_usd_per_eur``)."""
        unit = self.params["unit"].astype(str)
        usd = (unit.str.startswith("USD") & (unit != "USD/EUR")).to_numpy()
        return np.where(self.index >= 0, usd[self.index], False)

    @property
    def horizon(self) -> int:
        """Years of the cost of operations (``horizon_years``, a whole number 1-50)."""
        value = float(self.params.at["horizon_years@all", "value"])
        if not 1 <= value <= 50 or value != int(value):
            msg = f"horizon_years must be a whole number of years from 1 to 50, got {value:g}"
            raise CostError(msg)
        return int(value)

    def base(self) -> np.ndarray:
        """The parameter values as one draw, shape ``(rows, 1)``."""
        return self.params["value"].to_numpy(float)[:, None]

    def inputs(self, draws: np.ndarray) -> dict[str, np.ndarray]:
        """Each input per (site, draw) in EUR, from ``draws`` of shape ``(rows, n)``.

        An input read from the same row at every site comes back with shape ``(1, n)`` (it
        broadcasts): most inputs are ``all`` rows, so the kernel works on few full arrays.
        """
        ext = np.vstack([draws, np.zeros((1, draws.shape[1]))])
        fx = ext[self.index[INPUTS.index("fx_usd_per_eur"), 0]][None, :]
        out = {}
        for i, name in enumerate(INPUTS):
            rows, usd = self.index[i], self.usd[i]
            if (rows == rows[0]).all():
                v = ext[rows[0]][None, :]
                out[name] = v / fx if usd[0] else v
            else:
                v = ext[rows]
                out[name] = np.where(usd[:, None], v / fx, v) if usd.any() else v
        return out

    def evaluate(self, draws: np.ndarray) -> dict[str, np.ndarray]:
        """Components, totals and NPV per (site, draw): see the module docstring."""
        return _kernel(self.inputs(draws), self.sites, self.horizon)

    def used_rows(self) -> dict[str, list[str]]:
        """Per site, the parameter rows the model reads."""
        ids = self.params.index
        return {
            s: [ids[k] for k in self.index[:, j] if k >= 0] for j, s in enumerate(self.sites.ids)
        }

    def missing_used(self) -> dict[str, list[str]]:
        """Per site, the rows of kind ``missing`` whose midpoint the model uses."""
        return {s: missing_rows(self.params, rows) for s, rows in self.used_rows().items()}


def _incentives(v: dict[str, np.ndarray], s: SiteInputs, capex: np.ndarray) -> np.ndarray:
    az = incentives.arizona_qualified_facility(
        capex, v["jobs"], v["az_qf_capex_pct"], v["az_qf_usd_per_job"],
        v["az_qf_cap_usd_m"] * 1e6, v["az_qf_min_capex_usd_m"] * 1e6, v["az_qf_eligible"],
    )  # fmt: skip
    ca = incentives.california_competes(
        capex, v["ca_competes_pct_of_capex"], v["ca_competes_pool_usd_m"] * 1e6,
        v["ca_competes_max_share_of_pool_pct"], v["ca_competes_usable_share"],
    )  # fmt: skip
    fr = incentives.france_regional_aid(
        capex, v["jobs"], v["fr_afr_max_intensity_pct"], v["fr_afr_zone_eligible"],
        v["fr_implantation_aid_pct_of_capex"], v["hdf_adge_established_in_region"],
        v["hdf_adge_min_invest_eur_m"] * 1e6, v["hdf_adge_min_jobs"], v["hdf_adge_pct_of_capex"],
    )  # fmt: skip
    be = incentives.flanders_strategic_ecology(
        v["be_eco_extra_cost_eur_m"] * 1e6, v["be_stres_rate_pct"],
        v["be_stres_cap_eur_m"] * 1e6, v["be_stres_min_invest_eur_m"] * 1e6,
    )  # fmt: skip
    return (
        np.where(s.mask("US-AZ"), az, 0.0)
        + np.where(s.mask("US-CA"), ca, 0.0)
        + np.where(s.mask("FR"), fr, 0.0)
        + np.where(s.mask("BE-VLG"), be, 0.0)
    )


def _kernel(v: dict[str, np.ndarray], s: SiteInputs, horizon: int) -> dict[str, np.ndarray]:
    t = s.table
    road_km = t["road_to_port_km"].to_numpy(float)[:, None]
    market_km = t["distance_to_market_km"].to_numpy(float)[:, None]
    eu, us = s.mask("EU"), s.mask("US")
    b = np.clip(v["built_import_share"], 0.0, 1.0)
    kit, blt = 1 - b, b
    f_k, f_b = v["feu_per_truck_kit"] * v["freight"], v["feu_per_built_truck"] * v["freight"]
    val_k = v["truck_price_usd"] * v["kit_value_share_of_price"]
    val_b = v["truck_price_usd"] * v["built_value_share_of_price"]
    ins_rate = v["insurance_pct_of_insured_value"] / 100 * v["insurance_uplift"]
    ins_k, ins_b = ins_rate * (val_k + f_k), ins_rate * (val_b + f_b)
    eu_k = v["eu_parts_duty_pct"] / 100 * (val_k + f_k + ins_k)
    eu_b = v["eu_built_duty_pct"] / 100 * (val_b + f_b + ins_b)
    extra = (v["us_section301_pct"] + v["us_section232_pct"]) / 100
    us_k = (v["us_mfn_kit_pct"] / 100 + extra) * val_k
    us_b = (v["us_mfn_built_pct"] / 100 + extra) * val_b
    feu = kit * v["feu_per_truck_kit"] + blt * v["feu_per_built_truck"]
    barge = v["inbound_by_barge"]
    road = road_km * v["road_cost_per_km"] * v["drayage_round_trip_factor"]
    inland = barge * v["barge_to_plant_per_feu"] + (1 - barge) * road
    out = {
        "ocean_freight": kit * f_k + blt * f_b,
        "insurance": kit * ins_k + blt * ins_b,
        "duty": np.where(eu, kit * eu_k + blt * eu_b, 0.0)
        + np.where(us, kit * us_k + blt * us_b, 0.0),
        "port_and_inland": feu * (v["port_handling_per_feu"] + inland),
        "labour": (kit * v["assembly_hours_per_truck"] + blt * v["built_pdi_hours_per_truck"])
        * v["labour_cost_eur_h"],
        "energy": kit * v["energy_kwh_per_truck"] * v["electricity_eur_mwh"] / 1000,
        "outbound": market_km * v["road_circuity_factor"] * v["road_cost_per_km"],
    }
    # Linear ramp from the start volume (year 1) to the target (year 1 + ramp_years), then
    # flat: volume_t = start + (target - start) × ramp_t, with ramp_t depending on ramp_years
    # only, so the sums over years are computed on (1, n) arrays, not (sites, n, years).
    years = np.arange(1, horizon + 1, dtype=float)
    ramp_t = np.clip((years - 1) / np.maximum(v["ramp_years"], 1e-9)[..., None], 0.0, 1.0)
    disc = (1 + v["discount_rate"][..., None]) ** -years
    start, rise = v["volume_start"], v["volume_target"] - v["volume_start"]
    trucks = horizon * start + rise * ramp_t.sum(axis=-1)
    discounted_trucks = start * disc.sum(axis=-1) + rise * (ramp_t * disc).sum(axis=-1)
    capex_total = v["capex_m"] * 1e6 * kit
    incent_total = _incentives(v, s, v["capex_m"] * 1e6) * kit
    out["capex"] = capex_total / trucks
    out["incentives"] = -incent_total / trucks
    recurring = sum(out[c] for c in RECURRING)
    pv = discounted_trucks * recurring
    out["total"] = recurring + out["capex"] + out["incentives"]
    out["recurring"] = recurring
    out["npv_10y_eur_m"] = (capex_total - incent_total * disc[..., 0] + pv) / 1e6
    out["capex_total_eur_m"] = capex_total / 1e6
    out["incentives_total_eur_m"] = -incent_total / 1e6
    out["trucks_over_horizon"] = trucks
    shape = np.broadcast_shapes(*(a.shape for a in out.values()), (len(t), 1))
    return {k: np.broadcast_to(a, shape) for k, a in out.items()}


def build_model(
    overrides: dict[str, object] | None = None,
    sites: SiteInputs | None = None,
    params: pd.DataFrame | None = None,
) -> CostModel:
    """A :class:`CostModel` of the shipped candidates (or ``sites``) with user ``overrides``.

    ``overrides`` maps ``"param"`` or ``"param@applies_to"`` to a value (see
    :func:`windrose_sites.cost.params.apply_overrides`).
    """
    from windrose_sites.cost.params import apply_overrides

    sites = site_inputs() if sites is None else sites
    params = parameter_table() if params is None else params
    if overrides:
        params = apply_overrides(params, overrides)
    model = CostModel(params, sites)
    _ = model.index  # resolve now, so a missing parameter fails here
    return model
