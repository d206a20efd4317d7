"""``/docs``, ``/docs/site``, ``/_emulator/docs``: what ``make docs`` built, served by the emulator, or how to build it.

A fake build (a few small files in the layout ``docs/reference/build.py`` writes) stands in for the real one
here; ``tests/e2e/test_docs_browser.py`` and ``tests/e2e/test_site_browser.py`` serve the real build to Chromium.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from cpay_emulator import EmulatorConfig, create_app
from cpay_emulator.server.docs import docs_banner

from ..conftest import EmulatorProcess

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient


def write_reference(directory: Path) -> Path:
    (directory / "control").mkdir(parents=True, exist_ok=True)
    (directory / "docs").mkdir(exist_ok=True)
    (directory / "index.html").write_text("<!DOCTYPE html><title>C-Pay API</title><p id=api>api</p>")
    (directory / "control" / "index.html").write_text("<!DOCTYPE html><title>control</title><p id=control>c</p>")
    (directory / "docs" / "spec-notes.md").write_text("# Spec notes\n\nUTF-8: ✓\n", encoding="utf-8")
    write_site(directory)
    return directory


def write_site(directory: Path) -> None:
    (directory / "site" / "assets").mkdir(parents=True, exist_ok=True)
    (directory / "site" / "index.html").write_text("<!DOCTYPE html><title>site</title><p id=site>s</p>")
    (directory / "site" / "assets" / "bundle.js").write_text("console.log('site')")


def client_for(directory: Path | None) -> Iterator[TestClient]:
    app = create_app(EmulatorConfig(docs_directory=directory, webhook_worker=False))
    try:
        with TestClient(app) as client:
            yield client
    finally:
        app.state.store.close()


@pytest.fixture
def built(tmp_path: Path) -> Iterator[TestClient]:
    yield from client_for(write_reference(tmp_path / "reference"))


@pytest.fixture
def not_built(tmp_path: Path) -> Iterator[TestClient]:
    yield from client_for(tmp_path / "reference")


@pytest.mark.parametrize(
    ("path", "title", "page"), [("/docs/", "C-Pay API", "index.html"), ("/_emulator/docs/", "control", "control")]
)
def test_without_a_build_each_reference_says_how_to_make_one(
    not_built: TestClient, tmp_path: Path, path: str, title: str, page: str
) -> None:
    response = not_built.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "make docs" in response.text
    assert "--docs DIR" in response.text
    assert str(tmp_path / "reference") in response.text  # where it looked
    assert page in response.text
    assert response.headers["cache-control"] == "no-store"  # a build made later shows on reload


def test_without_a_docs_directory_the_reference_still_says_how_to_make_one(tmp_path: Path) -> None:
    for client in client_for(None):
        response = client.get("/docs/")
        assert response.status_code == 404
        assert "make docs" in response.text


def test_the_reference_is_served_with_its_trailing_slash_so_relative_links_resolve(built: TestClient) -> None:
    for path in ("/docs", "/_emulator/docs"):
        response = built.get(path, follow_redirects=False)
        assert response.status_code in (307, 308)
        assert response.headers["location"].endswith(f"{path}/")


def test_a_built_reference_is_served_and_allowed_nothing_from_another_origin(built: TestClient) -> None:
    page = built.get("/docs")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert "<p id=api>" in page.text
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert not re.search(r"https?:|\*", policy)  # no host is allowed, not even with a wildcard
    assert page.headers["x-content-type-options"] == "nosniff"

    control = built.get("/_emulator/docs/")
    assert control.status_code == 200
    assert "<p id=control>" in control.text
    assert control.headers["content-security-policy"] == policy


def test_the_site_is_served_with_its_own_files_allowed_and_nothing_from_another_origin(built: TestClient) -> None:
    """Material's pages load their scripts, styles and search index from the site: 'self', and no other origin."""
    reference_policy = built.get("/docs/").headers["content-security-policy"]
    for path in ("/docs/site/", "/docs/site/index.html", "/docs/site/assets/bundle.js"):
        response = built.get(path)
        assert response.status_code == 200, path
        policy = response.headers["content-security-policy"]
        assert policy.startswith("default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self'")
        assert "frame-ancestors 'none'" in policy
        assert not re.search(r"https?:|\*", policy)
        assert response.headers["x-content-type-options"] == "nosniff"
    assert "<p id=site>" in built.get("/docs/site/").text
    assert "'self'" not in reference_policy.split("script-src")[1].split(";")[0]  # Redoc's pages: inline only
    assert built.get("/docs/docs/spec-notes.md").headers["content-security-policy"] == reference_policy  # not the site


