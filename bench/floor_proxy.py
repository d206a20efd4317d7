"""The floor of bench_proxy.py: a relay on the proxy's own server and forwarder, which checks nothing.

It is served exactly as ``cpay-emulator proxy`` is (``cpay_emulator.shared.http_server``: uvicorn with uvloop and
httptools, the write-combining protocol, no ``Date`` or ``Server`` header of its own) and forwards every request
through the proxy's forwarder (``cpay_emulator.proxy.forwarding.AiohttpForwarder``) with the proxy's header rules
(``proxy.relay``: end-to-end headers only, its own ``Content-Length``), answering the upstream's status, headers and
body with an empty ``x-cpay-violations: []``. No sign check, no schema, no accounting, no log line, no recording.
The proxy's added latency minus this one's is what the proxy's own work costs on the critical path; this one's
added latency is what any proxy on these two libraries costs.

Run on its own: ``.venv/bin/python bench/floor_proxy.py --upstream URL --port 0`` (prints its URL).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from starlette.types import Receive, Scope, Send

from cpay_emulator.proxy.forwarding import AiohttpForwarder, Forwarder
from cpay_emulator.proxy.relay import answer_headers, request_headers
from cpay_emulator.shared.http_server import bind, run_server
from cpay_emulator.shared.wire import read_body

_MAX_BODY = 16 * 1024 * 1024


class FloorProxy:
    """An ASGI app relaying each request to the upstream through ``forwarder``, unchecked."""

    def __init__(self, forwarder: Forwarder) -> None:
        self.forwarder = forwarder

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await self.forwarder.aclose()
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] != "http":
            return
        body = await read_body(scope, receive, limit=_MAX_BODY)
        query: bytes = scope.get("query_string", b"")
        target = (scope.get("raw_path") or scope["path"].encode()) + (b"?" + query if query else b"")
        status, headers, content = await self.forwarder.forward(
            scope["method"], target, request_headers(scope["headers"]), body
        )
        out = [*answer_headers(headers), (b"content-length", b"%d" % len(content)), (b"x-cpay-violations", b"[]")]
        await send({"type": "http.response.start", "status": status, "headers": out})
        await send({"type": "http.response.body", "body": content})


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--upstream", required=True, help="the upstream's base URL (the emulator)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    arguments = parser.parse_args(argv)
    sock = bind(arguments.host, arguments.port)
    host, port = sock.getsockname()[:2]
    print(f"floor proxy listening on http://{host}:{port} -> {arguments.upstream}", flush=True)
    run_server(FloorProxy(AiohttpForwarder(arguments.upstream.rstrip("/"), 30.0)), sock, server_headers=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
