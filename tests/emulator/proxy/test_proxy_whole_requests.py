"""The proxy forwards a request only when it was received whole; half a request is recorded as aborted.

The proxy runs on its real server stack (``loop_server.serving``) in front of a raw loopback upstream that
keeps every byte it is sent; the client is a raw socket that promises more body than it sends and hangs up.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path

from loop_server import Finished, serving

from cpay_emulator import ProxyConfig, create_proxy_app, emulator_codes
from cpay_emulator.proxy.recording import read_recording

from .conftest import MERCHANT_ID, SECRET_KEY, signed_query


class Listening:
    """A loopback upstream that answers nothing and keeps every byte it receives."""

    def __init__(self) -> None:
        self.received = b""
        self.connections = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        with contextlib.suppress(ConnectionError):
            while data := await reader.read(65536):
                self.received += data
        writer.close()


async def hang_up_after(url: str, raw: bytes) -> None:
    host, port = url.removeprefix("http://").split(":")
    _, writer = await asyncio.open_connection(host, int(port))
    writer.write(raw)
    await writer.drain()
    writer.close()
    with contextlib.suppress(ConnectionError):
        await writer.wait_closed()


async def ask(url: str, path: str) -> bytes:
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(b"GET %s HTTP/1.1\r\nhost: proxy\r\nconnection: close\r\n\r\n" % path.encode())
    answer = await reader.read()
    writer.close()
    return answer.partition(b"\r\n\r\n")[2]


def test_a_post_20_bytes_short_of_its_content_length_is_not_forwarded_and_is_recorded_as_aborted(
    tmp_path: Path,
) -> None:
    recording = tmp_path / "traffic.jsonl"
    upstream = Listening()
    body = b"merchantTradeNo=half-sent&userId=user-1&amount=12.5&cryptoCurrency=USDT&remark=" + b"r" * 200
    head = (
        b"POST /openapi/v1/createOrder?%s HTTP/1.1\r\nhost: proxy\r\n"
        b"content-type: application/x-www-form-urlencoded\r\ncontent-length: %d\r\n\r\n"
    ) % (signed_query().encode(), len(body) + 20)

    async def main() -> bytes:
        server = await asyncio.start_server(upstream.handle, "127.0.0.1", 0)
        config = ProxyConfig(
            upstream=f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}",
            secrets={MERCHANT_ID: SECRET_KEY},
            codes=emulator_codes(),
            record=recording,
            timeout=2.0,
        )
        proxy = create_proxy_app(config)
        finished = Finished(proxy)
        async with server, serving(finished) as url:
            await hang_up_after(url, head + body)
            await finished.wait(1)
            summary = await ask(url, "/_proxy/summary")
            await proxy.aclose()
        return summary

    summary = json.loads(asyncio.run(main()))
    assert upstream.received == b""  # not a byte of it went upstream
    (entry,) = read_recording(recording)
    assert entry["aborted"] is True
    assert entry["status"] is None
    assert entry["operationId"] == "createOrder"
    assert f"after {len(body)} of {len(body) + 20} bytes" in entry["error"]
    assert summary["aborted"] == 1
    assert summary["exchanges"] == 0  # nothing was exchanged with the upstream
