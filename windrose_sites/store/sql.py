"""The repository operations, written once in SQL that SQLite and PostgreSQL both run.

A backend supplies a connection (:meth:`SqlRepository._read`), a write transaction that holds
the write lock (:meth:`SqlRepository._write`), its placeholder style and its timestamp
conversion; the statements are shared. Both support partial unique indexes, ``ON CONFLICT``
on them and ``RETURNING``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime

from windrose_sites.store import Entry, Key, NameConflictError, StoredRow

__all__ = ["LIVE", "SqlRepository"]

LIVE = "deleted_at IS NULL"
_ENTRY = "id, name, saved_at, owner_name, deleted_at, deleted_by"
_KEYS = ("id", "name")


class SqlRepository:
    """Shared statements; subclasses define the connection, placeholders and timestamps."""

    #: The driver's unique-violation error, turned into :class:`NameConflictError`.
    unique_violation: type[BaseException] = Exception

    def _read(self) -> AbstractContextManager:  # pragma: no cover - abstract
        raise NotImplementedError

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
