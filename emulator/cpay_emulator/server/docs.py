"""The API references in the browser: ``/docs`` (``openapi.yaml``) and ``/_emulator/docs`` (the control API).

``make docs`` renders both with Redoc into a directory (``reports/docs`` by default; ``cpay-emulator serve
--docs DIR``): ``index.html``, ``control/index.html`` and the spec notes the reference links to. This module
serves that directory as it is on disk at each request, so a reference built after the emulator started is
served without a restart. Until it is built, both paths answer a 404 page that says how to build it, never an
error. It depends on no other part of the emulator: ``create_app`` mounts its routes beside the API's.
"""

from __future__ import annotations

import os
from html import escape
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

__all__ = ["API_REFERENCE_PATH", "CONTROL_REFERENCE_PATH", "docs_banner", "docs_routes"]

API_REFERENCE_PATH = "/docs"
CONTROL_REFERENCE_PATH = "/_emulator/docs"
CONTROL_SUBDIRECTORY = "control"  # where docs/reference/build.py writes the control API's page

# Redoc runs inline scripts and styles; nothing may load from another origin (the page's own meta policy says
# the same, so a copy opened from disk stays offline too), and no other site may frame the page.
REFERENCE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}

_NOT_BUILT = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}: not built</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:3rem auto;padding:0 1rem;color:#1d2330}}
code{{background:#f1f3f6;padding:.1rem .3rem;border-radius:4px}}</style></head>
<body><h1 id="not-built">{title} has not been built</h1>
<p>Build it in the cpay-openapi repository with <code>make docs</code> (it writes <code>reports/docs/</code>),
then reload this page: the emulator serves what is on disk, no restart needed.</p>
<p>This emulator looks for <code>{page}</code>. To serve a reference built elsewhere, start it with
<code>cpay-emulator serve --docs DIR</code>.</p></body></html>
"""


class ReferenceFiles(StaticFiles):
    """One built reference directory: its ``index.html`` at the mount's root, its other files by name.

    A missing directory or ``index.html`` answers the "not built" page (404); any other missing or unreadable
    file a plain 404. Markdown is sent as UTF-8 text, which browsers display instead of downloading.
    """

    def __init__(self, directory: Path | None, title: str) -> None:
        super().__init__(directory=directory, html=True, check_dir=False)
        self.title = title
        self.index = (directory / "index.html") if directory is not None else None

    async def check_config(self) -> None:
        """No start-up check: the directory may be built after the emulator starts."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        try:
            response = await super().get_response(path, scope)
        except HTTPException as error:
            if error.status_code == 404 and path == ".":
                return self.not_built()
            raise
        except OSError:
            # StaticFiles answers only "name too long" itself; a loop of links or an I/O error is not a 500.
            raise HTTPException(status_code=404) from None
        response.headers.update(REFERENCE_HEADERS)
        if path.endswith(".md"):
            response.headers["Content-Type"] = "text/plain; charset=utf-8"
        return response

    def not_built(self) -> HTMLResponse:
        page = str(self.index) if self.index is not None else "a directory given with --docs"
        return HTMLResponse(
            _NOT_BUILT.format(title=escape(self.title), page=escape(page)),
            status_code=404,
            headers={**REFERENCE_HEADERS, "Cache-Control": "no-store"},
        )


def docs_routes(directory: Path | None) -> list[BaseRoute]:
    """``/docs/`` and ``/_emulator/docs/`` (``/docs`` redirects to ``/docs/``, so relative links resolve)."""
    control = directory / CONTROL_SUBDIRECTORY if directory is not None else None
    return [
        Mount(API_REFERENCE_PATH, app=ReferenceFiles(directory, "The C-Pay API reference")),
        Mount(CONTROL_REFERENCE_PATH, app=ReferenceFiles(control, "The emulator's control API reference")),
    ]


def docs_banner(base_url: str, directory: Path | None) -> list[str]:
    """The start-up lines: where each reference is served, and whether it is built."""
    lines = []
    for label, path, subdirectory in (
        ("API reference", API_REFERENCE_PATH, None),
        ("control API reference", CONTROL_REFERENCE_PATH, CONTROL_SUBDIRECTORY),
    ):
        if directory is None:
            state = "no --docs directory"
        else:
            folder = directory / subdirectory if subdirectory else directory
            built = os.path.isfile(folder / "index.html")
            state = f"from {folder}" if built else f"not built: `make docs` builds it; looking in {folder}"
        lines.append(f"  {label}: {base_url}{path}/ ({state})")
    return lines
