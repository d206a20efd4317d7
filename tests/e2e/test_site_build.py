"""``make docs`` builds the docs site beside the HTTP references: every page, offline, with the whole Python API.

The site is built once per session (``built_reference``, in a temporary folder). What the pages show in a browser,
search included, is checked by ``test_site_browser.py``; here, what the build writes, the API reference's
coverage read from its inventory (``objects.inv``), and the build failing on a broken link or a remote script.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest
from reference_build import REFERENCE_BUILD, REPO

from cpay_emulator.server.docs import SITE_POLICY

from .site_pages import client_names, inventory_names, missing_from, operation_modules, page_paths, runtime_names


def load_build_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("site_build_script", REFERENCE_BUILD)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


build_script = load_build_module()


@pytest.fixture(scope="module")
def site(built_reference: Path) -> Path:
    return built_reference / "site"


def test_every_page_is_built_beside_the_references_and_loads_nothing_remote(site: Path) -> None:
    pages = page_paths()
    assert len(pages) >= 20  # twelve task pages, the home page, five of reference, two of internals
    for page in pages:
        html = (site / page).read_text(encoding="utf-8")
        assert build_script.offline_problems(html) == [], page
        assert f'<meta http-equiv="Content-Security-Policy" content="{SITE_POLICY}">' in html, page
        assert "fonts.googleapis.com" not in html  # font: false
    assert (site / "assets" / "javascripts" / "iframe-worker-shim.js").is_file()  # not the CDN's copy
    assert (site.parent / "index.html").is_file()  # the HTTP references the site links as ../index.html
    assert (site.parent / "control" / "index.html").is_file()
    index = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="../index.html"' in index
    assert 'href="../control/index.html"' in index


def test_the_search_index_is_in_the_site(site: Path) -> None:
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    texts = " ".join(document["text"] for document in index["docs"])
    assert "recover_lost_writes" in texts
    assert (site / "search" / "search_index.js").read_text(encoding="utf-8").startswith("var __index = ")  # file://


def test_the_python_reference_lists_every_public_name_and_every_operation(site: Path) -> None:
    inventory = inventory_names(site / "objects.inv")
    assert len(operation_modules()) == 12  # the twelve operations of openapi.yaml
    assert missing_from(inventory, runtime_names()) == []
    assert missing_from(inventory, client_names()) == []
    assert "cpay.recover_lost_writes" not in inventory  # an option of create_client, not a name: nothing invented


def test_a_name_missing_from_the_reference_is_reported(site: Path) -> None:
    inventory = inventory_names(site / "objects.inv")
    assert missing_from(
        inventory - {"cpay.create_client", "cpay_client.api.payouts.withdraw.sync"}, client_names()
    ) == ["cpay_client.api.payouts.withdraw.sync"]
    assert missing_from(inventory - {"cpay.create_client"}, runtime_names()) == ["cpay.create_client"]
    assert "cpay_emulator.testing.CPayEmulator" in runtime_names()  # the subpackage with an __all__ is read too


def mini_site(tmp_path: Path, page: str) -> Path:
    docs = tmp_path / "pages"
    docs.mkdir()
    (docs / "index.md").write_text(page, encoding="utf-8")
    config = tmp_path / "mkdocs.yml"
    config.write_text(f"site_name: t\ndocs_dir: {docs}\nstrict: true\ntheme:\n  name: material\n  font: false\n")
    return config


def test_a_broken_link_fails_the_site_build(tmp_path: Path) -> None:
    config = mini_site(tmp_path, "# A page\n\nSee [the retries](retries.md).\n")
    with pytest.raises(build_script.BuildError, match=r"mkdocs build failed"):
        build_script.build_site(tmp_path / "out" / "site", config=config)
    assert not (tmp_path / "out" / "site").exists()


def test_a_page_that_loads_a_remote_script_fails_the_site_build(tmp_path: Path) -> None:
    config = mini_site(tmp_path, '# A page\n\n<script src="https://cdn.example/widget.js"></script>\n')
    with pytest.raises(build_script.BuildError, match=r"index.html loads a remote resource: <script src="):
        build_script.build_site(tmp_path / "out" / "site", config=config)
    assert not (tmp_path / "out" / "site").exists()


def test_the_site_sources_are_pages_of_the_nav() -> None:
    """Every page under docs/site is in mkdocs.yml's nav, so a reader can reach it."""
    nav = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    for page in page_paths():
        assert page.removesuffix(".html") + ".md" in nav, page