def test_without_a_site_build_the_site_says_how_to_make_one(tmp_path: Path) -> None:
    directory = write_reference(tmp_path / "reference")
    for path in (directory / "site").rglob("*"):
        if path.is_file():
            path.unlink()
    for client in client_for(directory):
        response = client.get("/docs/site/")
        assert response.status_code == 404
        assert "The docs site has not been built" in response.text
        assert str(directory / "site" / "index.html") in response.text
        assert client.get("/docs/").status_code == 200  # the reference beside it is still served
        write_site(directory)
        assert "<p id=site>" in client.get("/docs/site/").text


def test_the_spec_notes_are_shown_as_text_not_downloaded(built: TestClient) -> None:
    notes = built.get("/docs/docs/spec-notes.md")
    assert notes.status_code == 200
    assert notes.headers["content-type"] == "text/plain; charset=utf-8"
    assert notes.text == "# Spec notes\n\nUTF-8: ✓\n"


def test_a_reference_built_after_start_is_served_without_a_restart(tmp_path: Path) -> None:
    for client in client_for(tmp_path / "reference"):
        assert client.get("/docs/").status_code == 404
        write_reference(tmp_path / "reference")
        assert client.get("/docs/").status_code == 200
        assert client.get("/_emulator/docs/").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/docs/missing.html",
        "/docs/%2e%2e/secret.txt",
        "/docs/..%2fsecret.txt",
        "/docs/docs/..%2f..%2fsecret.txt",
        "/_emulator/docs/..%2findex.html",  # the API page is not reachable as the control page's sibling
        "/docs/loop",
        "/docs/" + "x" * 5000,
    ],
)
def test_nothing_outside_the_reference_is_served_and_nothing_answers_500(
    tmp_path: Path, built: TestClient, path: str
) -> None:
    (tmp_path / "secret.txt").write_text("not part of the reference")
    (tmp_path / "reference" / "loop").symlink_to(tmp_path / "reference" / "loop")
    response = built.get(path)
    assert response.status_code == 404
    assert "not part of the reference" not in response.text
    if path.startswith("/_emulator/"):
        assert "<p id=api>" not in response.text


def test_the_reference_is_read_only(built: Any) -> None:
    assert built.post("/docs/").status_code == 405
    assert built.delete("/docs/index.html").status_code == 405


def test_the_banner_says_where_each_reference_is_and_whether_it_is_built(tmp_path: Path) -> None:
    missing = docs_banner("http://127.0.0.1:8000", tmp_path / "reference")
    assert missing[0].startswith("  API reference: http://127.0.0.1:8000/docs/ (not built: `make docs` builds it")
    assert missing[1].startswith("  docs site: http://127.0.0.1:8000/docs/site/ (not built")
    assert missing[2].startswith("  control API reference: http://127.0.0.1:8000/_emulator/docs/ (not built")
    write_reference(tmp_path / "reference")
    assert docs_banner("http://127.0.0.1:8000", tmp_path / "reference") == [
        f"  API reference: http://127.0.0.1:8000/docs/ (from {tmp_path / 'reference'})",
        f"  docs site: http://127.0.0.1:8000/docs/site/ (from {tmp_path / 'reference' / 'site'})",
        f"  control API reference: http://127.0.0.1:8000/_emulator/docs/ (from {tmp_path / 'reference' / 'control'})",
    ]


def test_serve_prints_both_reference_urls_and_serves_them(tmp_path: Path) -> None:
    directory = write_reference(tmp_path / "reference")
    with EmulatorProcess("--db", ":memory:", "--quiet", "--docs", str(directory)) as emulator:
        assert emulator.process.stdout is not None
        banner = [emulator.process.stdout.readline() for _ in range(6)]
        assert f"  API reference: {emulator.base_url}/docs/ (from {directory})\n" in banner
        assert f"  docs site: {emulator.base_url}/docs/site/ (from {directory / 'site'})\n" in banner
        assert (
            f"  control API reference: {emulator.base_url}/_emulator/docs/ (from {directory / 'control'})\n" in banner
        )
        assert "<p id=api>" in httpx.get(f"{emulator.base_url}/docs/").text
        assert "<p id=control>" in httpx.get(f"{emulator.base_url}/_emulator/docs/").text
