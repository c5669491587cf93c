"""A throwaway PostgreSQL cluster for tests: ``initdb`` + ``pg_ctl`` in a temporary folder.

Uses Debian's ``postgresql`` package (binaries under ``/usr/lib/postgresql/*/bin``; ``make
test`` installs it through ``scripts/ensure-postgres``). No system service is used: the cluster
listens on a free port of 127.0.0.1 and on a socket in its own folder, trusts local
connections, and is stopped and deleted afterwards. As root, the server runs as the package's
``postgres`` user (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

__all__ = ["PgCluster", "pg_bindir"]

USER = "windrose"


def pg_bindir() -> Path | None:
    """The newest ``/usr/lib/postgresql/<v>/bin`` with ``initdb``, else one on PATH."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3])
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgCluster:
    """Start with :meth:`start`, make databases with :meth:`new_database`, :meth:`stop`."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="windrose-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = _free_port()
        self.runas: list[str] = []
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
            self.runas = ["runuser", "-u", "postgres", "--"]
        self._count = 0

    def _run(self, *args: str) -> None:
        subprocess.run(
            [*self.runas, *args], check=True, capture_output=True, text=True, cwd=self.root
        )

    def start(self) -> PgCluster:
        """initdb (trust auth, UTF-8) and start the server; returns self."""
        self._run(
            str(self.bindir / "initdb"),
            "-D", str(self.data), "-U", USER, "--auth=trust", "-E", "UTF8", "--no-sync",
        )  # fmt: skip
        self._start()
        return self

    def _start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
        self._run(
            str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.log),
            "-o", options, "-w", "-t", "60", "start",
        )  # fmt: skip

    def url(self, database: str = "postgres", **params: str) -> str:
        """A libpq URL for ``database`` on this cluster."""
        query = "&".join(f"{k}={v}" for k, v in params.items())
        base = f"postgresql://{USER}@127.0.0.1:{self.port}/{database}"
        return f"{base}?{query}" if query else base

    def new_database(self) -> str:
        """Create an empty database; returns its URL."""
        import psycopg

        self._count += 1
        name = f"t{self._count}"
        with psycopg.connect(self.url(), autocommit=True) as con:
            con.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def postmaster_pid(self) -> int:
        """The server's main process (the first line of its ``postmaster.pid``)."""
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def wait_ready(self, timeout_s: float = 60.0) -> None:
        """Wait until the server accepts connections again (after a crash and recovery)."""
        import psycopg

        deadline = time.monotonic() + timeout_s
        while True:
            try:
                with psycopg.connect(self.url(), connect_timeout=2) as con:
                    con.execute("SELECT 1")
                    return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def stop(self) -> None:
        """Stop the server (fast shutdown) and delete its folder."""
        with contextlib.suppress(subprocess.CalledProcessError):  # never started, or gone
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop")
        shutil.rmtree(self.root, ignore_errors=True)
