"""The docs site in headless Chromium, served by ``cpay-emulator serve --docs``: every page renders, the Python
reference shows every public name and operation, search finds ``recover_lost_writes``, nothing is remote.

The site is the one ``make docs`` builds (``built_reference``, once per session). As in ``test_docs_browser.py``,
Chromium resolves no host but 127.0.0.1, and its DevTools network log shows that no request left for another
host; its console log would show a resource the page's policy blocked, or a script error. Screenshots go to
``reports/docs/screenshots/`` for a person to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest
from emulator_process import EmulatorProcess
from reference_build import REPO
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from .site_pages import client_names, page_paths, runtime_names
from .test_docs_browser import requests_to_other_hosts

pytestmark = pytest.mark.browser

CHROMIUM_ARGUMENTS = ("--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", "--window-size=1400,1000")
CHROMIUM_PERFORMANCE_LOG = True
CHROMIUM_CONSOLE_LOG = True

SCREENSHOTS = REPO / "reports" / "docs" / "screenshots"
REFERENCE_PAGES = ("reference/runtime.html", "reference/emulator.html", "reference/client.html")
CLIENT_PAGES = ("reference/client.html", "reference/operations.html", "reference/models.html")
WAIT_SECONDS = 15


def wait_for(browser: Any, css: str) -> Any:
    return WebDriverWait(browser, WAIT_SECONDS, poll_frequency=0.05, ignored_exceptions=(WebDriverException,)).until(
        expected_conditions.visibility_of_element_located((By.CSS_SELECTOR, css))
    )


def screenshot(browser: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / name))


def console_errors(browser: Any) -> list[str]:
    """The console's errors since it was last read: a script that failed, a resource the policy refused."""
    return [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


@attrs.frozen
class RenderedPage:
    """What a page showed once loaded: its title and first heading, whether Material's script ran (it marks the
    document ``js`` and draws the navigation), the console's errors, and the ids of mkdocstrings' headings (each
    documented object's full dotted name)."""

    title: str
    heading: str
    scripted: bool
    navigation_links: int
    errors: list[str]
    object_ids: frozenset[str]


_READ_PAGE = """
return [
  document.title,
  document.querySelector('article.md-content__inner h1')?.textContent ?? '',
  document.documentElement.classList.contains('js'),
  document.querySelectorAll('nav.md-nav--primary a.md-nav__link').length,
  Array.from(document.querySelectorAll('.doc-heading[id]'), e => e.id),
];
"""


def render(browser: Any, url: str) -> RenderedPage:
    browser.get(url)
    wait_for(browser, "article.md-content__inner h1")
    title, heading, scripted, links, ids = browser.execute_script(_READ_PAGE)
    return RenderedPage(title, heading.strip(), scripted, links, console_errors(browser), frozenset(ids))


@pytest.fixture(scope="module")
def site_url(built_reference: Path) -> Iterator[str]:
    """``cpay-emulator serve --docs`` on what ``make docs`` builds; the site is at ``/docs/site/``."""
    with EmulatorProcess("--db", ":memory:", "--quiet", "--docs", str(built_reference)) as emulator:
        yield f"{emulator.base_url}/docs/site/"


@attrs.frozen
class Sweep:
    """Every page of the site as it rendered, and the DevTools network log of the whole walk."""

    pages: dict[str, RenderedPage]
    network_log: list[dict[str, Any]]


SCREENSHOT_PAGES = ("index.html", "retries.html", "testing.html", "reference/runtime.html", "reference/operations.html")


@pytest.fixture(scope="module")
def sweep(browser: Any, site_url: str) -> Sweep:
    """Open every page of the site once, as a reader would: the pages are heavy (the reference's largest is some
    700 KB, and each page starts the search worker), so one walk serves every check of this module."""
    console_errors(browser)  # start the console log here
    browser.get_log("performance")  # and the network log
    pages = {}
    for page in page_paths():
        pages[page] = render(browser, site_url + page)
        if page in SCREENSHOT_PAGES:
            screenshot(browser, f"site-{page.removesuffix('.html').replace('/', '-')}.png")
    return Sweep(pages, browser.get_log("performance"))


def test_every_page_of_the_site_renders(sweep: Sweep) -> None:
    assert len(sweep.pages) >= 20
    for page, shown in sweep.pages.items():
        assert shown.heading, page
        assert shown.title.endswith("cpay-openapi"), page
        assert shown.scripted, page
        assert shown.navigation_links >= 20, page
        assert shown.errors == [], page


def test_the_http_references_are_linked_from_the_site(browser: Any, site_url: str, sweep: Sweep) -> None:
    """The home page's links reach the two Redoc pages beside the site (test_docs_browser.py renders those)."""
    browser.get(site_url + "index.html")
    for href, title in (("../index.html", "<title>C-Pay API</title>"), ("../control/index.html", "control API")):
        link = wait_for(browser, f'article a[href="{href}"]')
        page = httpx.get(link.get_property("href"), timeout=10)
        assert page.status_code == 200, href
        assert title in page.text, href


def test_the_python_reference_shows_every_public_name_of_the_runtime(sweep: Sweep) -> None:
    shown = frozenset().union(*(sweep.pages[page].object_ids for page in REFERENCE_PAGES))
    assert [name for name in runtime_names() if name not in shown] == []


def test_the_python_reference_shows_every_operation_model_and_enum_of_the_client(sweep: Sweep) -> None:
    shown = frozenset().union(*(sweep.pages[page].object_ids for page in CLIENT_PAGES))
    assert [name for name in client_names() if name not in shown] == []


def test_search_finds_recover_lost_writes(browser: Any, site_url: str, sweep: Sweep) -> None:
    console_errors(browser)  # what earlier tests left there is not this test's
    browser.get_log("performance")
    browser.get(site_url + "index.html")
    field = wait_for(browser, "input.md-search__input")  # in the header, at this window's width
    field.click()
    field.send_keys("recover_lost_writes")
    try:
        WebDriverWait(browser, WAIT_SECONDS, poll_frequency=0.1).until(
            lambda browser: browser.find_elements(By.CSS_SELECTOR, ".md-search-result__item a[href*='retries.html']")
        )
    except TimeoutException:
        meta = browser.find_element(By.CSS_SELECTOR, ".md-search-result__meta").text
        pytest.fail(f"search found no page on retries for recover_lost_writes: {meta!r}")
    screenshot(browser, "site-search.png")
    assert console_errors(browser) == []
    assert requests_to_other_hosts(browser.get_log("performance"), site_url) == []


def test_the_site_loads_nothing_from_another_host(sweep: Sweep, site_url: str) -> None:
    log = sweep.network_log
    assert any("/docs/site/assets/javascripts/bundle." in entry["message"] for entry in log)  # the log records
    assert any("/docs/site/search/search_index.json" in entry["message"] for entry in log)  # the search worker's
    assert requests_to_other_hosts(log, site_url) == []
