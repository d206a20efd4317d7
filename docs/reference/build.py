"""Build the docs: ``openapi.yaml`` and the emulator's control API rendered as HTML pages, and the docs site.

``make docs`` runs this. Each reference is one self-contained HTML file rendered by Redoc through the pinned
Redocly CLI (``redocly build-docs --inlineBundle``, ``tools/package-lock.json``), with the page template next to
this file. The output directory mirrors the repository, so the spec's relative links resolve in it:

- ``index.html``: the C-Pay API reference (``openapi.yaml``), served by ``cpay-emulator serve`` at ``/docs/``;
- ``docs/spec-notes.md``: the notes the spec's ``externalDocs`` points to (``docs/spec-notes.md``, relative to
  the spec, so also relative to ``index.html``);
- ``control/index.html``: the control API reference (``control-openapi.yaml``), served at ``/_emulator/docs/``;
- ``site/``: the docs site (MkDocs with Material, ``mkdocs.yml``: the task pages of ``docs/site/`` and the Python
  API reference that mkdocstrings renders from the docstrings), served at ``/docs/site/``. It links the two
  references as ``../index.html`` and ``../control/index.html``. Its search works offline (Material's ``search``
  and ``offline`` plugins: the index is in the site); ``site_hooks.py`` gives it its page policy.

The pages work offline: Redoc's script and styles are inlined (the site's are files of the site), and the
pages' Content-Security-Policy lets nothing load from another origin (Redoc's sidebar asks for the Redocly logo on
a CDN; the policy blocks it in the browser). The build checks that no element of any page loads a remote
resource, and fails if one does. Redocly's telemetry and update notices are switched off, so the build itself
needs no network either.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from html.parser import HTMLParser
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = Path(__file__).with_name("template.hbs")
REDOCLY = REPO / "tools" / "node_modules" / ".bin" / "redocly"
API_SPEC = REPO / "openapi.yaml"
CONTROL_SPEC = REPO / "emulator" / "cpay_emulator" / "server" / "control-openapi.yaml"
SPEC_NOTES = REPO / "docs" / "spec-notes.md"
MKDOCS_CONFIG = REPO / "mkdocs.yml"
DEFAULT_OUTPUT = REPO / "reports" / "docs"

API_PAGE = "index.html"
CONTROL_PAGE = "control/index.html"  # cpay_emulator.server.docs serves this directory at /_emulator/docs/
NOTES_COPY = "docs/spec-notes.md"
SITE = "site"  # cpay_emulator.server.docs serves this directory at /docs/site/

# Elements and attributes through which a page loads something (an <a href> is a link the reader may follow).
_LOADING_ATTRIBUTES = {
    "script": ("src",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "iframe": ("src",),
    "frame": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "audio": ("src",),
    "video": ("src", "poster"),
    "track": ("src",),
    "image": ("href", "xlink:href"),
    "use": ("href", "xlink:href"),
    "input": ("src",),
}


# url(...) and @import "..." in CSS: a style sheet can load fonts and images too.
_CSS_URL = re.compile(r"""url\(\s*['"]?(?P<url>[^'")\s]+)|@import\s+['"](?P<imported>[^'"]+)""", re.IGNORECASE)


class BuildError(Exception):
    """The reference could not be built, or a built page would load something from another origin."""


class _RemoteResources(HTMLParser):
    """Collects the remote URLs a page's markup and style sheets load, and its Content-Security-Policy."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.remote: list[str] = []
        self.policies: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        self._in_style = tag == "style"
        if tag == "meta" and values.get("http-equiv", "").lower() == "content-security-policy":
            self.policies.append(values.get("content", ""))
        for name in _LOADING_ATTRIBUTES.get(tag, ()):
            for url in values.get(name, "").replace(",", " ").split():
                if _is_remote(url):
                    self.remote.append(f"<{tag} {name}={url!r}>")
        self._check_css(values.get("style", ""), f"<{tag} style>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self._check_css(data, "<style>")

    def _check_css(self, css: str, where: str) -> None:
        for match in _CSS_URL.finditer(css):
            url = match.group("url") or match.group("imported") or ""
            if _is_remote(url):
                self.remote.append(f"{where} {url}")


def _is_remote(url: str) -> bool:
    lowered = url.strip().lower()
    return lowered.startswith("//") or ("://" in lowered and not lowered.startswith(("data:", "blob:")))


def offline_problems(html: str) -> list[str]:
    """What in ``html`` would load from another origin, or why the page cannot be trusted to stay offline.

    An empty list means: no element loads a remote URL, and a Content-Security-Policy with ``default-src
    'none'`` stops whatever the page's scripts might ask for at run time.
    """
    parser = _RemoteResources()
    parser.feed(html)
    parser.close()
    problems = [f"loads a remote resource: {element}" for element in parser.remote]
    if not any("default-src 'none'" in policy for policy in parser.policies):
        problems.append("has no Content-Security-Policy meta tag with default-src 'none'")
    return problems


def render(spec: Path, page: Path, *, redocly: Path = REDOCLY) -> None:
    """Render ``spec`` into the single HTML file ``page`` with Redocly CLI, then check that it stays offline."""
    if not redocly.exists():
        raise BuildError(f"{redocly} is missing: run `make node` (npm ci in tools/)")
    page.parent.mkdir(parents=True, exist_ok=True)
    environment = {
        **os.environ,
        "REDOCLY_TELEMETRY": "off",  # no usage report from the CLI, and disableTelemetry in the page
        "REDOCLY_SUPPRESS_NOTIFICATIONS": "true",  # no update check against the npm registry
    }
    # Written next to the page, then renamed over it: a server never reads a half-written page.
    with tempfile.TemporaryDirectory(dir=page.parent, prefix=".build-") as scratch:
        rendered = Path(scratch) / page.name
        command = [
            str(redocly),
            "build-docs",
            str(spec),
            "--inlineBundle",
            "--template",
            str(TEMPLATE),
            "--output",
            str(rendered),
        ]
        result = subprocess.run(  # noqa: S603 - a fixed program and arguments, no shell
            command, cwd=REPO, env=environment, capture_output=True, text=True, check=False
        )
        if result.returncode != 0 or not rendered.exists():
            raise BuildError(f"redocly build-docs {spec} failed (exit {result.returncode}):\n{result.stderr.strip()}")
        problems = offline_problems(rendered.read_text(encoding="utf-8"))
        if problems:
            raise BuildError(f"{page} would not work offline:\n  " + "\n  ".join(problems))
        rendered.replace(page)


def build_site(site: Path, *, config: Path = MKDOCS_CONFIG) -> float:
    """Build the docs site into ``site`` with MkDocs (strict: a broken link or reference fails), check that no
    page loads anything remote, and return the seconds it took.

    The site is built beside ``site`` and renamed over it, so a server never serves half of two builds.
    """
    site.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(dir=site.parent, prefix=".site-") as scratch:
        built = Path(scratch) / SITE
        environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}  # Material's banner about MkDocs 2, on stderr
        # Not --quiet: it hides the warnings that strict mode (mkdocs.yml) counts, and a broken link would pass.
        command = [sys.executable, "-m", "mkdocs", "build", "--config-file", str(config)]
        result = subprocess.run(  # noqa: S603 - this interpreter, fixed arguments, no shell
            [*command, "--site-dir", str(built)], cwd=REPO, env=environment, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise BuildError(f"mkdocs build failed (exit {result.returncode}):\n{result.stderr.strip()}")
        problems = [
            f"{page.relative_to(built)} {problem}"
            for page in sorted(built.rglob("*.html"))
            for problem in offline_problems(page.read_text(encoding="utf-8"))
        ]
        if problems:
            raise BuildError(f"{site} would not work offline:\n  " + "\n  ".join(problems))
        previous = Path(scratch) / "previous"
        if site.exists():
            site.replace(previous)
        built.replace(site)
    return time.perf_counter() - started


def build(
    output: Path,
    *,
    api_spec: Path = API_SPEC,
    control_spec: Path = CONTROL_SPEC,
    redocly: Path = REDOCLY,
    site: bool = True,
) -> list[Path]:
    """Build both references, copy the spec notes and build the site (unless not ``site``) into ``output``;
    return what was written."""
    written = [output / API_PAGE, output / CONTROL_PAGE, output / NOTES_COPY]
    render(api_spec, written[0], redocly=redocly)
    render(control_spec, written[1], redocly=redocly)
    written[2].parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SPEC_NOTES, written[2])
    if site:
        seconds = build_site(output / SITE)
        print(f"docs: built the site in {seconds:.1f} s")
        written.append(output / SITE / "index.html")
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="directory (default: reports/docs)")
    parser.add_argument(
        "--spec", type=Path, default=API_SPEC, help="the API's OpenAPI document (default: openapi.yaml)"
    )
    parser.add_argument("--control-spec", type=Path, default=CONTROL_SPEC, help="the control API's OpenAPI document")
    parser.add_argument("--without-site", action="store_true", help="the two references only, not the docs site")
    arguments = parser.parse_args(argv)
    try:
        written = build(
            arguments.output,
            api_spec=arguments.spec.resolve(),
            control_spec=arguments.control_spec.resolve(),
            site=not arguments.without_site,
        )
    except (BuildError, OSError) as error:
        print(f"docs: {error}", file=sys.stderr)
        return 1
    for path in written:
        print(f"docs: wrote {path}")
    print("docs: open them in a browser, or run `make emulator` and visit http://127.0.0.1:8000/docs/site/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
