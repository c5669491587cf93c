"""Saved scenarios: a name and everything needed to reproduce a ranking, stored in SQLite.

A scenario holds the :class:`~windrose_sites.state.AppState` (group and criterion weights,
method, filters, selected sites), the values the user edited (site id -> criterion -> value,
``None`` meaning "unknown") and the uploaded sites as GeoJSON text. Its JSON form
(:func:`scenario_to_json` / :func:`scenario_from_json`) is the export/import format; reading
it validates every field and raises :class:`ScenarioError` naming the field, what is expected
and what was found.

Storage (:class:`ScenarioStore`) is one SQLite file, by default ``data/scenarios.sqlite`` next
to the package (``WINDROSE_SCENARIOS_DB`` overrides). Choices, and why:

- **One fresh connection per operation.** Streamlit runs each session in its own thread and a
  ``sqlite3`` connection must not be shared between threads without a lock; opening one takes
  well under a millisecond, nothing next to a person clicking "save".
- **WAL journal** (``PRAGMA journal_mode=WAL``): readers never block the writer, and a process
  killed mid-write leaves a database that is consistent on the next open.
- **synchronous=FULL**: with WAL, ``NORMAL`` already survives an application crash, but may
  lose the last commits on power loss or an OS crash. Saves are rare and are the user's work,
  so each commit pays one fsync.
- **One transaction per write, write lock taken up front** (``BEGIN IMMEDIATE``) and waited
  for up to :data:`BUSY_TIMEOUT_S`, so two sessions saving at once both succeed.
- **Schema version in** ``PRAGMA user_version``; on open, :data:`MIGRATIONS` ``[v]`` upgrades
  version ``v`` to ``v + 1`` inside one transaction.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from windrose_sites.state import MAX_WEIGHT, METHODS, AppState, Filters

__all__ = [
    "BUSY_TIMEOUT_S",
    "FORMAT",
    "FORMAT_VERSION",
    "MAX_NAME_CHARS",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "Scenario",
    "ScenarioError",
    "ScenarioExistsError",
    "ScenarioNotFoundError",
    "ScenarioStore",
    "check_name",
    "default_db_path",
    "fit_state",
    "scenario_from_json",
    "scenario_to_json",
]

FORMAT = "windrose-scenario"
FORMAT_VERSION = 1
MAX_NAME_CHARS = 100
#: Longest JSON accepted: a 20 MB upload plus the rest, with room to spare.
MAX_JSON_CHARS = 32 * 1024 * 1024
BUSY_TIMEOUT_S = 30.0
#: Bounds of the filters, as in the URL parser of :mod:`windrose_sites.state`.
MAX_AREA_HA = 1e6
MAX_PORT_KM = 1e5
#: Largest magnitude of an edited value (any unit).
MAX_EDIT_ABS = 1e15
_FIELDS = (
    "format",
    "version",
    "name",
    "saved_at",
    "weights",
    "method",
    "filters",
    "selected",
    "edits",
    "uploads_geojson",
)


class ScenarioError(ValueError):
    """A scenario, its JSON or the store is not usable; the message says what and where."""


class ScenarioExistsError(ScenarioError):
    """A scenario of that name is already saved."""


class ScenarioNotFoundError(ScenarioError):
    """No scenario of that name is saved."""


@dataclass(frozen=True)
class Scenario:
    """A named, reproducible ranking: state, edited values and uploaded sites."""

    name: str
    state: AppState
    edits: dict[str, dict[str, float | None]] = field(default_factory=dict)
    uploads_geojson: str | None = None
    saved_at: datetime | None = None  # UTC, set by ScenarioStore.save


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


# --------------------------------------------------------------------------- JSON


def scenario_to_json(scenario: Scenario) -> str:
    """The scenario as JSON text (UTF-8, indented); NaN edits are written as ``null``."""
    s = scenario.state
    doc = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "name": scenario.name,
        "saved_at": scenario.saved_at.isoformat() if scenario.saved_at else None,
        "weights": {"groups": dict(s.group_weights), "criteria": dict(s.criterion_weights)},
        "method": s.method,
        "filters": {
            "min_area_ha": s.filters.min_area_ha,
            "max_port_km": s.filters.max_port_km,
            "countries": list(s.filters.countries),
        },
        "selected": list(s.selected),
        "edits": {
            site: {c: None if v is None or math.isnan(v) else v for c, v in values.items()}
            for site, values in scenario.edits.items()
        },
        "uploads_geojson": scenario.uploads_geojson,
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
    )
    return Scenario(
        name=check_name(name if name is not None else _required(doc, "name")),
        state=state,
        edits=_edits(doc.get("edits", {})),
        uploads_geojson=_uploads(doc.get("uploads_geojson")),
        saved_at=_timestamp(doc.get("saved_at")),
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
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not ok or not lo <= value <= hi:  # NaN and infinities fail the range test too
        raise _fail(where, f"a number from {lo:g} to {hi:g}", value)
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


def _filters(value: object) -> Filters:
    f = _object(value, "filters")
    unknown = [k for k in f if k not in ("min_area_ha", "max_port_km", "countries")]
    if unknown:
        msg = (
            f"filters: unknown field {unknown[0][:40]!r}; "
            "allowed: min_area_ha, max_port_km, countries"
        )
        raise ScenarioError(msg)
    max_port = f.get("max_port_km")
    return Filters(
        min_area_ha=_number(f.get("min_area_ha", 0.0), "filters.min_area_ha", 0.0, MAX_AREA_HA),
        max_port_km=None
        if max_port is None
        else _number(max_port, "filters.max_port_km", 0.0, MAX_PORT_KM),
        countries=tuple(_texts(f.get("countries", []), "filters.countries")),
    )


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
    fitted = replace(
        state,
        group_weights=fit(state.group_weights, default.group_weights, "group"),
        criterion_weights=fit(state.criterion_weights, default.criterion_weights, "criterion"),
        selected=tuple(s for s in state.selected if s in valid),
    )
    return fitted, warnings


# --------------------------------------------------------------------------- storage


def _v0_to_v1(con: sqlite3.Connection) -> None:
    con.execute(
        "CREATE TABLE scenarios (name TEXT PRIMARY KEY, payload TEXT NOT NULL, "
        "saved_at TEXT NOT NULL)"
    )


def _v1_to_v2(con: sqlite3.Connection) -> None:
    """v2 keeps the first save time apart from the last one, and lists by time quickly."""
    con.execute("ALTER TABLE scenarios ADD COLUMN created_at TEXT")
    con.execute("UPDATE scenarios SET created_at = saved_at")
    con.execute("CREATE INDEX scenarios_saved_at ON scenarios (saved_at)")


#: ``MIGRATIONS[v]`` upgrades a database at ``user_version`` ``v`` to ``v + 1``.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_v0_to_v1, _v1_to_v2)
SCHEMA_VERSION = len(MIGRATIONS)


def default_db_path() -> Path:
    """``$WINDROSE_SCENARIOS_DB``, else ``data/scenarios.sqlite`` beside the package."""
    env = os.environ.get("WINDROSE_SCENARIOS_DB")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent / "data" / "scenarios.sqlite"


class ScenarioStore:
    """Saved scenarios in one SQLite file; safe to share between threads and processes.

    Examples
    --------
    >>> import tempfile
    >>> store = ScenarioStore(Path(tempfile.mkdtemp()) / "s.sqlite")
    >>> saved = store.save(Scenario("Base", AppState({"jobs": 50.0}, {"unemployment_pct": 1.0})))
    >>> [name for name, _ in store.list()], store.load("Base").state.method
    (['Base'], 'wsm')
    """

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_db_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as con:
            con.execute("PRAGMA journal_mode=WAL")
            with self._transaction(con):
                version = con.execute("PRAGMA user_version").fetchone()[0]
                if version > SCHEMA_VERSION:
                    msg = (
                        f"{self.path}: database schema version {version} is newer than "
                        f"this app's ({SCHEMA_VERSION}); update the app"
                    )
                    raise ScenarioError(msg)
                for step in MIGRATIONS[version:]:
                    step(con)
                con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except sqlite3.Error as exc:
            msg = f"{self.path}: cannot open the scenario database ({exc})"
            raise ScenarioError(msg) from exc
        try:
            con.execute("PRAGMA synchronous=FULL")
            yield con
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.IntegrityError):
                raise
            msg = f"{self.path}: scenario database error ({exc})"
            raise ScenarioError(msg) from exc
        finally:
            con.close()

    @staticmethod
    @contextmanager
    def _transaction(con: sqlite3.Connection) -> Iterator[None]:
        con.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if con.in_transaction:  # SQLite may already have rolled back (e.g. disk full)
                con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._connect() as con, self._transaction(con):
            yield con

    def save(self, scenario: Scenario, *, overwrite: bool = False) -> Scenario:
        """Save under ``scenario.name`` (one transaction); returns it with ``saved_at`` set.

        Raises :class:`ScenarioExistsError` if the name is taken and ``overwrite`` is False.
        """
        saved = replace(scenario, name=check_name(scenario.name), saved_at=datetime.now(UTC))
        payload, when = scenario_to_json(saved), saved.saved_at.isoformat()
        sql = "INSERT INTO scenarios (name, payload, saved_at, created_at) VALUES (?, ?, ?, ?)"
        if overwrite:
            sql += " ON CONFLICT (name) DO UPDATE SET payload = excluded.payload, "
            sql += "saved_at = excluded.saved_at"
        try:
            with self._write() as con:
                con.execute(sql, (saved.name, payload, when, when))
        except sqlite3.IntegrityError as exc:
            msg = (
                f"a scenario named {saved.name!r} already exists; choose another name or overwrite"
            )
            raise ScenarioExistsError(msg) from exc
        return saved

    def list(self) -> list[tuple[str, datetime]]:
        """``(name, saved_at)`` of every saved scenario, most recent first."""
        with self._connect() as con:
            rows = con.execute("SELECT name, saved_at FROM scenarios ORDER BY saved_at DESC, name")
            return [(name, datetime.fromisoformat(when)) for name, when in rows]

    def load(self, name: str) -> Scenario:
        """The scenario saved as ``name``; :class:`ScenarioNotFoundError` if there is none."""
        with self._connect() as con:
            row = con.execute(
                "SELECT name, payload FROM scenarios WHERE name = ?", (check_name(name),)
            ).fetchone()
        if row is None:
            raise self._not_found(name)
        return scenario_from_json(row[1], name=row[0])

    def rename(self, old: str, new: str) -> None:
        """Rename a scenario; errors if ``old`` is unknown or ``new`` is taken."""
        old, new = check_name(old), check_name(new)
        try:
            with self._write() as con:
                cur = con.execute("UPDATE scenarios SET name = ? WHERE name = ?", (new, old))
                if cur.rowcount == 0:
                    raise self._not_found(old)
        except sqlite3.IntegrityError as exc:
            msg = f"cannot rename {old!r}: a scenario named {new!r} already exists"
            raise ScenarioExistsError(msg) from exc

    def delete(self, name: str) -> None:
        """Delete a scenario; :class:`ScenarioNotFoundError` if there is none."""
        with self._write() as con:
            cur = con.execute("DELETE FROM scenarios WHERE name = ?", (check_name(name),))
            if cur.rowcount == 0:
                raise self._not_found(name)

    def export_json(self, name: str) -> str:
        """The saved scenario as JSON text (see :func:`scenario_to_json`)."""
        return scenario_to_json(self.load(name))

    def import_json(
        self, text: str | bytes, *, name: str | None = None, overwrite: bool = False
    ) -> Scenario:
        """Validate JSON text and save it, under ``name`` if given; returns the saved scenario."""
        return self.save(scenario_from_json(text, name=name), overwrite=overwrite)

    def _not_found(self, name: str) -> ScenarioNotFoundError:
        return ScenarioNotFoundError(f"no scenario named {str(name)[:MAX_NAME_CHARS]!r}")
