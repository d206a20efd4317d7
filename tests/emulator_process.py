"""``cpay-emulator serve`` as a child process, shared by the tests that need a real socket.

The emulator prints ``listening on <url>`` once bound (``--port 0`` picks a free port); the helper waits
for that line and for ``/_emulator/health`` before handing the URL over, and kills the process it started.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

import httpx

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class EmulatorProcess:
    """``cpay-emulator serve`` as a child process on a free port of 127.0.0.1."""

    def __init__(
        self,
        *arguments: str,
        bin_dir: Path = BIN,
        cwd: Path | None = None,
        environment: Mapping[str, str] | None = None,
    ) -> None:
        """``bin_dir``: whose ``cpay-emulator`` (another environment's, to test an install); ``environment``
        replaces ``os.environ`` for the child."""
        command = [str(bin_dir / "cpay-emulator"), "serve", "--host", "127.0.0.1", "--port", "0", *arguments]
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            cwd=cwd,
            env={**(os.environ if environment is None else environment), "PYTHONUNBUFFERED": "1"},
        )
        assert self.process.stdout is not None
        deadline = time.monotonic() + 20
        self.base_url = ""
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            match = re.search(r"listening on (http://\S+)", line)
            if match:
                self.base_url = match.group(1)
                break
        if not self.base_url:
            self.kill()
            raise RuntimeError("cpay-emulator did not print its URL")
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base_url}/_emulator/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.05)
        self.kill()
        raise RuntimeError("cpay-emulator did not become healthy")

    def control(self) -> httpx.Client:
        return httpx.Client(base_url=f"{self.base_url}/_emulator", timeout=10)

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()

    def __enter__(self) -> EmulatorProcess:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.kill(signal.SIGTERM)
