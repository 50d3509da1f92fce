"""The HTML report, its PDF and the live Dash server, opened in headless Chromium."""

from __future__ import annotations

import functools
import re
import socket
import struct
import threading
import time
import zlib
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest

from genesis.dashboard import InteractiveDashboard, QualityDashboard
from genesis.dashboard._pdf import DEFAULT_CHROMIUM

pytestmark = pytest.mark.skipif(
    not Path(DEFAULT_CHROMIUM).exists(),
    reason=f"headless Chromium is not installed at {DEFAULT_CHROMIUM} (apt-get install chromium)",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def http_root(tmp_path_factory):
    """A loopback HTTP server over a temp folder: yields (folder, base URL); stopped after."""
    folder = tmp_path_factory.mktemp("served")
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", _free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    from genesis.dashboard._pdf import launch_chromium

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def adult_report(adult_df, http_root):
    """The report over the whole Adult table (a bootstrap resample stands in for synthetic)."""
    synthetic = adult_df.sample(frac=1.0, replace=True, random_state=1).reset_index(drop=True)
    dashboard = QualityDashboard(adult_df, synthetic, name="Adult report", target="income")
    folder, base = http_root
    dashboard.save_report(folder / "adult.html")
    return dashboard, f"{base}/adult.html"


def _png_is_blank(png: bytes) -> bool:
    """Whether a PNG's pixel bytes take fewer than a handful of values (one flat colour)."""
    pos, data = 8, b""
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind = png[pos + 4 : pos + 8]
        if kind == b"IDAT":
            data += png[pos + 8 : pos + 8 + length]
        pos += 12 + length
    return len(set(zlib.decompress(data))) < 8


def test_report_renders_every_figure_offline_without_errors(browser, adult_report):
    dashboard, url = adult_report
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors, requests = [], []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda request: requests.append(request.url))
    started = time.perf_counter()
    page.goto(url)
    expected = len(dashboard.generate_plotly_figures())
    page.wait_for_function(
        f"document.querySelectorAll('.js-plotly-plot').length === {expected}", timeout=30_000
    )
    seconds = time.perf_counter() - started
    assert errors == []
    assert requests == [url]  # self-contained: nothing fetched but the page itself
    assert page.locator(".js-plotly-plot").count() == expected
    assert page.locator(".main-svg").count() >= expected  # each drew its SVG
    verdict = page.locator("#verdict")
    assert verdict.is_visible()
    assert verdict.inner_text().startswith("Verdict: ")
    assert "overall quality score" in verdict.inner_text()
    assert not _png_is_blank(page.screenshot())
    page.close()
    # target: the Adult report renders in 5 s; the bound leaves room for a loaded test machine
    assert seconds < 10, f"rendering took {seconds:.1f} s"


def test_blank_png_detector_detects_a_blank_page(browser):
    page = browser.new_page()
    page.set_content("<html><body style='background:#fff'></body></html>")
    assert _png_is_blank(page.screenshot())
    page.close()


def test_pdf_has_pages(adult_report, tmp_path):
    dashboard, _ = adult_report
    path = dashboard.save_pdf(tmp_path / "out" / "adult.pdf")
    data = Path(path).read_bytes()
    assert data.startswith(b"%PDF-")
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", data))
    assert pages >= 3
    assert not [p for p in (tmp_path / "out").iterdir() if p.name != "adult.pdf"]


def test_pdf_without_chromium_says_how_to_install_it(adult_report, tmp_path, monkeypatch):
    from genesis.errors import MissingDependencyError

    dashboard, _ = adult_report
    monkeypatch.setenv("GENESIS_CHROMIUM", str(tmp_path / "no-chromium"))
    with pytest.raises(MissingDependencyError, match="apt-get install -y chromium"):
        dashboard.save_pdf(tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()


def _wait_listening(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on port {port}")


def test_dash_server_serves_updates_and_stops(browser, adult_df):
    real = adult_df.head(2_000)
    synthetic = adult_df.tail(1_500).reset_index(drop=True)
    port = _free_port()
    live = InteractiveDashboard(real, synthetic, port=port)
    thread = threading.Thread(target=live.run, daemon=True)
    thread.start()
    try:
        _wait_listening(port)
        page = browser.new_page()
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(live.url)
        title = page.locator("#distribution .gtitle")
        title.wait_for(timeout=30_000)
        assert title.text_content() == "age: distribution"
        assert "1,500 synthetic rows" in page.locator("#row-counts").inner_text()

        page.locator("#column").click()
        page.get_by_role("option", name="education", exact=True).click()
        page.wait_for_function(
            "document.querySelector('#distribution .gtitle').textContent === "
            "'education: distribution'",
            timeout=30_000,
        )
        assert page.locator("#column-score").inner_text().startswith("education: TV complement")
        bars = page.locator("#distribution .trace.bars")
        assert bars.count() == 2  # real and synthetic

        live.update_synthetic(adult_df.head(700))
        page.wait_for_function(
            "document.querySelector('#row-counts').textContent.includes('700 synthetic rows')",
            timeout=30_000,
        )
        assert errors == []
        page.close()
    finally:
        live.stop()
        thread.join(10)
    assert not thread.is_alive()
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0  # stopped: the port is free again


def test_update_synthetic_rejects_a_table_without_the_columns(adult_df):
    from genesis.errors import InvalidDataError

    live = InteractiveDashboard(adult_df.head(100), adult_df.head(100))
    with pytest.raises(InvalidDataError, match="lacks"):
        live.update_synthetic(pd.DataFrame({"age": [1, 2]}))


def test_pdf_with_a_browser_that_does_not_start_fails_clearly(adult_report, tmp_path, monkeypatch):
    from genesis.errors import DataWriteError

    dashboard, _ = adult_report
    monkeypatch.setenv("GENESIS_CHROMIUM", "/bin/false")
    with pytest.raises(DataWriteError, match="could not render the PDF"):
        dashboard.save_pdf(tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()
