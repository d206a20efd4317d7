"""The emulator's HTTP server over a real socket (issue 19): request heads are bounded, and a control request
whose client hangs up mid-body is dropped quietly, with nothing done.

The server is the pytest plugin's (``CPayEmulator(serve_socket=True)``), built by ``shared.http_server.server_config``
as ``cpay-emulator serve`` builds its own.
"""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from cpay_emulator import ErrorCode
from cpay_emulator.shared.http_server import MAX_HEAD_BYTES, CorkedHttpToolsProtocol, server_config
from cpay_emulator.testing import CPayEmulator

SOCKET_SECONDS = 10.0
REFUSED = {
    "code": ErrorCode.MALFORMED_REQUEST,
    "msg": f"the request line and headers are larger than {MAX_HEAD_BYTES >> 10} KiB",
    "data": None,
}


@pytest.fixture(scope="module")
def emulator() -> Iterator[CPayEmulator]:
    with CPayEmulator(serve_socket=True) as served:
        yield served


def address(emulator: CPayEmulator) -> tuple[str, int]:
    host, port = emulator.base_url.removeprefix("http://").split(":")
    return host, int(port)


def exchange(emulator: CPayEmulator, request: bytes, answers: int = 1) -> bytes:
    """Send raw bytes on a new connection; read until ``answers`` complete JSON answers came, or the server closed."""
    with socket.create_connection(address(emulator), timeout=SOCKET_SECONDS) as connection:
        connection.sendall(request)
        received = b""
        while received.count(b"HTTP/1.1 ") < answers or not received.endswith(b"}"):
            chunk = connection.recv(1 << 16)
            if not chunk:
                break
            received += chunk
        return received


def test_serve_and_the_plugin_run_the_bounded_protocol() -> None:
    assert server_config(lambda scope, receive, send: None).http is CorkedHttpToolsProtocol  # type: ignore[arg-type,return-value]


def test_a_32_mib_header_is_refused_with_431_and_a_json_error(emulator: CPayEmulator) -> None:
    # Before: accepted whole and answered 200 (812 ms and +66 MB in the run).
    head = b"GET /_emulator/health HTTP/1.1\r\nHost: emulator\r\nX-Big: " + b"a" * (32 << 20) + b"\r\n\r\n"
    answer = exchange(emulator, head)
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line == b"HTTP/1.1 431 Request Header Fields Too Large"
    assert json.loads(rest.partition(b"\r\n\r\n")[2]) == REFUSED


def test_a_client_that_sends_its_whole_oversized_request_first_still_reads_the_431(emulator: CPayEmulator) -> None:
    # httpx writes the whole request before it reads: the server drains what follows the refused head, so the
    # client gets the answer rather than a connection reset.
    response = httpx.get(f"{emulator.base_url}/_emulator/health", headers={"x-big": "a" * (1 << 20)}, timeout=10)
    assert (response.status_code, response.json()) == (431, REFUSED)


@pytest.mark.parametrize(
    ("padding", "status"), [(MAX_HEAD_BYTES - 200, 200), (MAX_HEAD_BYTES + 1, 431)], ids=["under", "over"]
)
def test_the_bound_is_the_whole_head(emulator: CPayEmulator, padding: int, status: int) -> None:
    response = httpx.get(f"{emulator.base_url}/_emulator/health", headers={"x-pad": "a" * padding}, timeout=10)
    assert response.status_code == status


def test_many_header_lines_are_refused_too(emulator: CPayEmulator) -> None:
    head = b"GET /_emulator/health HTTP/1.1\r\nHost: emulator\r\n" + b"X-A: 1\r\n" * 100_000 + b"\r\n"
    assert exchange(emulator, head).startswith(b"HTTP/1.1 431 ")


def test_each_request_of_a_kept_alive_connection_has_its_own_bound(emulator: CPayEmulator) -> None:
    with httpx.Client(base_url=emulator.base_url, timeout=10) as client:
        statuses = {client.get("/_emulator/health", headers={"x-pad": "a" * 4096}).status_code for _ in range(40)}
    assert statuses == {200}  # 40 heads of 4 KiB: 160 KiB on one connection, each under the bound


def test_pipelined_requests_in_one_write_are_not_taken_for_one_large_head(emulator: CPayEmulator) -> None:
    one = b"GET /_emulator/health HTTP/1.1\r\nHost: emulator\r\nX-Pad: " + b"a" * 1000 + b"\r\n\r\n"
    count = 150  # 150 KiB in one write: more than the bound, but no head is over it
    answers = exchange(emulator, one * count, answers=count)
    assert answers.count(b"HTTP/1.1 200 OK") == count


def test_a_control_request_whose_client_hangs_up_mid_body_does_nothing_and_logs_no_error(
    emulator: CPayEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="cpay_emulator")
    rates = emulator.control.call("GET", "/rates")
    body = b'{"prices": {"BTC": "12345"}}'  # complete JSON by itself; the header promises 20 bytes more
    head = b"PUT /_emulator/rates HTTP/1.1\r\nHost: emulator\r\ncontent-type: application/json\r\n"
    with socket.create_connection(address(emulator), timeout=SOCKET_SECONDS) as connection:
        connection.sendall(head + b"content-length: %d\r\n\r\n" % (len(body) + 20) + body)
        time.sleep(0.1)  # the body's first part is read before the hang-up
    deadline = time.monotonic() + SOCKET_SECONDS
    while not any("setRates" in record.getMessage() for record in caplog.records):
        assert time.monotonic() < deadline, "the server never ended the half-received request"
        time.sleep(0.01)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info] == []
    assert emulator.control.call("GET", "/rates") == rates
