"""MkDocs hooks of the docs site (``mkdocs.yml``): the page policy, and the one script the offline plugin wants.

* The Content-Security-Policy of every page (``overrides/main.html`` writes it into a meta tag) is the one the
  emulator sends with the site, ``cpay_emulator.server.docs.SITE_POLICY``: one rule, wherever the page is read.
* Material's offline plugin makes search work from ``file://`` with the ``iframe-worker`` shim (a Web Worker
  cannot start from a file URL), which it would load from a CDN. ``mkdocs.yml`` names a local copy instead, and
  this hook copies it from the pinned npm package (``tools/package-lock.json``) into the site; the build fails
  if it is missing (``make node`` installs it).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

from cpay_emulator.server.docs import SITE_POLICY

REPO = Path(__file__).resolve().parents[2]
SHIM = REPO / "tools" / "node_modules" / "iframe-worker" / "shim" / "index.js"
SHIM_IN_SITE = "assets/javascripts/iframe-worker-shim.js"  # the polyfill mkdocs.yml names


def on_config(config: Any) -> Any:
    """Put the page policy where the template reads it."""
    config.extra["content_security_policy"] = SITE_POLICY
    return config


def on_post_build(config: Any) -> None:
    """Copy the iframe-worker shim to where every page loads it from."""
    if not SHIM.is_file():
        raise PluginError(f"{SHIM} is missing: run `make node` (npm ci in tools/)")
    target = Path(config.site_dir) / SHIM_IN_SITE
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SHIM, target)
