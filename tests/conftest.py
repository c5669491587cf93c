"""Shared fixtures: a real `streamlit run` server on a free port and a headless Chromium."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def chromium_path() -> str | None:
    """Debian's chromium, else Playwright's own browser (None: let Playwright find it)."""
    for path in (
        os.environ.get("WINDROSE_CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
    ):
        if path and Path(path).exists():
            return path
    return None


def app_command(port: int) -> list[str]:
    """The command line of `streamlit run app.py` on ``port`` of 127.0.0.1, headless."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(ROOT / "app.py"),
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.address",
        "127.0.0.1",
    ]


@dataclasses.dataclass(frozen=True)
class Server:
    """A started server: its base URL, its process id and the file its output goes to."""

    url: str
    pid: int
    log: Path


@contextlib.contextmanager
def streamlit_server(
    tmp: Path,
    env: dict[str, str] | None = None,
    *,
    command: list[str] | None = None,
    port: int | None = None,
    preexec_fn: Callable[[], None] | None = None,
    start_timeout_s: float = 60,
) -> Iterator[Server]:
    """Start a server in a fresh process group; yield it once ``/_stcore/health`` says ok.

    ``command`` defaults to :func:`app_command` on ``port`` (default: a free port); a command
    of its own (``scripts/serve``) must listen on ``port``. The scenario store is
    ``tmp/s.sqlite``, never a developer's ``WINDROSE_DATABASE_URL``; ``env`` adds to the
    environment. Output goes to ``tmp/server.log``. On exit the process gets SIGTERM, and its
    whole group SIGKILL if it has not ended 20 s later.
    """
    port = _free_port() if port is None else port
    command = app_command(port) if command is None else command
    env = dict(os.environ, WINDROSE_SCENARIOS_DB=str(tmp / "s.sqlite"), **(env or {}))
    env.pop("WINDROSE_DATABASE_URL", None)  # never a developer's real database
    log = tmp / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=preexec_fn,
            start_new_session=True,  # its own process group: stopped as one below
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + start_timeout_s
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.read() == b"ok":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                name = Path(command[0]).name if command[0] != sys.executable else "streamlit"
                pytest.fail(f"{name} did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.3)
        yield Server(url, proc.pid, log)
    finally:
        proc.terminate()  # scripts/serve's trap stops haproxy and the replicas it started
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One `streamlit run app.py` for the whole session; yield its base URL."""
    with streamlit_server(tmp_path_factory.mktemp("db")) as server:  # db*/s.sqlite: tests read it
        yield server.url


@pytest.fixture
def fresh_server(tmp_path: Path) -> Iterator[str]:
    """A server that has answered no request yet (for first-request behaviour)."""
    with streamlit_server(tmp_path) as server:
        yield server.url


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium via Playwright. Fails (never skips) in CI when there is no browser."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - dev requirements always have it
        pytest.fail("playwright is not installed; run `make test`")
    executable = chromium_path()
    with sync_playwright() as p:
        try:
            b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        except Exception as exc:
            if os.environ.get("CI") == "true":
                pytest.fail(f"no Chromium for the browser tests in CI: {exc}")
            pytest.skip(f"no Chromium available (install Debian's chromium): {exc}")
        yield b
        b.close()


@pytest.fixture
def page(browser, app_server):  # noqa: ARG001 (the server must be up)
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    context.close()
