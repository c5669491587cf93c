"""The scenario rows in PostgreSQL: for replicas on several machines.

``WINDROSE_DATABASE_URL`` names the database, e.g.
``postgresql://windrose:secret@db.example:5432/windrose?sslmode=require`` (any libpq URL or
``key=value`` string; a managed PostgreSQL service gives one). Choices, and why:

- **One connection per operation**, like the SQLite file: a Streamlit session is a thread, a
  psycopg connection is not shared between threads without care, and a save or a listing is
  rare next to a rerun. Behind many replicas, put PgBouncer (or the managed service's pooler)
  in front; nothing here holds a connection between operations, so transaction pooling works.
- **Writes take the table's write lock first** (``LOCK TABLE ... IN SHARE ROW EXCLUSIVE
  MODE``, which readers never wait for) and wait up to
  :data:`~windrose_sites.store.BUSY_TIMEOUT_S` for it: writes queue one after the other, as
  with SQLite's ``BEGIN IMMEDIATE``, so the restore's "first free name" cannot race.
- **The same migrations as SQLite**, ``MIGRATIONS[v]`` from ``v`` to ``v + 1``, in one
  transaction, recorded in the one-row table ``windrose_schema``. A transaction-scoped
  advisory lock makes replicas that start together migrate once, one after the other.
- **Timestamps as** ``timestamptz``; ids from an identity column (a sequence never gives a
  number twice, as SQLite's AUTOINCREMENT).
- **Messages carry no host or password**: they say what failed; the log has the driver's text.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import psycopg
import psycopg.errors

from windrose_sites.store import BUSY_TIMEOUT_S, ScenarioError
from windrose_sites.store.sql import Columns, SqlRepository, migrate, migrations

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "PostgresRepository"]

_log = logging.getLogger(__name__)
#: Key of the advisory lock held while migrating ("windrose" in ASCII, as an int64).
MIGRATION_LOCK = 0x77696E64726F7365
CONNECT_TIMEOUT_S = 10


#: ``MIGRATIONS[v]`` upgrades a database at schema version ``v`` to ``v + 1``.
MIGRATIONS: tuple[Callable[[psycopg.Connection], None], ...] = migrations(
    Columns(
        text="text",
        timestamp="timestamptz",
        identity="bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
    )
)
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(con: psycopg.Connection) -> int:
    """The version recorded in ``windrose_schema`` (0 for an empty database)."""
    con.execute("CREATE TABLE IF NOT EXISTS windrose_schema (version integer NOT NULL)")
    row = con.execute("SELECT version FROM windrose_schema").fetchone()
    if row is None:
        con.execute("INSERT INTO windrose_schema VALUES (0)")
        return 0
    return int(row[0])


class PostgresRepository(SqlRepository):
    """Scenario rows in a PostgreSQL database; safe to share between threads and replicas."""

    unique_violation = psycopg.errors.UniqueViolation

    def __init__(self, url: str) -> None:
        self.url = url
        with self._write(lock=False) as con:
            con.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            migrate(con, schema_version(con), MIGRATIONS)
            con.execute("UPDATE windrose_schema SET version = %s", (SCHEMA_VERSION,))

    @contextmanager
    def _connect(self) -> Iterator[psycopg.Connection]:
        try:
            con = psycopg.connect(self.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S)
        except psycopg.Error as exc:
            _log.error("scenario database (PostgreSQL): cannot connect: %s", exc)
            msg = "cannot reach the scenario database (PostgreSQL); the server log says why"
            raise ScenarioError(msg) from exc
        try:
            yield con
        except psycopg.Error as exc:
            if isinstance(exc, self.unique_violation):
                raise
            _log.error("scenario database (PostgreSQL): %s", exc)
            msg = f"scenario database error ({type(exc).__name__}); the server log says why"
            raise ScenarioError(msg) from exc
        finally:
            con.close()

    @contextmanager
    def _write(self, *, lock: bool = True) -> Iterator[psycopg.Connection]:
        with self._connect() as con, con.transaction():
            con.execute(f"SET LOCAL lock_timeout = '{int(BUSY_TIMEOUT_S * 1000)}ms'")
            if lock:
                con.execute("LOCK TABLE scenarios IN SHARE ROW EXCLUSIVE MODE")
            yield con

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s")

    def _dt(self, value: object) -> datetime:
        assert isinstance(value, datetime)  # timestamptz columns come back as datetime
        return value.astimezone(UTC)
