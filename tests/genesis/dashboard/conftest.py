"""Tables the dashboard tests share: real Adult rows, CART rows learned from them, a holdout,
and a privacy audit and a drift report of them."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def tables(adult_df):
    """1,500 real Adult rows, 1,000 CART rows learned from them, 500 holdout rows."""
    from genesis.generators import SyntheticGenerator

    sample = adult_df.sample(n=2_000, random_state=0).reset_index(drop=True)
    real, holdout = sample.iloc[:1_500].reset_index(drop=True), sample.iloc[1_500:]
    synthetic = SyntheticGenerator("cart", seed=0).fit(real).generate(1_000)
    return real, synthetic, holdout.reset_index(drop=True)


@pytest.fixture(scope="session")
def privacy_report(tables):
    """The privacy audit of the CART rows (a real run of the attacks), as a dict."""
    from genesis.privacy_attacks import PrivacyAttackTester

    real, synthetic, holdout = tables
    tester = PrivacyAttackTester(
        sensitive_columns=["income"], quasi_identifiers=["age", "sex", "race"]
    )
    return tester.run_all_attacks(real, synthetic, holdout).to_dict()


@pytest.fixture(scope="session")
def drift_report(tables, adult_df):
    """The drift stage's two comparisons, as the Dagster chain stores them."""
    from genesis.drift import DriftDetector
    from genesis.schema import infer_schema

    real, synthetic, holdout = tables
    detector = DriftDetector(schema=infer_schema(adult_df))
    return {
        "source_vs_baseline": detector.detect(
            real, holdout.assign(age=holdout["age"] + 6)
        ).to_dict(),
        "synthetic_vs_real": detector.detect(real, synthetic).to_dict(),
    }


@pytest.fixture(scope="package")
def browser():
    """Headless Chromium driven by Playwright. Without either, the test fails and says how to
    install it: the browser checks are required, never silently skipped.

    Package-scoped: Playwright's sync API keeps an asyncio loop running in the main thread
    while it is open, which would break every later test that calls ``asyncio.run``."""
    import importlib.util

    from genesis.dashboard._pdf import chromium_path, launch_chromium
    from genesis.errors import MissingDependencyError

    if importlib.util.find_spec("playwright") is None:
        pytest.fail("the browser tests need Playwright; run: pip install playwright")
    try:
        chromium_path()
    except MissingDependencyError as exc:
        pytest.fail(f"the browser tests need headless Chromium: {exc}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def giveaway_tables(adult_df):
    """1,500 real Adult rows, 1,500 other real rows as a faithful "synthetic" table, and the
    same rows with ``age`` shifted by 15 years: the one column that gives the table away."""
    sample = adult_df.sample(n=3_000, random_state=5).reset_index(drop=True)
    real, faithful = sample.iloc[:1_500].reset_index(drop=True), sample.iloc[1_500:]
    faithful = faithful.reset_index(drop=True)
    return real, faithful, faithful.assign(age=faithful["age"] + 15)


@pytest.fixture(scope="session")
def giveaway_boards(giveaway_tables):
    """Dashboards of the faithful and of the broken table (no ML utility, no privacy)."""
    from genesis.dashboard import QualityDashboard

    real, faithful, broken = giveaway_tables
    options = {"include_ml_utility": False, "include_privacy": False}
    return (
        QualityDashboard(real, faithful, name="Faithful", **options),
        QualityDashboard(real, broken, name="Broken age", **options),
    )
