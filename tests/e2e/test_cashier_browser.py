"""The cashier page in headless Chromium: a person opens ``cashierURL``, sees the order and pays or fails it.

``cpay-emulator serve`` runs as a real process on a free 127.0.0.1 port with a SQLite file. Orders are created
with a signed ``createOrder``; the browser (headless Chromium, the ``browser`` fixture of ``conftest.py``) clicks
the page's buttons; ``getOrderDetail`` then shows the outcome.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from emulator_process import EmulatorProcess
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from cpay import CPayAuth, SecretKey

pytestmark = pytest.mark.browser

MERCHANT_ID = "20004242"
SECRET_KEY = SecretKey("cashier-browser-secret")
SCREENSHOT_DIR_ENV = "CPAY_CASHIER_SCREENSHOTS"  # keep the screenshots there (default: pytest's tmp_path)


@pytest.fixture(scope="module")
def emulator_url() -> Iterator[str]:
    """``cpay-emulator serve`` on a free port with a database file."""
    with tempfile.TemporaryDirectory(prefix="cpay-cashier-") as directory:
        merchant = f"{MERCHANT_ID}:{SECRET_KEY.reveal()}"
        with EmulatorProcess(
            "--db", str(Path(directory) / "cashier.db"), "--merchant", merchant, "--quiet"
        ) as emulator:
            yield emulator.base_url


@pytest.fixture(scope="module")
def api(emulator_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emulator_url, auth=CPayAuth(MERCHANT_ID, SECRET_KEY), timeout=10) as client:
        yield client


def create_order(api: httpx.Client, merchant_trade_no: str, amount: str) -> dict[str, Any]:
    fields = {
        "merchantTradeNo": merchant_trade_no,
        "createTime": str(int(time.time() * 1000)),
        "userId": "browser-customer",
        "amount": amount,
        "cryptoCurrency": "USDT",
    }
    body = api.post("/openapi/v1/createOrder", data=fields).json()
    assert body["code"] == 0, body
    data: dict[str, Any] = body["data"]
    return data


def order_status(api: httpx.Client, merchant_trade_no: str) -> str:
    body = api.get("/openapi/v1/getOrderDetail", params={"merchantTradeNo": merchant_trade_no}).json()
    assert body["code"] == 0, body
    status: str = body["data"]["status"]
    return status


def screenshot_dir(tmp_path: Path) -> Path:
    chosen = os.environ.get(SCREENSHOT_DIR_ENV)
    directory = Path(chosen) if chosen else tmp_path
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def open_cashier(browser: Any, cashier_url: str) -> None:
    browser.get(cashier_url)
    WebDriverWait(browser, 10).until(expected_conditions.element_to_be_clickable((By.ID, "pay")))


def click_and_wait_for_status(browser: Any, button_id: str, status: str) -> None:
    """Click a button of the page, wait for the form post to load the next page, then for its ``status``.

    Reading ``#status`` while the old page is being replaced can fail in ChromeDriver with "Node with given id
    does not belong to the document" (an ``unknown error``, not a ``StaleElementReferenceException``, so
    Selenium's waits do not retry it): wait for the old page to go first, retrying any driver error meanwhile.
    """
    old_page = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.ID, button_id).click()
    WebDriverWait(browser, 10, ignored_exceptions=(WebDriverException,)).until(
        expected_conditions.staleness_of(old_page)
    )
    WebDriverWait(browser, 10, ignored_exceptions=(WebDriverException,)).until(
        expected_conditions.text_to_be_present_in_element((By.ID, "status"), status)
    )


def test_customer_pays_the_order_on_the_cashier_page(
    browser: Any, api: httpx.Client, emulator_url: str, tmp_path: Path
) -> None:
    order = create_order(api, "browser-pay-<1>", "10.5")
    assert order["cashierURL"].startswith(f"{emulator_url}/cashier/payment?")
    open_cashier(browser, order["cashierURL"])

    assert browser.find_element(By.ID, "merchant-trade-no").text == "browser-pay-<1>"
    assert browser.find_element(By.ID, "amount").text == "10.5"
    assert browser.find_element(By.ID, "currency").text == "USDT"
    assert browser.find_element(By.ID, "order-id").text == order["orderId"]
    assert browser.find_element(By.ID, "status").text == "PENDING"
    assert re.fullmatch(r"(59|60) min \d\d s|1 h 0 min 00 s", browser.find_element(By.ID, "time-left").text)
    qr = browser.find_element(By.CSS_SELECTOR, "#deposit-qr svg")  # drawn, with no script and nothing fetched
    assert qr.size["width"] > 100
    assert browser.find_element(By.ID, "deposit-address").text.startswith("T")
    browser.save_screenshot(str(screenshot_dir(tmp_path) / "cashier-pending.png"))

    click_and_wait_for_status(browser, "pay", "COMPLETED")
    browser.save_screenshot(str(screenshot_dir(tmp_path) / "cashier-paid.png"))
    assert order_status(api, "browser-pay-<1>") == "14"


def test_customer_fails_the_order_on_the_cashier_page(browser: Any, api: httpx.Client) -> None:
    order = create_order(api, "browser-fail-1", "3")
    open_cashier(browser, order["cashierURL"])

    click_and_wait_for_status(browser, "fail", "CLOSED")
    assert order_status(api, "browser-fail-1") == "15"


def test_a_guessed_order_id_opens_no_payment(browser: Any, api: httpx.Client, emulator_url: str) -> None:
    order = create_order(api, "browser-guess-1", "7")
    order_id = parse_qs(urlsplit(order["cashierURL"]).query)["orderId"][0]
    browser.get(f"{emulator_url}/cashier/payment?orderId={order_id}&sign={'0' * 64}")

    assert browser.find_elements(By.ID, "pay") == []
    assert "not valid" in browser.find_element(By.TAG_NAME, "body").text
    forged = httpx.post(f"{emulator_url}/cashier/payment/pay", data={"orderId": order_id, "sign": "0" * 64})
    assert forged.status_code == 404
    assert order_status(api, "browser-guess-1") == "0"


def test_the_page_escapes_what_the_merchant_sent(browser: Any, api: httpx.Client) -> None:
    order = create_order(api, "<script>document.title='owned'</script>", "1")
    open_cashier(browser, order["cashierURL"])

    assert browser.find_element(By.ID, "merchant-trade-no").text == "<script>document.title='owned'</script>"
    assert browser.title != "owned"
    headers = httpx.get(order["cashierURL"]).headers
    assert "default-src 'none'" in headers["content-security-policy"]  # no script runs even if escaping slipped
    assert headers["referrer-policy"] == "no-referrer"  # the link's sign does not reach successURL's server
