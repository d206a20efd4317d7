"""Fixtures of the end-to-end tests: headless Chromium, and the API references built as ``make docs`` builds them.

The browser is Debian's ``chromium`` driven by ``chromium-driver`` through Selenium. No browser is downloaded:
both paths are explicit, so Selenium Manager stays idle. ``make pytest`` installs the two Debian packages when
they are missing; where it cannot, the ``browser`` fixture skips, saying why.

A test module tunes its browser with module attributes: ``CHROMIUM_ARGUMENTS`` (extra command-line switches),
``CHROMIUM_PERFORMANCE_LOG = True`` (record the DevTools network events, read with
``browser.get_log("performance")``) and ``CHROMIUM_CONSOLE_LOG = True`` (the pages' console messages and errors,
a blocked resource's among them, read with ``browser.get_log("browser")``).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from reference_build import build_reference
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

_ARGUMENTS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


@pytest.fixture(scope="module")
def browser(request: pytest.FixtureRequest) -> Iterator[Any]:
    """One headless Chromium per test module, with a throw-away profile."""
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.skip(
            f"{CHROMIUM} or {CHROMEDRIVER} is missing and could not be installed "
            "(make pytest installs the Debian packages chromium and chromium-driver when apt-get is available)"
        )
    extra: tuple[str, ...] = tuple(getattr(request.module, "CHROMIUM_ARGUMENTS", ()))
    with tempfile.TemporaryDirectory(prefix="cpay-chromium-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for argument in (*_ARGUMENTS, "--window-size=900,800", *extra, f"--user-data-dir={profile}"):
            options.add_argument(argument)
        logs = {
            log: "ALL"
            for log, attribute in (("performance", "CHROMIUM_PERFORMANCE_LOG"), ("browser", "CHROMIUM_CONSOLE_LOG"))
            if getattr(request.module, attribute, False)
        }
        if logs:
            options.set_capability("goog:loggingPrefs", logs)
        driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
        try:
            driver.set_page_load_timeout(20)
            yield driver
        finally:
            driver.quit()


@pytest.fixture(scope="session")
def built_reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The directory ``make docs`` writes (both references and the docs site in ``site/``), built once per session
    into a temporary folder."""
    return build_reference(tmp_path_factory.mktemp("reference"))
