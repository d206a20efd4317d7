"""The docs in the browser: ``/docs`` (``openapi.yaml``), ``/docs/site`` (the docs site), ``/_emulator/docs``.

``make docs`` renders both API references with Redoc into a directory (``reports/docs`` by default;
``cpay-emulator serve --docs DIR``): ``index.html``, ``control/index.html`` and the spec notes the reference links
to, and builds the docs site (MkDocs) beside them into ``site/``. This module serves that directory as it is on
disk at each request, so docs built after the emulator started are served without a restart. Until they are
built, each path answers a 404 page that says how to build them, never an error. It depends on no other part of
the emulator: ``create_app`` mounts its routes beside the API's.
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

__all__ = ["API_REFERENCE_PATH", "CONTROL_REFERENCE_PATH", "SITE_PATH", "SITE_POLICY", "docs_banner", "docs_routes"]

API_REFERENCE_PATH = "/docs"
CONTROL_REFERENCE_PATH = "/_emulator/docs"
CONTROL_SUBDIRECTORY = "control"  # where docs/reference/build.py writes the control API's page
SITE_SUBDIRECTORY = "site"  # where it builds the docs site (mkdocs.yml's site_dir)
SITE_PATH = f"{API_REFERENCE_PATH}/{SITE_SUBDIRECTORY}"

# Redoc runs inline scripts and styles; nothing may load from another origin (the page's own meta policy says
# the same, so a copy opened from disk stays offline too), and no other site may frame the page.
REFERENCE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}

# The same rule for the docs site: nothing from another origin. MkDocs Material loads its scripts, styles, search
# worker and search index from the site itself ('self'), and runs a few inline scripts. The pages carry this
# policy in a meta tag too (docs/reference/site_hooks.py), where frame-ancestors does not apply: the header adds it.
SITE_POLICY = (
    "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self'; frame-src 'self'; "
    "base-uri 'none'; form-action 'none'"
)
SITE_HEADERS = {**REFERENCE_HEADERS, "Content-Security-Policy": f"{SITE_POLICY}; frame-ancestors 'none'"}

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

    def __init__(self, directory: Path | None, title: str, *, site: str | None = None) -> None:
        super().__init__(directory=directory, html=True, check_dir=False)
        self.title = title
        self.index = (directory / "index.html") if directory is not None else None
        self.site = site  # a subdirectory holding the docs site, served with the site's policy

    async def check_config(self) -> None:
        """No start-up check: the directory may be built after the emulator starts."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        try:
            response = await super().get_response(path, scope)
        except HTTPException as error:
            if error.status_code == 404 and path == ".":
                return self.not_built()
            if error.status_code == 404 and self.site is not None and path == self.site:
                return self.not_built("The docs site", self.site)
            raise
        except OSError:
            # StaticFiles answers only "name too long" itself; a loop of links or an I/O error is not a 500.
            raise HTTPException(status_code=404) from None
        in_site = self.site is not None and (path == self.site or path.startswith(f"{self.site}/"))
        response.headers.update(SITE_HEADERS if in_site else REFERENCE_HEADERS)
        if path.endswith(".md"):
            response.headers["Content-Type"] = "text/plain; charset=utf-8"
        return response

    def not_built(self, title: str | None = None, subdirectory: str | None = None) -> HTMLResponse:
        """The 404 page that says how to build what is missing (the reference, or its ``subdirectory``)."""
        index = self.index
        if index is not None and subdirectory is not None:
            index = index.parent / subdirectory / "index.html"
        page = str(index) if index is not None else "a directory given with --docs"
        return HTMLResponse(
            _NOT_BUILT.format(title=escape(title or self.title), page=escape(page)),
            status_code=404,
            headers={**REFERENCE_HEADERS, "Cache-Control": "no-store"},
        )


def docs_routes(directory: Path | None) -> list[BaseRoute]:
    """``/docs/`` (with the site in ``/docs/site/``) and ``/_emulator/docs/`` (``/docs`` redirects to ``/docs/``, so
    relative links resolve; the site's pages link the references as ``../index.html``)."""
    control = directory / CONTROL_SUBDIRECTORY if directory is not None else None
    return [
        Mount(API_REFERENCE_PATH, app=ReferenceFiles(directory, "The C-Pay API reference", site=SITE_SUBDIRECTORY)),
        Mount(CONTROL_REFERENCE_PATH, app=ReferenceFiles(control, "The emulator's control API reference")),
    ]


def docs_banner(base_url: str, directory: Path | None) -> list[str]:
    """The start-up lines: where each reference and the site are served, and whether they are built."""
    lines = []
    for label, path, subdirectory in (
        ("API reference", API_REFERENCE_PATH, None),
        ("docs site", SITE_PATH, SITE_SUBDIRECTORY),
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
