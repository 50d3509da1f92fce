"""HTML to PDF through headless Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from genesis.errors import DataWriteError, MissingDependencyError, missing_dependency

#: environment variable naming the Chromium binary to use instead of ``/usr/bin/chromium``
CHROMIUM_ENV_VAR = "GENESIS_CHROMIUM"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: how long a page may take to load and draw its figures, in milliseconds
RENDER_TIMEOUT_MS = 60_000


def chromium_path() -> str:
    """The Chromium binary to drive; :class:`MissingDependencyError` when there is none."""
    path = os.environ.get(CHROMIUM_ENV_VAR) or DEFAULT_CHROMIUM
    if not (Path(path).is_file() and os.access(path, os.X_OK)):
        found = shutil.which("chromium") or shutil.which("chromium-browser")
        if found and not os.environ.get(CHROMIUM_ENV_VAR):
            return found
        raise MissingDependencyError(
            f"PDF export needs headless Chromium, and {path!r} is not an executable; install it "
            "with 'sudo apt-get install -y chromium' (Debian/Ubuntu) or set "
            f"{CHROMIUM_ENV_VAR} to a Chromium binary"
        )
    return path


def launch_chromium(playwright):
    """Launch the system Chromium headless with the flags that keep it off the network."""
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)


def html_to_pdf(page_html: str, path: str | os.PathLike[str]) -> str:
    """Render ``page_html`` (figures drawn) to a PDF at ``path``, atomically; returns the path.

    Inside a running asyncio loop (a notebook, an async server), Playwright's synchronous API
    refuses to start, so the rendering then runs in a worker thread.
    """
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _html_to_pdf(page_html, path)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_html_to_pdf, page_html, path).result()


def _html_to_pdf(page_html: str, path: str | os.PathLike[str]) -> str:
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise missing_dependency(
            "playwright", "PDF export (it drives the system Chromium)"
        ) from None
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataWriteError(f"cannot create the folder of {str(target)!r}: {exc}") from None
    with tempfile.TemporaryDirectory(prefix="genesis-pdf-") as tmp:
        source = Path(tmp) / "report.html"
        source.write_text(page_html, encoding="utf-8")
        rendered = Path(tmp) / "report.pdf"
        chromium = chromium_path()
        try:
            with sync_playwright() as playwright:
                _render(playwright, source, rendered)
        except PlaywrightError as exc:
            message = " ".join(str(exc).split())[:300]
            raise DataWriteError(
                f"headless Chromium ({chromium}) could not render the PDF: {message}; check that "
                "it starts ('chromium --headless --no-sandbox --version') or set "
                f"{CHROMIUM_ENV_VAR} to a working Chromium"
            ) from None
        try:
            fd, partial = tempfile.mkstemp(
                dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
            )
            os.close(fd)
            shutil.copyfile(rendered, partial)
            os.chmod(partial, 0o644)  # mkstemp creates 0600; a report is meant to be read
            os.replace(partial, target)
        except OSError as exc:
            raise DataWriteError(f"cannot write the PDF to {str(target)!r}: {exc}") from None
    return str(target)


def _render(playwright, source: Path, rendered: Path) -> None:
    browser = launch_chromium(playwright)
    try:
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto(source.as_uri(), wait_until="load", timeout=RENDER_TIMEOUT_MS)
        # every figure div gets .js-plotly-plot once Plotly has drawn it
        page.wait_for_function(
            "document.querySelectorAll('.plotly-graph-div').length === "
            "document.querySelectorAll('.js-plotly-plot').length",
            timeout=RENDER_TIMEOUT_MS,
        )
        page.emulate_media(media="print")
        # print styles change the containers' widths: wait until every figure has followed
        page.wait_for_function(
            "[...document.querySelectorAll('.js-plotly-plot')].every(d => !d._fullLayout || "
            "Math.abs(d._fullLayout.width - d.clientWidth) <= 1)",
            timeout=RENDER_TIMEOUT_MS,
        )
        page.pdf(path=str(rendered), format="A4", print_background=True, landscape=True)
    finally:
        browser.close()
