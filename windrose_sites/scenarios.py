"""Saved scenarios: a name and everything needed to reproduce a ranking, stored in SQLite.

A scenario holds the :class:`~windrose_sites.state.AppState` (group and criterion weights,
method, filters, selected sites, flipped directions), the values the user edited (site id ->
criterion -> value, ``None`` meaning "unknown") and the uploaded sites as GeoJSON text. Its JSON
form (:func:`scenario_to_json` / :func:`scenario_from_json`) is the export/import format;
reading it validates every field and raises :class:`ScenarioError` naming the field, what is
expected and what was found. :func:`check_scenario` then checks it against today's catalog
(the added sites through :func:`windrose_sites.uploads.validate_user_sites`, the edits against
known sites and criteria): the store runs it before anything is stored, and a page runs it
before a stored scenario replaces the session's data.

The store is shared by everyone on the server. Each row records who saved it (``owner_name``,
the name the user typed; ``owner_id`` stays empty until sign-in exists and will then hold the
account's id), has a stable ``id`` that renames keep and that is never reused, and a delete
moves it to the trash (``deleted_at``) for :data:`TRASH_DAYS` days.

Storage (:class:`ScenarioStore`) goes through a small repository interface
(:mod:`windrose_sites.store`): one SQLite file by default, ``data/scenarios.sqlite`` next to the
package (``WINDROSE_SCENARIOS_DB`` overrides), or a PostgreSQL database when
``WINDROSE_DATABASE_URL`` is set (several replicas, several machines). Both migrate the schema
on open, write in one transaction that takes the write lock first, and pass the same tests.

A scenario may also carry the Cost page's choices (:attr:`Scenario.cost_overrides`): a built-in
tariff scenario under the key ``"tariff"``, and cost parameters (``"param"`` or
``"param@applies_to"``, as in :func:`windrose_sites.cost.params.apply_overrides`) set to a
finite number >= 0 or to the id of a row whose value they copy.
"""

from __future__ import annotations

import builtins
import json
import logging
import math
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pandas as pd

from windrose_sites import uploads
from windrose_sites.state import DIRECTIONS, MAX_WEIGHT, METHODS, AppState, Filters
from windrose_sites.store import (
    BUSY_TIMEOUT_S,
    Entry,
    Key,
    NameConflictError,
    Repository,
    ScenarioError,
    ScenarioExistsError,
    ScenarioNotFoundError,
    open_repository,
)
from windrose_sites.store.sqlite import MIGRATIONS, SCHEMA_VERSION, default_db_path

__all__ = [
    "BUSY_TIMEOUT_S",
    "COST_TARIFF_KEY",
    "FORMAT",
    "FORMAT_VERSION",
    "MAX_NAME_CHARS",
    "MAX_SAVES",
    "MIGRATIONS",
    "SAVE_WINDOW_S",
    "SCHEMA_VERSION",
    "TRASH_DAYS",
    "Checked",
    "Entry",
    "Rules",
    "Scenario",
    "ScenarioError",
    "ScenarioExistsError",
    "ScenarioNotFoundError",
    "ScenarioStore",
    "check_cost_overrides",
    "check_name",
    "check_owner",
    "check_scenario",
    "cost_parameter_ids",
    "default_db_path",
    "expand_cost_overrides",
    "fit_state",
    "save_wait_s",
    "scenario_from_json",
    "scenario_to_json",
]

