"""The API references in headless Chromium: every operation of each spec is on its page, and nothing is remote.

``make docs`` builds the pages once per session (the ``built_reference`` fixture, into a temporary folder);
``cpay-emulator serve --docs`` serves them. Redoc renders one section at a time behind hash routes
(``#/<tag>/<operationid>``), so ``rendered_operations`` walks the page as a reader would: it opens every
sidebar group, then every operation in it, and keeps the text of each operation section that rendered. The
checks compare that with the operations read from the spec, so a page built from a spec with an operation
removed is reported as missing it (``test_a_reference_built_without_an_operation_is_reported_incomplete``).

Chromium resolves no host but 127.0.0.1 here (``--host-resolver-rules``), so each page is shown to render with
no other host reachable, and its DevTools network log shows that no request left for another host. Screenshots
go to ``reports/screenshots/`` for a person to look at.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import attrs
import pytest
import yaml
from emulator_process import EmulatorProcess
from reference_build import REPO, build_reference
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from cpay_emulator.shared.refs import References

pytestmark = pytest.mark.browser

# Read by the ``browser`` fixture (conftest.py): every host but the emulator's is unresolvable, and the DevTools
# network events are recorded.
CHROMIUM_ARGUMENTS = ("--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", "--window-size=1400,1000")
CHROMIUM_PERFORMANCE_LOG = True

CONTROL_SPEC = REPO / "emulator" / "cpay_emulator" / "server" / "control-openapi.yaml"
SCREENSHOTS = REPO / "reports" / "screenshots"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
WAIT_SECONDS = 15
_SIMPLE_VALUE = re.compile(r"^[A-Za-z0-9._-]+$")  # written the same by every URL encoder


@attrs.frozen
class Operation:
    """An operation (or webhook) of a spec, and what its section of the reference must show."""

    operation_id: str
    method: str
    target: str  # the path, or the webhook's name
    examples: tuple[str, ...]  # the request example's values as the page writes them (``name=value`` in a form)


def load(path: Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as stream:
        document: dict[str, Any] = yaml.safe_load(stream)
    return document


def request_examples(spec: dict[str, Any], operation: dict[str, Any]) -> tuple[str, ...]:
    """The first request example of an operation: its query parameters' and its body's simple values."""
    shown: list[str] = []
    references = References(spec)
    for parameter in map(references.resolve, operation.get("parameters", [])):
        if "example" in parameter:
            shown.append(f"{parameter['name']}={parameter['example']}")
    for media_type, content in operation.get("requestBody", {}).get("content", {}).items():
        examples = [example["value"] for example in content.get("examples", {}).values()]
        if not examples:
            continue
        form = media_type == "application/x-www-form-urlencoded"
        for name, value in examples[0].items():
            simple = isinstance(value, (str, int)) and _SIMPLE_VALUE.match(str(value))
            if form:  # a value with other characters is encoded, and encoders differ: its name= at least
                shown.append(f"{name}={value}" if simple else f"{name}=")
            elif simple:
                shown.append(str(value))
        break  # the page shows the first media type's sample
    return tuple(shown)


def spec_operations(spec: dict[str, Any]) -> list[Operation]:
    """Every operation of ``paths`` and ``webhooks`` that has an operationId."""
    found = []
    for section in ("paths", "webhooks"):
        for target, item in spec.get(section, {}).items():
            for method in HTTP_METHODS:
                operation = item.get(method)
                if operation and "operationId" in operation:
                    examples = request_examples(spec, operation)
                    found.append(Operation(operation["operationId"], method.upper(), target, examples))
    return found


def wait_for(browser: Any, css: str) -> Any:
    return WebDriverWait(browser, WAIT_SECONDS, poll_frequency=0.05, ignored_exceptions=(WebDriverException,)).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, css))
    )


def section_ids(browser: Any) -> list[str]:
    ids: list[str] = browser.execute_script(
        "return Array.from(document.querySelectorAll('[data-section-id]'), e => e.getAttribute('data-section-id'))"
    )
    return ids


# Opens a route of the page as a reader's click would (by its hash, no reload) and waits, polling in the page, for
# an element: its text, or null when it does not appear in time.
_OPEN_ROUTE = """
const [route, selector, timeout, done] = arguments;
const started = performance.now();
window.location.hash = route;
(function poll() {
  const element = document.querySelector(selector);
  if (element) return done(element.textContent);
  if (performance.now() - started > timeout) return done(null);
  setTimeout(poll, 10);
})();
"""


def open_route(browser: Any, route: str, selector: str) -> str | None:
    text: str | None = browser.execute_async_script(_OPEN_ROUTE, route, selector, WAIT_SECONDS * 1000)
    return text


def rendered_operations(browser: Any, page_url: str) -> dict[str, str]:
    """Open the Redoc page at ``page_url`` and return ``{section id: text}`` for every operation section it renders.

    Section ids are Redoc's routes: ``/<group>`` for a sidebar group (a tag), ``/<group>/<operation>`` for an
    operation, whose last part is its operationId in lower case (untagged operations are listed at once, under
    ``/other/``), ``/section/<heading>`` for a heading of the description. A section renders when its route is
    opened; a group's operations are listed when the group is.
    """
    browser.get(page_url)
    wait_for(browser, "[data-section-id]")
    listed = section_ids(browser)
    groups = [section for section in dict.fromkeys(listed) if re.fullmatch(r"/[^/]+", section)]
    operations = [section for section in listed if re.fullmatch(r"/[^/]+/[^/]+", section)]
    for group in groups:
        if open_route(browser, group, f'[data-section-id^="{group}/"]') is not None:
            operations.extend(s for s in section_ids(browser) if re.fullmatch(re.escape(group) + r"/[^/]+", s))
    texts = {}
    for section in dict.fromkeys(operations):
        if not section.startswith("/section/"):
            text = open_route(browser, section, f'[data-section-id="{section}"][data-item-kind="httpItem"]')
            if text is not None:  # None: listed, but its section never rendered
                texts[section] = text
    return texts


def missing_operations(operations: list[Operation], rendered: dict[str, str]) -> list[str]:
    """The operationIds that have no rendered section (Redoc's section ids carry them in lower case)."""
    shown = {section.rsplit("/", 1)[-1] for section in rendered}
    return [operation.operation_id for operation in operations if operation.operation_id.lower() not in shown]


def section_of(operation: Operation, rendered: dict[str, str]) -> str:
    matches = [text for section, text in rendered.items() if section.endswith(f"/{operation.operation_id.lower()}")]
    assert len(matches) == 1, f"{operation.operation_id}: {len(matches)} sections"
    return matches[0]


def requests_to_other_hosts(performance_log: list[dict[str, Any]], origin: str) -> list[str]:
    """URLs the browser sent a request for to a host other than ``origin``'s.

    A request the page's Content-Security-Policy blocked never leaves the browser (``loadingFailed`` with
    ``blockedReason: csp``) and is not counted; ``data:`` and ``blob:`` URLs are not network requests.
    """
    host = urlsplit(origin).netloc
    sent: dict[str, str] = {}
    blocked: set[str] = set()
    for entry in performance_log:
        message = json.loads(entry["message"])["message"]
        parameters = message.get("params", {})
        if message["method"] == "Network.requestWillBeSent":
            url = parameters["request"]["url"]
            if urlsplit(url).scheme in ("http", "https", "ws", "wss") and urlsplit(url).netloc != host:
                sent[parameters["requestId"]] = url
        elif message["method"] == "Network.loadingFailed" and parameters.get("blockedReason") == "csp":
            blocked.add(parameters["requestId"])
    return [url for request_id, url in sent.items() if request_id not in blocked]


def plain(markdown: str) -> str:
    """Markdown's first sentence as a browser shows it: no code marks or emphasis, single spaces."""
    text = " ".join(re.sub(r"[`*_]", "", markdown).split())
    return text.split(". ")[0]


def screenshot(browser: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / name))


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return load(REPO / "openapi.yaml")


