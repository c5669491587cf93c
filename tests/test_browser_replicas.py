"""Browser tests of `make serve`: two Streamlit replicas behind HAProxy with sticky sessions.

The fixture runs scripts/serve (the script `make serve REPLICAS=2` runs) on free ports. Each
browser context is one user: the proxy's cookie pins it to one replica, and the upload, the
websocket and the download of that user all reach that replica, through the proxy.
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from browser_helpers import no_exception, wait_idle
from conftest import ROOT, streamlit_server
from playwright.sync_api import expect

from windrose_sites import catalog

pytestmark = pytest.mark.browser

COOKIE = "WINDROSE_REPLICA"
HEADER = "x-windrose-replica"


def _free_ports(n: int) -> int:
    """The first of ``n`` consecutive free ports of 127.0.0.1."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            base = s.getsockname()[1]
        if base + n > 65535:
            continue
        try:
            socks = []
            for p in range(base, base + n):
                s = socket.socket()
                socks.append(s)
                s.bind(("127.0.0.1", p))
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no run of free ports")


@pytest.fixture(scope="module")
def proxy(tmp_path_factory) -> Iterator[str]:
    """`scripts/serve` with 2 replicas; yields the proxy's URL. Fails in CI without HAProxy."""
    if not (shutil.which("haproxy") or Path("/usr/sbin/haproxy").exists()):
        reason = "no HAProxy; run scripts/ensure-proxy or `make test`"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (CI=true: the replica tests must run)")
        pytest.skip(reason)
    port, base = _free_ports(1), _free_ports(2)
    state = tmp_path_factory.mktemp("serve")
    env = {
        "REPLICAS": "2",
        "PORT": str(port),
        "BASE_PORT": str(base),
        "BIND": "127.0.0.1",
        "STATE_DIR": str(state),
        "BIN": str(Path(sys.executable).parent),
    }
    command = [str(ROOT / "scripts" / "serve")]
    with streamlit_server(state, env, command=command, port=port, start_timeout_s=180) as s:
        yield s.url


@pytest.fixture
def user(browser, proxy):
    """A factory of browser contexts (one per user), closed after the test."""
    contexts = []

    def make(replica: str | None = None):
        context = browser.new_context(
            viewport={"width": 1400, "height": 1000}, accept_downloads=True
        )
        if replica is not None:  # pin this user to a replica, as its cookie would
            context.add_cookies([{"name": COOKIE, "value": replica, "url": proxy}])
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(60_000)
        return page

    yield make
    for c in contexts:
        c.close()


def replica_of(page) -> str:
    (cookie,) = [c for c in page.context.cookies() if c["name"] == COOKIE]
    return cookie["value"]


def upload(page, csv: Path) -> list[str]:
    """Upload ``csv`` on Sites & data; returns the replicas that answered the upload requests."""
    answered: list[str] = []
    page.on(
        "response",
        lambda r: answered.append(r.headers.get(HEADER, "?")) if "upload_file" in r.url else None,
    )
    page.locator('[data-testid="stPageLink-NavLink"]', has_text="Sites & data").click()
    wait_idle(page)
    page.get_by_role("tab", name="Upload").click()
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(csv))
    wait_idle(page)
    expect(page.get_by_text("Added 2 site(s)")).to_be_visible(timeout=60_000)
    return answered


def download_comparison(page) -> tuple[pd.DataFrame, str]:
    """Download the comparison CSV on Compare; returns it and the replica that served it."""
    served: list[str] = []
    page.on(
        "response",
        lambda r: served.append(r.headers.get(HEADER, "?")) if "/media/" in r.url else None,
    )
    page.locator('[data-testid="stPageLink-NavLink"]', has_text="Compare").click()
    wait_idle(page)
    with page.expect_download() as info:
        page.locator('[data-testid="stDownloadButton"] button').first.click()
    data = Path(info.value.path()).read_bytes()
    return pd.read_csv(io.BytesIO(data)), served[-1] if served else "?"


def sites_csv(folder: Path, label: str, lat: float) -> Path:
    path = folder / f"{label}.csv"
    path.write_text(f"name,lat,lon\n{label} one,{lat},-111.80\n{label} two,{lat + 1},-119.78\n")
    return path


def test_upload_then_download_through_the_proxy(user, proxy, tmp_path):
    page = user()
    response = page.goto(proxy)
    wait_idle(page)
    replica = replica_of(page)
    assert replica in ("r1", "r2")
    assert response.headers[HEADER] == replica  # the proxy set the cookie on the first answer
    answered = upload(page, sites_csv(tmp_path, "Proxytest", 33.4))
    assert answered
    assert set(answered) == {replica}
    frame, served = download_comparison(page)
    assert served in (replica, "?")
    assert len(frame) == len(catalog.criteria_table()) + 2
    assert {"Proxytest one", "Proxytest two"} <= set(frame["name"])
    no_exception(page)


def test_two_sessions_on_different_replicas_see_their_own_data(user, proxy, tmp_path):
    ana = user()
    ana.goto(proxy)
    wait_idle(ana)
    other = {"r1": "r2", "r2": "r1"}[replica_of(ana)]
    bo = user(other)
    response = bo.goto(proxy)
    wait_idle(bo)
    assert response.headers[HEADER] == other == replica_of(bo)
    assert set(upload(ana, sites_csv(tmp_path, "Anasite", 33.1))) == {replica_of(ana)}
    assert set(upload(bo, sites_csv(tmp_path, "Bosite", 35.2))) == {other}
    ana_csv, _ = download_comparison(ana)
    bo_csv, _ = download_comparison(bo)
    assert {"Anasite one", "Anasite two"} <= set(ana_csv["name"])
    assert not any(str(n).startswith("Bosite") for n in ana_csv["name"])
    assert {"Bosite one", "Bosite two"} <= set(bo_csv["name"])
    assert not any(str(n).startswith("Anasite") for n in bo_csv["name"])
    assert len(ana_csv) == len(bo_csv) == len(catalog.criteria_table()) + 2
    for page in (ana, bo):
        page.locator('[data-testid="stPageLink-NavLink"]', has_text="Sites & data").click()
        wait_idle(page)
        no_exception(page)
    assert ana.get_by_text("Bosite one").count() == 0
    assert bo.get_by_text("Anasite one").count() == 0
