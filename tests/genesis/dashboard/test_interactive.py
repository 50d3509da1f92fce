"""InteractiveDashboard: the live Dash page in headless Chromium, updates, stopping, and bad
inputs. Without Chromium the browser test fails with the install command."""

from __future__ import annotations

import socket
import threading
import time

import pandas as pd
import pytest

from genesis.dashboard import InteractiveDashboard
from genesis.errors import InvalidDataError


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
    live = InteractiveDashboard(real_data=real, synthetic_data=synthetic, port=port)
    thread = threading.Thread(target=live.run, daemon=True)
    thread.start()
    try:
        _wait_listening(port)
        page = browser.new_page()
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(live.url)
        title = page.locator("#distribution .gtitle")
        # generous waits: on a loaded 2-core CI machine a Dash round trip took over 30 s
        title.wait_for(timeout=90_000)
        assert title.text_content() == "age: distribution"
        assert "1,500 synthetic rows" in page.locator("#row-counts").inner_text()
        pair = page.locator("#pair .gtitle")
        pair.wait_for(timeout=90_000)
        assert page.locator("#pair .heatmaplayer").count() >= 1  # a density, not real points
        assert page.locator("#pair .scatterlayer .point").count() == 0

        page.locator("#column").click()
        page.get_by_role("option", name="education", exact=True).click()
        page.wait_for_function(
            "document.querySelector('#distribution .gtitle').textContent === "
            "'education: distribution'",
            timeout=90_000,
        )
        assert page.locator("#column-score").inner_text().startswith("education: TV complement")
        bars = page.locator("#distribution .trace.bars")
        assert bars.count() == 2  # real and synthetic

        live.update_synthetic(adult_df.head(700))
        page.wait_for_function(
            "document.querySelector('#row-counts').textContent.includes('700 synthetic rows')",
            timeout=90_000,
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
    live = InteractiveDashboard(adult_df.head(100), adult_df.head(100))
    with pytest.raises(InvalidDataError, match="lacks"):
        live.update_synthetic(pd.DataFrame({"age": [1, 2]}))
    with pytest.raises(InvalidDataError, match="synthetic_data must be a pandas DataFrame"):
        live.update_synthetic([[1, 2]])
    with pytest.raises(InvalidDataError, match="synthetic_data has 0 rows"):
        live.update_synthetic(adult_df.head(0))


def test_the_refresh_timer_never_shares_a_callback_with_the_figures(adult_df):
    # Dash keeps one request per callback: a timer tick answered "no change" while a redraw
    # of the same callback is in flight replaces that redraw (a picked column never showed on
    # a loaded machine), so the timer may only move the version store.
    live = InteractiveDashboard(adult_df.head(200), adult_df.tail(200).reset_index(drop=True))
    for spec in live.app.callback_map.values():
        inputs = {i["id"] for i in spec["inputs"]}
        if "refresh" in inputs:
            assert str(spec["output"]) == "version.data"