FORMAT = "windrose-scenario"
#: Version 2 added ``directions`` and ``owner``, version 3 ``cost_overrides``; older files
#: are still read.
FORMAT_VERSION = 3
#: The key of :attr:`Scenario.cost_overrides` that names a built-in tariff scenario.
COST_TARIFF_KEY = "tariff"
#: Most entries in :attr:`Scenario.cost_overrides`.
MAX_COST_OVERRIDES = 200
MAX_NAME_CHARS = 100
#: Longest JSON accepted: a 20 MB upload plus the rest, with room to spare.
MAX_JSON_CHARS = 32 * 1024 * 1024
#: Bounds of the filters, as in the URL parser of :mod:`windrose_sites.state`.
MAX_AREA_HA = 1e6
MAX_PORT_KM = 1e5
#: Largest magnitude of an edited value (any unit).
MAX_EDIT_ABS = uploads.MAX_VALUE_ABS
#: Days a deleted scenario stays in the trash, restorable.
TRASH_DAYS = 30
#: Per-session save limit: at most MAX_SAVES saves (and imports) in SAVE_WINDOW_S seconds.
MAX_SAVES = 10
SAVE_WINDOW_S = 60.0
MAX_OWNER_CHARS = 60
_FIELDS = (
    "format",
    "version",
    "name",
    "owner",
    "saved_at",
    "weights",
    "method",
    "filters",
    "selected",
    "directions",
    "edits",
    "uploads_geojson",
    "cost_overrides",
)
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Scenario:
    """A named, reproducible ranking: state, edited values and uploaded sites."""

    name: str
    state: AppState
    edits: dict[str, dict[str, float | None]] = field(default_factory=dict)
    uploads_geojson: str | None = None
    saved_at: datetime | None = None  # UTC, set by ScenarioStore.save
    #: Who saved it: the name the user gave (display only, not an identity yet).
    owner: str | None = None
    #: The store's stable id (kept by renames, never reused); None before it is saved.
    id: int | None = field(default=None, compare=False)
    #: The Cost page's choices: ``{"tariff": name}`` and/or cost parameter -> number or row id
    #: (checked by :func:`check_cost_overrides`); empty when the scenario sets none.
    cost_overrides: dict[str, float | str] = field(default_factory=dict)


def check_name(name: object) -> str:
    """The scenario name, NFC-normalized and stripped; any Unicode, 1-100 characters.

    >>> check_name("  Antwerp first – ✓ ")
    'Antwerp first – ✓'
    """
    if not isinstance(name, str):
        msg = f"scenario name: expected text, got {_show(name)}"
        raise ScenarioError(msg)
    clean = unicodedata.normalize("NFC", name).strip()
    if not clean:
        msg = "scenario name: must not be empty"
        raise ScenarioError(msg)
    if len(clean) > MAX_NAME_CHARS:
        msg = f"scenario name: at most {MAX_NAME_CHARS} characters, got {len(clean)}"
        raise ScenarioError(msg)
    if any(unicodedata.category(c) == "Cc" for c in clean):
        msg = "scenario name: must not contain control characters (tab, line break, …)"
        raise ScenarioError(msg)
    return clean


def check_owner(owner: object) -> str:
    """The name a user gives to sign what they save: 1-60 characters, no control characters.

    >>> check_owner("  Ana María ")
    'Ana María'
    """
    if not isinstance(owner, str):
        raise _fail("your name", "text", owner)
    clean = unicodedata.normalize("NFC", owner).strip()
    if not clean:
        msg = "your name: must not be empty"
        raise ScenarioError(msg)
    if len(clean) > MAX_OWNER_CHARS:
        msg = f"your name: at most {MAX_OWNER_CHARS} characters, got {len(clean)}"
        raise ScenarioError(msg)
    if any(unicodedata.category(c) == "Cc" for c in clean):
        msg = "your name: must not contain control characters (tab, line break, …)"
        raise ScenarioError(msg)
    return clean


def save_wait_s(times: Iterable[float], now: float) -> float:
    """Seconds to wait before the next save, given this session's save times (0: save now).

    At most :data:`MAX_SAVES` saves in any :data:`SAVE_WINDOW_S` seconds.

    >>> save_wait_s([0.0] * MAX_SAVES, now=20.0)
    40.0
    >>> save_wait_s([0.0] * MAX_SAVES, now=61.0)
    0.0
    """
    recent = sorted(t for t in times if now - t < SAVE_WINDOW_S)
    if len(recent) < MAX_SAVES:
        return 0.0
    return max(0.0, recent[-MAX_SAVES] + SAVE_WINDOW_S - now)


# --------------------------------------------------------------------------- JSON