@pytest.fixture(scope="module")
def emulator_url(built_reference: Path) -> Iterator[str]:
    """``cpay-emulator serve --docs`` on the reference ``make docs`` builds."""
    with EmulatorProcess("--db", ":memory:", "--quiet", "--docs", str(built_reference)) as emulator:
        yield emulator.base_url


@pytest.fixture(scope="module")
def api_reference(browser: Any, emulator_url: str) -> dict[str, str]:
    return rendered_operations(browser, f"{emulator_url}/docs")


def test_every_operation_of_the_spec_is_on_the_api_reference(
    browser: Any, spec: dict[str, Any], api_reference: dict[str, str], emulator_url: str
) -> None:
    operations = spec_operations(spec)
    assert len(operations) == 13  # twelve operations and the webhook
    assert missing_operations(operations, api_reference) == []
    for operation in operations:
        text = section_of(operation, api_reference)
        assert operation.method in text
        assert operation.target in text
        for example in operation.examples:
            assert example in text, f"{operation.operation_id}: request example {example!r} not shown"
        if operation.target.startswith("/"):
            assert "traceid" in text  # the response envelope {code, msg, data, traceid}
    browser.get(f"{emulator_url}/docs/#/crypto-pay-in/createorder")
    wait_for(browser, '[data-section-id="/crypto-pay-in/createorder"][data-item-kind="httpItem"]')
    screenshot(browser, "api-reference.png")


def test_every_operation_of_the_control_api_is_on_its_reference(browser: Any, emulator_url: str) -> None:
    operations = spec_operations(load(CONTROL_SPEC))
    rendered = rendered_operations(browser, f"{emulator_url}/_emulator/docs")
    assert len(operations) == 31  # issue 11: clock, faults, resend, release; 18: the IP allowlist; 21: webhook settings
    assert missing_operations(operations, rendered) == []
    for operation in operations:
        text = section_of(operation, rendered)
        assert operation.target in text
    browser.get(f"{emulator_url}/_emulator/docs/#/other/payorder")
    wait_for(browser, '[data-section-id="/other/payorder"][data-item-kind="httpItem"]')
    screenshot(browser, "control-reference.png")


