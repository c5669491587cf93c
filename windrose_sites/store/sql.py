"""The repository operations and the schema, written once in SQL that SQLite and PostgreSQL run.

A backend supplies a connection (:meth:`SqlRepository._connect`), a write transaction that
holds the write lock (:meth:`SqlRepository._write`), its placeholder style, its timestamp
conversion, and how it spells the schema's column types (:class:`Columns`, from which
:func:`migrations` writes its migration steps); the statements are shared. Both support
partial unique indexes, ``ON CONFLICT`` on them and ``RETURNING``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from functools import partial
from typing import Any, NamedTuple, Protocol

from windrose_sites.store import Entry, Key, NameConflictError, ScenarioError, StoredRow

__all__ = ["LIVE", "Columns", "SqlRepository", "migrate", "migrations"]

LIVE = "deleted_at IS NULL"
_ENTRY = "id, name, saved_at, owner_name, deleted_at, deleted_by"
_KEYS = ("id", "name")


# --------------------------------------------------------------------------- schema


class _Executes(Protocol):
    def execute(self, sql: str, /) -> Any: ...  # sqlite3 and psycopg connections


class Columns(NamedTuple):
    """How a backend spells the schema's column types."""

    text: str  # a string column
    timestamp: str  # a time column (SQLite: ISO 8601 text; PostgreSQL: timestamptz)
    identity: str  # the id column: its type, generated, never reused, primary key


def _v0_to_v1(con: _Executes, columns: Columns) -> None:
    t, ts = columns.text, columns.timestamp
    con.execute(
        f"CREATE TABLE scenarios (name {t} PRIMARY KEY, payload {t} NOT NULL, "
        f"saved_at {ts} NOT NULL)"
    )


def _v1_to_v2(con: _Executes, columns: Columns) -> None:
    """v2 keeps the first save time apart from the last one, and lists by time quickly."""
    con.execute(f"ALTER TABLE scenarios ADD COLUMN created_at {columns.timestamp}")
    con.execute("UPDATE scenarios SET created_at = saved_at")
    con.execute("CREATE INDEX scenarios_saved_at ON scenarios (saved_at)")


def _v2_to_v3(con: _Executes, columns: Columns) -> None:
    """v3: a stable id, who saved it, and a trash.

    - ``id`` (SQLite ``INTEGER PRIMARY KEY AUTOINCREMENT``, PostgreSQL an identity column):
      renames keep it, VACUUM cannot renumber it, and a deleted id is never given to a new
      scenario, so a page acting on an id it showed earlier acts on that scenario or on none.
    - ``owner_name`` is the name the saver typed (display only); ``owner_id`` stays NULL until
      sign-in exists, then holds the account's id, and permissions compare that, not the name.
    - ``deleted_at`` / ``deleted_by``: a delete moves the row to the trash; names are unique
      among live rows only (a partial unique index), so a trashed name can be reused.
    """
    t, ts = columns.text, columns.timestamp
    con.execute(
        "CREATE TABLE scenarios_v3 ("
        f"id {columns.identity}, name {t} NOT NULL, payload {t} NOT NULL, "
        f"saved_at {ts} NOT NULL, created_at {ts} NOT NULL, "
        f"owner_name {t} NOT NULL DEFAULT '', owner_id {t}, "
        f"deleted_at {ts}, deleted_by {t})"
    )
    con.execute(
        "INSERT INTO scenarios_v3 (name, payload, saved_at, created_at) "
        "SELECT name, payload, saved_at, COALESCE(created_at, saved_at) FROM scenarios "
        "ORDER BY COALESCE(created_at, saved_at), name"
    )
    con.execute("DROP TABLE scenarios")
    con.execute("ALTER TABLE scenarios_v3 RENAME TO scenarios")
    con.execute(
        "CREATE UNIQUE INDEX scenarios_live_name ON scenarios (name) WHERE deleted_at IS NULL"
    )
    con.execute("CREATE INDEX scenarios_saved_at ON scenarios (saved_at)")


def migrations(columns: Columns) -> tuple[Callable[[Any], None], ...]:
    """A backend's migration steps: ``[v](con)`` upgrades schema version ``v`` to ``v + 1``.

    Examples
    --------
    >>> steps = migrations(Columns("TEXT", "TEXT", "INTEGER PRIMARY KEY AUTOINCREMENT"))
    >>> len(steps), steps[1].func.__doc__.split(" keeps")[0]
    (3, 'v2')
    """
    return tuple(partial(step, columns=columns) for step in (_v0_to_v1, _v1_to_v2, _v2_to_v3))


def migrate(con: Any, version: int, steps: Sequence[Callable[[Any], None]]) -> None:
    """Upgrade a database at schema ``version`` with ``steps[version:]`` (in the caller's
    transaction); a version newer than ``len(steps)`` raises :class:`ScenarioError`.
    """
    if version > len(steps):
        msg = (
            f"database schema version {version} is newer than "
            f"this app's ({len(steps)}); update the app"
        )
        raise ScenarioError(msg)
    for step in steps[version:]:
        step(con)


# --------------------------------------------------------------------------- operations