def scenario_to_json(scenario: Scenario) -> str:
    """The scenario as JSON text (UTF-8, indented); NaN edits are written as ``null``."""
    s = scenario.state
    doc = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "name": scenario.name,
        "owner": scenario.owner,
        "saved_at": scenario.saved_at.isoformat() if scenario.saved_at else None,
        "weights": {"groups": dict(s.group_weights), "criteria": dict(s.criterion_weights)},
        "method": s.method,
        "filters": {
            "min_area_ha": s.filters.min_area_ha,
            "max_port_km": s.filters.max_port_km,
            "countries": list(s.filters.countries),
            "keep_unknown_area": s.filters.keep_unknown_area,
            "keep_remote": s.filters.keep_remote,
        },
        "selected": list(s.selected),
        "directions": dict(s.directions),
        "edits": {
            site: {c: None if v is None or math.isnan(v) else v for c, v in values.items()}
            for site, values in scenario.edits.items()
        },
        "uploads_geojson": scenario.uploads_geojson,
        "cost_overrides": dict(scenario.cost_overrides),
    }
    return json.dumps(doc, ensure_ascii=False, indent=1, allow_nan=False)


def scenario_from_json(text: str | bytes, *, name: str | None = None) -> Scenario:
    """Read and validate a scenario's JSON; ``name`` replaces the name stored in it.

    Raises
    ------
    ScenarioError
        If the text is not JSON, or a field is missing, unknown or of the wrong type or
        range; the message names the field (e.g. ``weights.groups['jobs']``), what is
        expected and what was found.
    """
    doc = _parse(text)
    unknown = [k for k in doc if k not in _FIELDS]
    if unknown:
        msg = f"unknown field {unknown[0][:40]!r}; allowed fields: {', '.join(_FIELDS)}"
        raise ScenarioError(msg)
    if doc.get("format", FORMAT) != FORMAT:
        raise _fail("format", repr(FORMAT), doc["format"])
    version = _required(doc, "version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _fail("version", f"an integer from 1 to {FORMAT_VERSION}", version)
    if version > FORMAT_VERSION:
        msg = (
            f"version: written by a newer app (version {version}); "
            f"this app reads up to {FORMAT_VERSION}"
        )
        raise ScenarioError(msg)
    weights = _object(_required(doc, "weights"), "weights")
    method = _required(doc, "method")
    if method not in METHODS:
        raise _fail("method", f"one of {', '.join(METHODS)}", method)
    state = AppState(
        group_weights=_weights(weights, "groups"),
        criterion_weights=_weights(weights, "criteria"),
        method=method,
        filters=_filters(doc.get("filters", {})),
        selected=tuple(_texts(doc.get("selected", []), "selected")),
        directions=_directions(doc.get("directions", {})),
    )
    owner = doc.get("owner")
    return Scenario(
        name=check_name(name if name is not None else _required(doc, "name")),
        state=state,
        edits=_edits(doc.get("edits", {})),
        uploads_geojson=_uploads(doc.get("uploads_geojson")),
        saved_at=_timestamp(doc.get("saved_at")),
        owner=None if owner is None else check_owner(owner),
        cost_overrides=check_cost_overrides(doc.get("cost_overrides", {})),
    )


def _parse(text: str | bytes) -> dict[str, object]:
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            msg = f"not UTF-8 text: {exc}"
            raise ScenarioError(msg) from exc
    if not isinstance(text, str):
        msg = f"expected JSON text, got {type(text).__name__}"
        raise ScenarioError(msg)
    if len(text) > MAX_JSON_CHARS:
        msg = f"the JSON has {len(text):,} characters; the limit is {MAX_JSON_CHARS:,}"
        raise ScenarioError(msg)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        msg = f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        raise ScenarioError(msg) from exc
    except (ValueError, RecursionError) as exc:
        msg = f"not valid JSON: {str(exc)[:100] or 'nested too deeply'}"
        raise ScenarioError(msg) from exc
    if not isinstance(doc, dict):
        msg = f"expected a JSON object at the top level, got {_show(doc)}"
        raise ScenarioError(msg)
    return doc


def _show(value: object) -> str:
    """A short description of a JSON value for messages: its type and a clipped repr."""
    kinds = {dict: "an object", list: "an array", str: "text", bool: "true/false"}
    if value is None:
        return "null"
    if isinstance(value, (dict, list)):
        return kinds[type(value)]
    text = repr(value) if not isinstance(value, int) or abs(value) < 10**30 else "a huge integer"
    return text if len(text) <= 60 else text[:57] + "..."


def _fail(where: str, expected: str, got: object) -> ScenarioError:
    return ScenarioError(f"{where}: expected {expected}, got {_show(got)}")


def _required(doc: dict[str, object], key: str, parent: str = "") -> object:
    if key not in doc:
        msg = f"missing field {parent + key!r}"
        raise ScenarioError(msg)
    return doc[key]


def _object(value: object, where: str) -> dict[str, object]:
    if not isinstance(value, dict):
        raise _fail(where, "an object", value)
    return value


def _number(value: object, where: str, lo: float, hi: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= value <= hi:
        raise _fail(where, f"a number from {lo:g} to {hi:g}", value)  # NaN, inf fail the range
    return float(value)


def _key(key: str, where: str) -> str:
    if not key or len(key) > MAX_NAME_CHARS:
        raise _fail(where, f"a key of 1 to {MAX_NAME_CHARS} characters", key)
    return key


def _weights(weights: dict[str, object], part: str) -> dict[str, float]:
    where = f"weights.{part}"
    values = _object(_required(weights, part, "weights."), where)
    return {
        _key(k, where): _number(v, f"{where}[{k[:40]!r}]", 0.0, MAX_WEIGHT)
        for k, v in values.items()
    }


def _texts(value: object, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(where, "an array of text", value)
    return [_key(v, where) for v in value]


_FILTER_FIELDS = ("min_area_ha", "max_port_km", "countries", "keep_unknown_area", "keep_remote")


def _filters(value: object) -> Filters:
    f = _object(value, "filters")
    unknown = [k for k in f if k not in _FILTER_FIELDS]
    if unknown:
        msg = f"filters: unknown field {unknown[0][:40]!r}; allowed: {', '.join(_FILTER_FIELDS)}"
        raise ScenarioError(msg)
    flags: dict[str, bool] = {}
    for key in _FILTER_FIELDS[3:]:
        if key in f:
            flag = f[key]
            if not isinstance(flag, bool):
                raise _fail(f"filters.{key}", "true or false", flag)
            flags[key] = flag
    max_port = f.get("max_port_km")
    return Filters(
        **flags,
        min_area_ha=_number(f.get("min_area_ha", 0.0), "filters.min_area_ha", 0.0, MAX_AREA_HA),
        max_port_km=None
        if max_port is None
        else _number(max_port, "filters.max_port_km", 0.0, MAX_PORT_KM),
        countries=tuple(_texts(f.get("countries", []), "filters.countries")),
    )


def _directions(value: object) -> dict[str, str]:
    out: dict[str, str] = {}
    for cid, direction in _object(value, "directions").items():
        if direction not in DIRECTIONS:
            raise _fail(f"directions[{cid[:40]!r}]", " or ".join(map(repr, DIRECTIONS)), direction)
        out[_key(cid, "directions")] = direction
    return out


def _edits(value: object) -> dict[str, dict[str, float | None]]:
    out: dict[str, dict[str, float | None]] = {}
    for site, values in _object(value, "edits").items():
        where = f"edits[{site[:40]!r}]"
        out[_key(site, "edits")] = {
            _key(c, where): None
            if v is None
            else _number(v, f"{where}[{c[:40]!r}]", -MAX_EDIT_ABS, MAX_EDIT_ABS)
            for c, v in _object(values, where).items()
        }
    return out


def _uploads(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _fail("uploads_geojson", "GeoJSON text or null", value)
    try:
        doc = json.loads(value)
    except (ValueError, RecursionError) as exc:
        msg = f"uploads_geojson: not valid GeoJSON text ({str(exc)[:80]})"
        raise ScenarioError(msg) from exc
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise _fail("uploads_geojson", "a GeoJSON FeatureCollection", doc)
    return value


def _timestamp(value: object) -> datetime | None:
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        when = None
    if when is None:
        raise _fail("saved_at", "an ISO 8601 date-time or null", value)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


@lru_cache(maxsize=1)
def cost_parameter_ids() -> tuple[frozenset[str], frozenset[str]]:
    """The cost model's parameter names and row ids (``"param@applies_to"``).

    From :func:`windrose_sites.cost.params.load_assumptions` plus the rows the model derives
    from the catalog (exchange rate, labour and electricity per site, announced site facts).
    """
    from windrose_sites.cost import params as cost_params

    table = cost_params.parameter_table()
    return frozenset(table["param"]), frozenset(table.index)


def check_cost_overrides(value: object) -> dict[str, float | str]:
    """Validate :attr:`Scenario.cost_overrides`; returns a clean copy.

    ``"tariff"`` must name a built-in tariff scenario
    (:data:`windrose_sites.cost.TARIFF_SCENARIOS`). Every other key is a known cost parameter
    (``"param"``) or ``"param@applies_to"`` for a known ``param``; its value is a finite number
    >= 0, or the id of a known row whose value it copies.

    >>> check_cost_overrides({"tariff": "s232_lifted", "feu_per_truck_kit": 2})
    {'tariff': 's232_lifted', 'feu_per_truck_kit': 2.0}
    """
    from windrose_sites.cost import params as cost_params
    from windrose_sites.cost.tariffs import TARIFF_SCENARIOS

    items = _object(value, "cost_overrides")
    if not items:
        return {}
    if len(items) > MAX_COST_OVERRIDES:
        raise _fail("cost_overrides", f"at most {MAX_COST_OVERRIDES} entries", len(items))
    names, rows = cost_parameter_ids()
    out: dict[str, float | str] = {}
    for key, raw in items.items():
        where = f"cost_overrides[{key[:40]!r}]"
        if key == COST_TARIFF_KEY:
            if raw not in TARIFF_SCENARIOS:
                raise _fail(where, f"one of {', '.join(TARIFF_SCENARIOS)}", raw)
            out[key] = raw
            continue
        param, at, applies_to = key.partition("@")
        if key not in rows and param not in names:
            msg = f"{where}: unknown cost parameter (see `windrose_sites cost --list-params`)"
            raise ScenarioError(msg)
        if key not in rows and at and not cost_params.APPLIES_TO.fullmatch(applies_to):
            msg = (
                f"{where}: after '@' comes 'all', a market, an area or a site id "
                "(1-100 letters, digits, '_' or '-')"
            )
            raise ScenarioError(msg)
        if isinstance(raw, str):
            if raw not in rows:
                raise _fail(where, "a number or the id of a cost parameter row", raw)
            out[key] = raw
        else:
            out[key] = _number(raw, where, 0.0, MAX_EDIT_ABS)
    return out


def expand_cost_overrides(overrides: Mapping[str, float | str]) -> dict[str, object]:
    """The overrides for :func:`windrose_sites.cost.params.apply_overrides`: the named tariff
    scenario's first, then the scenario's own parameters (which win).

    >>> expand_cost_overrides({"tariff": "s232_lifted", "feu_per_truck_kit": 2.0})
    {'us_section232_pct': 0.0, 'feu_per_truck_kit': 2.0}
    """
    from windrose_sites.cost.tariffs import tariff_scenario

    out: dict[str, object] = {}
    if COST_TARIFF_KEY in overrides:
        out.update(tariff_scenario(str(overrides[COST_TARIFF_KEY])))
    out.update({k: v for k, v in overrides.items() if k != COST_TARIFF_KEY})
    return out


def fit_state(
    state: AppState, default: AppState, *, site_ids: Iterable[str] = ()
) -> tuple[AppState, list[str]]:
    """Fit a loaded state to today's catalog: unknown groups, criteria and sites are dropped,
    missing ones take the default; returns the state and a warning for each change.
    """
    warnings: list[str] = []

    def fit(loaded: dict[str, float], base: dict[str, float], what: str) -> dict[str, float]:
        dropped = sorted(set(loaded) - set(base))
        added = sorted(set(base) - set(loaded))
        if dropped:
            warnings.append(f"Ignored unknown {what}(s): {', '.join(dropped)[:120]}.")
        if added:
            warnings.append(f"Default weight for new {what}(s): {', '.join(added)[:120]}.")
        return {k: loaded.get(k, w) for k, w in base.items()}

    valid = set(site_ids)
    gone = [s for s in state.selected if s not in valid]
    if gone:
        warnings.append(f"Ignored unknown site(s) in the selection: {', '.join(gone)[:120]}.")
    flips = {c: d for c, d in state.directions.items() if c in default.criterion_weights}
    if len(flips) < len(state.directions):
        unknown = sorted(set(state.directions) - set(flips))
        warnings.append(f"Ignored direction(s) of unknown criteria: {', '.join(unknown)[:120]}.")
    fitted = replace(
        state,
        group_weights=fit(state.group_weights, default.group_weights, "group"),
        criterion_weights=fit(state.criterion_weights, default.criterion_weights, "criterion"),
        selected=tuple(s for s in state.selected if s in valid),
        directions=flips,
    )
    return fitted, warnings


# --------------------------------------------------------------------------- catalog checks


@dataclass(frozen=True, eq=False)
class Rules:
    """What a scenario is checked against: the shipped sites and today's criteria."""

    shipped_ids: frozenset[str]
    shipped_names: frozenset[str]
    criteria: pd.DataFrame  # index: criterion id; column ``unit``

    @classmethod
    def of(cls, sites: pd.DataFrame, criteria: pd.DataFrame) -> Rules:
        """Rules from the catalog's sites (all roles) and criteria."""
        return cls(frozenset(sites["site_id"]), frozenset(sites["name"]), criteria)


@dataclass(frozen=True, eq=False)
class Checked:
    """A scenario that passed :func:`check_scenario`, its added sites (parsed) and warnings."""

    scenario: Scenario
    sites: gpd.GeoDataFrame | None
    warnings: list[str] = field(default_factory=list)


#: Most problems listed in one refusal message.
MAX_PROBLEMS_SHOWN = 5


def check_scenario(scenario: Scenario, rules: Rules) -> Checked:
    """Check a scenario against today's catalog before it is stored or replaces a session's data.

    The added sites go through :func:`windrose_sites.uploads.user_sites_from_geojson` (required
    columns, ids that are unique and not shipped, names, geometry, criterion values). Every
    edit must name a shipped site or one of the scenario's own, a known criterion, and a blank
    or a finite number within bounds (not negative where the unit cannot be).

    Raises
    ------
    ScenarioError
        Naming the first problems found (site number, column, what is allowed).
    """
    sites, warnings = None, []
    if scenario.uploads_geojson is not None:
        frame, problems = uploads.user_sites_from_geojson(
            scenario.uploads_geojson,
            shipped_ids=rules.shipped_ids,
            shipped_names=rules.shipped_names,
            criteria=rules.criteria,
        )
        errors = [p for p in problems if p.level == "error"]
        if errors:
            raise ScenarioError(_refusal("added sites", [_where(p) for p in errors]))
        warnings = [f"Added sites: {_where(p)}" for p in problems]
        sites = frame if len(frame) else None
    known = set(rules.shipped_ids) | (set() if sites is None else set(sites["site_id"]))
    wrong: list[str] = []
    for site, values in scenario.edits.items():
        if site not in known:
            wrong.append(f"edits: no site with id {site[:40]!r} (shipped or added here)")
            continue
        for cid, value in values.items():
            if cid not in rules.criteria.index:
                wrong.append(f"edits[{site[:40]!r}]: unknown criterion {cid[:40]!r}")
                continue
            unit = str(rules.criteria.at[cid, "unit"])
            if value is None or math.isnan(value):
                continue
            if abs(value) > MAX_EDIT_ABS or (value < 0 and not _signed(unit)):
                wrong.append(
                    f"edits[{site[:40]!r}][{cid!r}]: {value:g} is not a finite "
                    f"{'' if _signed(unit) else 'non-negative '}number in {unit}"
                )
    if wrong:
        raise ScenarioError(_refusal("edited values", wrong))
    return Checked(scenario, sites, warnings)


def _signed(unit: str) -> bool:
    return uploads.can_be_negative(unit)


def _where(problem: uploads.Problem) -> str:
    where = [] if problem.row is None else [f"site {problem.row}"]
    if problem.column is not None:
        where.append(f"column {problem.column!r}")
    return f"{', '.join(where)}: {problem.message}" if where else problem.message


def _refusal(what: str, problems: list[str]) -> str:
    shown = "; ".join(problems[:MAX_PROBLEMS_SHOWN])
    more = len(problems) - MAX_PROBLEMS_SHOWN
    return f"{what}: {shown}" + (f"; and {more} more problem(s)" if more > 0 else "")


# --------------------------------------------------------------------------- storage


def _suffixed(name: str, n: int) -> str:
    """The name a restored scenario takes when its own is taken: ``name (restored n)``."""
    suffix = " (restored)" if n == 1 else f" (restored {n})"
    return name[: MAX_NAME_CHARS - len(suffix)] + suffix


class ScenarioStore:
    """Saved scenarios in SQLite or PostgreSQL; safe to share between threads and processes.

    ``path`` opens that SQLite file; else ``url`` (or ``$WINDROSE_DATABASE_URL``) opens a
    PostgreSQL database; else the default SQLite file (:func:`default_db_path`). The schema is
    migrated on open. See :mod:`windrose_sites.store` for the two repositories.

    With ``rules``, every save and import is checked by :func:`check_scenario` first, and
    :meth:`checked` loads a scenario and checks it, so nothing the catalog cannot use is stored
    or loaded. Error messages never contain the file's path or the database's address (users
    see them); the operator's log has them.

    Examples
    --------
    >>> import tempfile
    >>> store = ScenarioStore(Path(tempfile.mkdtemp()) / "s.sqlite")
    >>> saved = store.save(Scenario("Base", AppState({"jobs": 50.0}, {"unemployment_pct": 1.0})))
    >>> [name for name, _ in store.list()], store.load("Base").state.method
    (['Base'], 'wsm')
    """

    def __init__(
        self, path: str | Path | None = None, *, rules: Rules | None = None, url: str | None = None
    ) -> None:
        self.repo: Repository = open_repository(path, url=url)
        #: The SQLite file, or None on PostgreSQL.
        self.path: Path | None = getattr(self.repo, "path", None)
        self.rules = rules

    def save(self, scenario: Scenario, *, overwrite: bool = False) -> Scenario:
        """Save under ``scenario.name`` (one transaction); returns it with ``saved_at`` and ``id``.

        Raises :class:`ScenarioExistsError` if the name is taken and ``overwrite`` is False,
        and :class:`ScenarioError` if the store has rules and the scenario fails them.
        Overwriting keeps the id and records the new owner.
        """
        when = datetime.now(UTC)
        saved = replace(scenario, name=check_name(scenario.name), saved_at=when)
        if saved.owner is not None:
            saved = replace(saved, owner=check_owner(saved.owner))
        if self.rules is not None:
            check_scenario(saved, self.rules)
        payload = scenario_to_json(saved)
        try:
            sid = self.repo.put(saved.name, payload, when, saved.owner or "", overwrite=overwrite)
        except NameConflictError as exc:
            msg = (
                f"a scenario named {saved.name!r} already exists; choose another name or overwrite"
            )
            raise ScenarioExistsError(msg) from exc
        return replace(saved, id=sid)

    def list(self) -> list[tuple[str, datetime]]:
        """``(name, saved_at)`` of every saved scenario (not in the trash), most recent first."""
        return [(e.name, e.saved_at) for e in self.entries()]

    def entries(self, *, trash: bool = False) -> builtins.list[Entry]:
        """Saved scenarios, most recent first; with ``trash``, the deleted ones instead."""
        return self.repo.entries(trash=trash)

    def entry(self, sid: int) -> Entry | None:
        """The scenario with this id, live or in the trash; None if there is none (purged)."""
        return self.repo.entry(sid)

    def load(self, name: str) -> Scenario:
        """The scenario saved as ``name``; :class:`ScenarioNotFoundError` if there is none."""
        return self._load("name", check_name(name), f"named {str(name)[:MAX_NAME_CHARS]!r}")

    def load_id(self, sid: int) -> Scenario:
        """The live scenario with this id; :class:`ScenarioNotFoundError` if none (or trashed)."""
        return self._load("id", sid, f"#{sid}")

    def _load(self, key: Key, value: object, shown: str) -> Scenario:
        row = self.repo.get(key, value)
        if row is None:
            raise self._not_found(shown)
        scenario = scenario_from_json(row.payload, name=row.name)
        return replace(scenario, owner=row.owner or None, id=row.id)

    def checked(self, sid: int) -> Checked:
        """Load the scenario with this id and check it against the store's rules.

        Raises :class:`ScenarioError` (with the reason) for a stored scenario that today's
        catalog cannot use, e.g. one written by an older app or changed in the file.
        """
        scenario = self.load_id(sid)
        if self.rules is None:
            return Checked(scenario, None)
        try:
            return check_scenario(scenario, self.rules)
        except ScenarioError as exc:
            msg = f"scenario {scenario.name!r} cannot be used: {exc}"
            raise ScenarioError(msg) from exc

    def rename(self, old: str, new: str) -> None:
        """Rename a scenario; errors if ``old`` is unknown or ``new`` is taken."""
        old = check_name(old)
        self._rename("name", old, new, f"named {old!r}")

    def rename_id(self, sid: int, new: str) -> None:
        """Rename the live scenario with this id; errors if there is none or ``new`` is taken."""
        self._rename("id", sid, new, f"#{sid}")

    def _rename(self, key: Key, value: object, new: str, shown: str) -> None:
        new = check_name(new)
        try:
            found = self.repo.rename(key, value, new)
        except NameConflictError as exc:
            msg = f"cannot rename: a scenario named {new!r} already exists"
            raise ScenarioExistsError(msg) from exc
        if not found:
            raise self._not_found(shown)

    def delete(self, name: str, *, by: str | None = None) -> None:
        """Move a scenario to the trash; :class:`ScenarioNotFoundError` if there is none."""
        self._delete("name", check_name(name), f"named {str(name)[:MAX_NAME_CHARS]!r}", by)

    def delete_id(self, sid: int, *, by: str | None = None) -> None:
        """Move the scenario with this id to the trash (restorable for :data:`TRASH_DAYS`)."""
        self._delete("id", sid, f"#{sid}", by)

    def _delete(self, key: Key, value: object, shown: str, by: str | None) -> None:
        if not self.repo.trash(key, value, datetime.now(UTC), by):
            raise self._not_found(shown)

    def restore(self, sid: int) -> Entry:
        """Take a scenario out of the trash; under ``name (restored)`` if its name is taken."""
        if not self.repo.restore(sid, _suffixed):
            msg = f"scenario #{sid} is not in the trash (restored or purged already)"
            raise ScenarioNotFoundError(msg)
        entry = self.entry(sid)
        assert entry is not None  # restored a moment ago; a purge only removes trashed rows
        return entry

    def purge_trash(self, *, now: datetime | None = None) -> int:
        """Delete for good what has been in the trash over :data:`TRASH_DAYS`; returns how many."""
        return self.repo.purge((now or datetime.now(UTC)) - timedelta(days=TRASH_DAYS))

    def export_json(self, name: str) -> str:
        """The saved scenario as JSON text (see :func:`scenario_to_json`)."""
        return scenario_to_json(self.load(name))

    def import_json(
        self,
        text: str | bytes,
        *,
        name: str | None = None,
        overwrite: bool = False,
        owner: str | None = None,
    ) -> Scenario:
        """Validate JSON text and save it, under ``name`` if given; returns the saved scenario.

        ``owner`` (who imports it) replaces the owner written in the file.
        """
        scenario = scenario_from_json(text, name=name)
        if owner is not None:
            scenario = replace(scenario, owner=owner)
        return self.save(scenario, overwrite=overwrite)

    def _not_found(self, shown: str) -> ScenarioNotFoundError:
        return ScenarioNotFoundError(f"no scenario {shown} (it may have been deleted)")