def test_the_reference_explains_the_signature_and_links_the_spec_notes(
    browser: Any, spec: dict[str, Any], emulator_url: str
) -> None:
    browser.get(f"{emulator_url}/docs/#/payouts/withdraw")
    wait_for(browser, '[data-section-id="/payouts/withdraw"][data-item-kind="httpItem"]')
    browser.find_element(By.XPATH, "//button[normalize-space()='View security details']").click()
    schemes = spec["components"]["securitySchemes"]
    expected = [name for name in schemes] + [plain(scheme["description"]) for scheme in schemes.values()]

    def shown(browser: Any) -> list[str]:
        text = " ".join(browser.find_element(By.TAG_NAME, "body").text.split())
        return [part for part in expected if part not in text]

    try:
        WebDriverWait(browser, WAIT_SECONDS, poll_frequency=0.05).until(lambda browser: not shown(browser))
    except TimeoutException:
        pytest.fail(f"the security details do not show: {shown(browser)}")
    screenshot(browser, "api-reference-signature.png")

    browser.get(f"{emulator_url}/docs")
    link = wait_for(browser, f'a[href="{spec["externalDocs"]["url"]}"]')
    notes_url = link.get_property("href")
    assert notes_url == f"{emulator_url}/docs/docs/spec-notes.md"
    browser.get(notes_url)
    assert browser.find_element(By.TAG_NAME, "body").text.startswith("# Spec notes")


def test_the_references_load_nothing_from_another_host(browser: Any, emulator_url: str) -> None:
    browser.get_log("performance")  # the log so far was read by no one: start this test's own
    browser.get(f"{emulator_url}/docs")
    wait_for(browser, "[data-section-id]")
    browser.get(f"{emulator_url}/docs/#/orders/orderstatuschanged")
    wait_for(browser, '[data-section-id="/orders/orderstatuschanged"][data-item-kind="httpItem"]')
    browser.get(f"{emulator_url}/_emulator/docs")
    wait_for(browser, "[data-section-id]")
    log = browser.get_log("performance")
    assert any(f"{emulator_url}/_emulator/docs/" in entry["message"] for entry in log)  # the log records requests
    assert requests_to_other_hosts(log, emulator_url) == []


def test_a_reference_built_without_an_operation_is_reported_incomplete(
    browser: Any, spec: dict[str, Any], tmp_path: Path
) -> None:
    trimmed = load(REPO / "openapi.yaml")
    del trimmed["paths"]["/openapi/v1/withdraw"]
    trimmed_spec = tmp_path / "openapi.yaml"
    trimmed_spec.write_text(yaml.safe_dump(trimmed, sort_keys=False), encoding="utf-8")
    directory = build_reference(tmp_path / "reference", "--spec", str(trimmed_spec), "--without-site")
    with EmulatorProcess("--db", ":memory:", "--quiet", "--docs", str(directory)) as emulator:
        rendered = rendered_operations(browser, f"{emulator.base_url}/docs")
    assert missing_operations(spec_operations(spec), rendered) == ["withdraw"]


def test_a_request_that_left_for_another_host_is_reported() -> None:
    def event(method: str, **parameters: Any) -> dict[str, Any]:
        return {"message": json.dumps({"message": {"method": method, "params": parameters}})}

    log = [
        event("Network.requestWillBeSent", requestId="1", request={"url": "http://127.0.0.1:5000/docs/"}),
        event("Network.requestWillBeSent", requestId="2", request={"url": "https://cdn.redoc.ly/logo.svg"}),
        event("Network.loadingFailed", requestId="2", blockedReason="csp"),
        event("Network.requestWillBeSent", requestId="3", request={"url": "https://fonts.googleapis.com/css"}),
        event("Network.loadingFailed", requestId="3", errorText="net::ERR_NAME_NOT_RESOLVED"),
        event("Network.requestWillBeSent", requestId="4", request={"url": "data:image/png;base64,AAAA"}),
        event("Network.requestWillBeSent", requestId="5", request={"url": "http://127.0.0.1:6000/other-port"}),
    ]
    assert requests_to_other_hosts(log, "http://127.0.0.1:5000") == [
        "https://fonts.googleapis.com/css",
        "http://127.0.0.1:6000/other-port",
    ]


def test_the_browser_reaches_no_host_but_this_machine(browser: Any) -> None:
    """The rule the other tests run under: a page that needed another host could not render in this browser."""
    try:
        browser.get("https://cdn.redoc.ly/redoc/logo-mini.svg")
    except WebDriverException as error:  # some ChromeDriver versions raise on a navigation that fails
        page = str(error)
    else:
        page = browser.page_source
    assert "ERR_NAME_NOT_RESOLVED" in page
