"""The scenario store's repository: rows of saved scenarios in SQLite or PostgreSQL.

:class:`windrose_sites.scenarios.ScenarioStore` turns scenarios into rows (JSON payload, name,
owner, times) and back; a :class:`Repository` keeps the rows. There are two, with the same
tests (``tests/test_scenarios.py`` runs the store suite on both):

- :class:`~windrose_sites.store.sqlite.SqliteRepository`: one file, the embedded default
  (``make run``, one machine, any number of processes on its local disk);
- :class:`~windrose_sites.store.postgres.PostgresRepository`: a PostgreSQL database named by
  ``WINDROSE_DATABASE_URL``, for replicas on several machines (``make serve``, a cluster).

:func:`open_repository` picks one. Every repository migrates its schema on open (the same
three steps on both), writes in one transaction that takes the write lock first (so
concurrent saves queue, never fail), and never puts a path, host or password in a message a
user sees (the operator's log has the details).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal, Protocol

__all__ = [
    "BUSY_TIMEOUT_S",
    "DATABASE_URL_ENV",
    "Entry",
    "NameConflictError",
    "Repository",
    "ScenarioError",
    "ScenarioExistsError",
    "ScenarioNotFoundError",
    "StoredRow",
    "database_url",
    "open_repository",
]

#: Seconds a write waits for another writer's lock before it fails.
BUSY_TIMEOUT_S = 30.0
DATABASE_URL_ENV = "WINDROSE_DATABASE_URL"
Key = Literal["id", "name"]


class ScenarioError(ValueError):
    """A scenario, its JSON or the store is not usable; the message says what and where."""


class ScenarioExistsError(ScenarioError):
    """A scenario of that name is already saved."""


class ScenarioNotFoundError(ScenarioError):
    """No scenario of that name (or id) is saved, or it is in the trash."""


class NameConflictError(Exception):
    """A write would give two live scenarios the same name."""


@dataclass(frozen=True)
class Entry:
    """One stored scenario as listed: stable id, name, last save, owner, trash state."""

    id: int
    name: str
    saved_at: datetime
    owner: str
    deleted_at: datetime | None = None
    deleted_by: str | None = None


@dataclass(frozen=True)
class StoredRow:
    """A live scenario's row: id, name, JSON payload and owner name (``""`` if none)."""

    id: int
    name: str
    payload: str
    owner: str


class Repository(Protocol):
    """Rows of saved scenarios; each method is one transaction (or one read)."""

    def put(self, name: str, payload: str, when: datetime, owner: str, *, overwrite: bool) -> int:
        """Insert (or, with ``overwrite``, update the live row of that name); returns the id.

        Raises :class:`NameConflictError` if a live row has the name and ``overwrite`` is False.
        """

    def entries(self, *, trash: bool) -> list[Entry]:
        """Live rows, most recent first (``trash``: deleted rows, latest deletion first)."""

    def entry(self, sid: int) -> Entry | None:
        """The row with this id, live or trashed; None if there is none."""

    def get(self, key: Key, value: object) -> StoredRow | None:
        """The live row whose ``key`` (``"id"`` or ``"name"``) equals ``value``."""

    def rename(self, key: Key, value: object, new: str) -> bool:
        """Rename the live row; False if there is none; :class:`NameConflictError` if taken."""

    def trash(self, key: Key, value: object, when: datetime, by: str | None) -> bool:
        """Move the live row to the trash; False if there is none."""

    def restore(self, sid: int, suffixed: Callable[[str, int], str]) -> bool:
        """Take the row out of the trash under the first free name of ``suffixed(name, n)``."""

    def purge(self, before: datetime) -> int:
        """Delete rows trashed before ``before``; returns how many."""


def database_url() -> str | None:
    """``$WINDROSE_DATABASE_URL`` if set and not blank (a PostgreSQL connection URL)."""
    url = os.environ.get(DATABASE_URL_ENV, "").strip()
    return url or None


def open_repository(path: str | Path | None = None, *, url: str | None = None) -> Repository:
    """The SQLite file ``path`` if given, else the PostgreSQL ``url`` (or
    ``$WINDROSE_DATABASE_URL``), else the default SQLite file.
    """
    url = url if path is None and url else (None if path is not None else database_url())
    if url:
        from windrose_sites.store.postgres import PostgresRepository

        return PostgresRepository(url)
    from windrose_sites.store.sqlite import SqliteRepository, default_db_path

    return SqliteRepository(Path(path) if path is not None else default_db_path())
