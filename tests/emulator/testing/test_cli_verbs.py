"""``cpay-emulator orders|webhooks|clock ...`` against a running emulator (here: the fixture's socket)."""

from __future__ import annotations

import re
import socket

import pytest

from cpay_emulator.cli.main import main
from cpay_emulator.testing import CPayEmulator

from .conftest import new_order


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_orders_list_pay_fail_and_complete(
    cpay_emulator_server: CPayEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    url = cpay_emulator_server.base_url
    paid, failed = new_order(cpay_emulator_server, "cli-paid"), new_order(cpay_emulator_server, "cli-failed")
    code, out, _ = run(capsys, "orders", "list", "--url", url)
    assert code == 0
    assert re.search(rf"{paid}\s+PENDING\s+payin\s+10 USDT\s+cli-paid", out), out
    assert run(capsys, "orders", "pay", paid, "--url", url)[1].split()[1] == "COMPLETED"
    assert run(capsys, "orders", "fail", failed, "--reason", "declined", "--url", url)[1].split()[1] == "CLOSED"
    code, _, err = run(capsys, "orders", "complete", paid, "--url", url)
    assert code == 1
    assert err.strip() == f"cpay-emulator orders complete: cannot complete order {paid}: the order is already COMPLETED"


def test_an_unknown_order_is_one_line_and_exit_1(
    cpay_emulator_server: CPayEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "orders", "pay", "404", "--url", cpay_emulator_server.base_url)
    assert (code, out) == (1, "")
    assert err == "cpay-emulator orders pay: order '404' not found\n"


def test_an_emulator_that_is_not_running_is_one_line_and_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nobody listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, _, err = run(capsys, "webhooks", "list", "--url", f"http://127.0.0.1:{port}")
    assert code == 1
    assert err.startswith(f"cpay-emulator webhooks list: no emulator answers at http://127.0.0.1:{port}")
    assert err.count("\n") == 1


def test_webhooks_list_and_resend(cpay_emulator_server: CPayEmulator, capsys: pytest.CaptureFixture[str]) -> None:
    url = cpay_emulator_server.base_url
    order_id = new_order(cpay_emulator_server, "cli-hook")
    cpay_emulator_server.pay(order_id)
    code, out, _ = run(capsys, "webhooks", "list", "--url", url)
    assert code == 0
    assert re.search(rf"\s1\s+{order_id}\s+COMPLETED\s+delivered\s+1\s+HTTP 200 'OK'", out), out
    code, out, _ = run(capsys, "webhooks", "resend", "1", "--url", url)
    assert code == 0
    assert out.startswith("resent as delivery 2:")
    assert [d.delivery_id for d in cpay_emulator_server.webhooks] == [1, 2]
    assert run(capsys, "webhooks", "resend", "99", "--url", url)[2] == (
        "cpay-emulator webhooks resend: webhook delivery 99 not found\n"
    )


@pytest.mark.cpay_emulator(order_ttl=600)
def test_clock_advance_15m_expires_the_orders_past_their_ttl(
    cpay_emulator_server: CPayEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    order_id = new_order(cpay_emulator_server, "cli-ttl")
    code, out, _ = run(capsys, "clock", "advance", "15m", "--url", cpay_emulator_server.base_url)
    assert code == 0
    assert out.splitlines()[:2] == ["advanced 900 s; 1 order(s) expired", f"  expired {order_id}"]
    assert "frozen, advanced 900 s); orders expire after 600 s" in out
    assert cpay_emulator_server.order(order_id)["status"] == "15"


@pytest.mark.parametrize(("text", "seconds"), [("90", 90), ("45s", 45), ("15m", 900), ("2h", 7200), ("1h30m", 5400)])
def test_durations(text: str, seconds: float) -> None:
    from cpay_emulator.cli.control import parse_duration

    assert parse_duration(text) == seconds


def test_serve_refuses_a_fault_option_naming_an_unknown_operation(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--db", ":memory:", "--port", "0", "--fail-next", "creatOrder:1"]) == 2
    assert "unknown operation 'creatOrder'" in capsys.readouterr().err