class SqlRepository:
    """Shared statements; subclasses define the connection, placeholders and timestamps."""

    #: The driver's unique-violation error, turned into :class:`NameConflictError`.
    unique_violation: type[BaseException] = Exception

    def _connect(self) -> AbstractContextManager:  # pragma: no cover - abstract
        """A new connection, closed on exit; driver errors become :class:`ScenarioError`."""
        raise NotImplementedError

    def _read(self) -> AbstractContextManager:
        """A connection for one read (no transaction)."""
        return self._connect()

    def _write(self) -> AbstractContextManager:  # pragma: no cover - abstract
        raise NotImplementedError

    def _sql(self, sql: str) -> str:
        """The statement in the driver's placeholder style (written with ``?``)."""
        return sql

    def _ts(self, when: datetime) -> object:
        """A timestamp as the database stores it."""
        return when

    def _dt(self, value: object) -> datetime:
        """A stored timestamp as an aware UTC datetime."""
        return value  # type: ignore[return-value]

    def _run(self, con, sql: str, params: tuple = ()):
        return con.execute(self._sql(sql), params)

    @staticmethod
    def _key(key: Key) -> str:
        if key not in _KEYS:  # the column name goes into SQL text: only these two
            msg = f"key must be one of {_KEYS}, got {key!r}"
            raise ValueError(msg)
        return key

    def put(self, name: str, payload: str, when: datetime, owner: str, *, overwrite: bool) -> int:
        """Insert (or update the live row of that name); returns the id."""
        sql = (
            "INSERT INTO scenarios (name, payload, saved_at, created_at, owner_name) "
            "VALUES (?, ?, ?, ?, ?)"
        )
        if overwrite:
            sql += f" ON CONFLICT (name) WHERE {LIVE} DO UPDATE SET payload = excluded.payload, "
            sql += "saved_at = excluded.saved_at, owner_name = excluded.owner_name"
        ts = self._ts(when)
        with self._conflicts(), self._write() as con:
            (sid,) = self._run(
                con, sql + " RETURNING id", (name, payload, ts, ts, owner)
            ).fetchone()
        return int(sid)

    def entries(self, *, trash: bool) -> list[Entry]:
        """Live rows, most recent first; with ``trash``, the deleted ones."""
        where = "deleted_at IS NOT NULL" if trash else LIVE
        order = "deleted_at DESC, id DESC" if trash else "saved_at DESC, name"
        with self._read() as con:
            rows = self._run(con, f"SELECT {_ENTRY} FROM scenarios WHERE {where} ORDER BY {order}")
            return [self._entry(r) for r in rows.fetchall()]

    def entry(self, sid: int) -> Entry | None:
        """The row with this id, live or trashed, or None."""
        with self._read() as con:
            row = self._run(con, f"SELECT {_ENTRY} FROM scenarios WHERE id = ?", (sid,)).fetchone()
        return None if row is None else self._entry(row)

    def get(self, key: Key, value: object) -> StoredRow | None:
        """The live row whose ``key`` equals ``value``, or None."""
        sql = f"SELECT id, name, payload, owner_name FROM scenarios WHERE {self._key(key)} = ?"
        with self._read() as con:
            row = self._run(con, f"{sql} AND {LIVE}", (value,)).fetchone()
        return None if row is None else StoredRow(int(row[0]), row[1], row[2], row[3] or "")

    def rename(self, key: Key, value: object, new: str) -> bool:
        """Rename the live row; False if there is none."""
        sql = f"UPDATE scenarios SET name = ? WHERE {self._key(key)} = ? AND {LIVE}"
        with self._conflicts(), self._write() as con:
            return self._run(con, sql, (new, value)).rowcount > 0

    def trash(self, key: Key, value: object, when: datetime, by: str | None) -> bool:
        """Move the live row to the trash; False if there is none."""
        sql = "UPDATE scenarios SET deleted_at = ?, deleted_by = ? "
        sql += f"WHERE {self._key(key)} = ? AND {LIVE}"
        with self._write() as con:
            return self._run(con, sql, (self._ts(when), by, value)).rowcount > 0

    def restore(self, sid: int, suffixed: Callable[[str, int], str]) -> bool:
        """Take the row out of the trash under the first free name; False if not trashed."""
        with self._conflicts(), self._write() as con:
            row = self._run(
                con, "SELECT name FROM scenarios WHERE id = ? AND deleted_at IS NOT NULL", (sid,)
            ).fetchone()
            if row is None:
                return False
            name, n = row[0], 1
            taken = f"SELECT 1 FROM scenarios WHERE name = ? AND {LIVE}"
            while self._run(con, taken, (name,)).fetchone():
                name, n = suffixed(row[0], n), n + 1
            self._run(
                con,
                "UPDATE scenarios SET name = ?, deleted_at = NULL, deleted_by = NULL WHERE id = ?",
                (name, sid),
            )
        return True

    def purge(self, before: datetime) -> int:
        """Delete rows trashed before ``before``; returns how many."""
        with self._write() as con:
            cur = self._run(con, "DELETE FROM scenarios WHERE deleted_at < ?", (self._ts(before),))
            return cur.rowcount

    def _entry(self, row: tuple) -> Entry:
        sid, name, saved, owner, deleted, by = row
        when = None if deleted is None else self._dt(deleted)
        return Entry(int(sid), name, self._dt(saved), owner or "", when, by)

    @contextmanager
    def _conflicts(self) -> Iterator[None]:
        """Turn the driver's unique violation into :class:`NameConflictError`."""
        try:
            yield
        except self.unique_violation as exc:
            raise NameConflictError(str(exc)) from exc
