"""The scenario rows in one SQLite file: the embedded default.

Choices, and why:

- **One fresh connection per operation.** Streamlit runs each session in its own thread and a
  ``sqlite3`` connection must not be shared between threads without a lock; opening one takes
  well under a millisecond, nothing next to a person clicking "save".
- **WAL journal** (``PRAGMA journal_mode=WAL``): readers never block the writer, and a process
  killed mid-write leaves a database that is consistent on the next open. Several processes on
  one machine (``make serve`` replicas) share the file safely; WAL needs a local disk, not a
  network share, which is where PostgreSQL takes over.
- **synchronous=FULL**: with WAL, ``NORMAL`` already survives an application crash, but may
  lose the last commits on power loss or an OS crash. Saves are rare and are the user's work,
  so each commit pays one fsync.
- **One transaction per write, write lock taken up front** (``BEGIN IMMEDIATE``) and waited
  for up to :data:`~windrose_sites.store.BUSY_TIMEOUT_S`, so two sessions saving at once both
  succeed.
- **Schema version in** ``PRAGMA user_version``; on open, :data:`MIGRATIONS` ``[v]`` upgrades
  version ``v`` to ``v + 1`` inside one transaction.
- **Timestamps as ISO 8601 text** in UTC (``2026-01-02T03:04:05.678901+00:00``), which sorts
  as it reads.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from windrose_sites.store import BUSY_TIMEOUT_S, ScenarioError
from windrose_sites.store.sql import Columns, SqlRepository, migrate, migrations

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "SqliteRepository", "default_db_path"]

_log = logging.getLogger(__name__)


#: ``MIGRATIONS[v]`` upgrades a database at ``user_version`` ``v`` to ``v + 1``.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = migrations(
    Columns(text="TEXT", timestamp="TEXT", identity="INTEGER PRIMARY KEY AUTOINCREMENT")
)
SCHEMA_VERSION = len(MIGRATIONS)


def default_db_path() -> Path:
    """``$WINDROSE_SCENARIOS_DB``, else ``data/scenarios.sqlite`` beside the package."""
    env = os.environ.get("WINDROSE_SCENARIOS_DB")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "data" / "scenarios.sqlite"


class SqliteRepository(SqlRepository):
    """Scenario rows in one SQLite file; safe to share between threads and processes."""

    unique_violation = sqlite3.IntegrityError

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            _log.error("scenario database folder %s: %s", self.path.parent, exc)
            msg = f"cannot create the scenario database's folder ({exc.strerror})"
            raise ScenarioError(msg) from exc
        with self._connect() as con:
            con.execute("PRAGMA journal_mode=WAL")
            with self._transaction(con):
                version = con.execute("PRAGMA user_version").fetchone()[0]
                migrate(con, version, MIGRATIONS)
                con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except sqlite3.Error as exc:
            _log.error("scenario database %s: %s", self.path, exc)
            msg = f"cannot open the scenario database ({exc})"
            raise ScenarioError(msg) from exc
        try:
            con.execute("PRAGMA synchronous=FULL")
            yield con
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.IntegrityError):
                raise
            _log.error("scenario database %s: %s", self.path, exc)
            msg = f"scenario database error ({exc})"
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

    def _ts(self, when: datetime) -> str:
        return when.isoformat()

    def _dt(self, value: object) -> datetime:
        return datetime.fromisoformat(str(value))
