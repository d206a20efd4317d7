"""``make docs``: both references are built as single HTML files that load nothing from another origin.

What the pages show is checked in a browser by ``test_docs_browser.py``; here, what the build writes
and the offline check it applies to every page (shown to fail on each way a page could reach the network).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml
from reference_build import REFERENCE_BUILD, REPO, build_reference


def load_build_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("reference_build_script", REFERENCE_BUILD)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


build_script = load_build_module()

POLICY = """<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'">"""


def page(head: str = "", body: str = "", policy: str = POLICY) -> str:
    return f"<!DOCTYPE html><html><head>{policy}{head}</head><body>{body}</body></html>"


def test_a_page_with_inline_scripts_styles_and_data_images_is_offline() -> None:
    html = page(
        head="<style>body{background:url(data:image/png;base64,AAAA)}</style><link rel='icon' href='data:,'>",
        body="<script>const u = 'https://cdn.example/x.js'</script><img src='logo.svg'>"
        "<a href='https://api.cpay.ltd'>a link is not a load</a>",
    )
    assert build_script.offline_problems(html) == []


@pytest.mark.parametrize(
    ("head", "body", "remote"),
    [
        ("", "<script src='https://cdn.redocly.com/redoc/v3/redoc.standalone.js'></script>", "cdn.redocly.com"),
        ("<link rel='stylesheet' href='https://fonts.googleapis.com/css?family=Roboto'>", "", "fonts.googleapis"),
        ("<link rel='modulepreload' href='//cdn.example/redoc.js'>", "", "//cdn.example"),
        ("", "<img alt='logo' src='https://cdn.redoc.ly/redoc/logo-mini.svg'>", "cdn.redoc.ly"),
        ("", "<img alt='x' srcset='a.png 1x, https://cdn.example/b.png 2x'>", "cdn.example/b.png"),
        ("<style>@font-face{src:url('https://fonts.gstatic.com/x.woff2')}</style>", "", "fonts.gstatic"),
        ('<style>@import "https://fonts.googleapis.com/css";</style>', "", "fonts.googleapis"),
        ("", "<div style='background:url(https://cdn.example/bg.png)'></div>", "cdn.example/bg.png"),
        ("", "<iframe src='https://example.com/'></iframe>", "example.com"),
    ],
)
def test_a_page_that_loads_a_remote_resource_is_not_offline(head: str, body: str, remote: str) -> None:
    problems = build_script.offline_problems(page(head=head, body=body))
    assert len(problems) == 1
    assert remote in problems[0]


def test_a_page_without_a_policy_that_forbids_remote_loads_is_not_offline() -> None:
    assert build_script.offline_problems(page(policy="")) == [
        "has no Content-Security-Policy meta tag with default-src 'none'"
    ]
    permissive = """<meta http-equiv="Content-Security-Policy" content="default-src *">"""
    assert build_script.offline_problems(page(policy=permissive)) != []


def test_make_docs_writes_both_references_and_the_notes_they_link(built_reference: Path) -> None:
    api_page = (built_reference / "index.html").read_text(encoding="utf-8")
    control_page = (built_reference / "control" / "index.html").read_text(encoding="utf-8")
    assert "<title>C-Pay API</title>" in api_page
    assert "<title>C-Pay emulator control API</title>" in control_page
    for html in (api_page, control_page):
        assert build_script.offline_problems(html) == []
        assert '"disableTelemetry":true' in html  # Redoc reports nothing to Redocly from the page either

    # The spec's link to its notes is relative to the spec; the build keeps that layout next to index.html.
    with open(REPO / "openapi.yaml", encoding="utf-8") as stream:
        notes_link = yaml.safe_load(stream)["externalDocs"]["url"]
    assert (REPO / notes_link).read_bytes() == (REPO / "docs" / "spec-notes.md").read_bytes()
    assert (built_reference / notes_link).read_bytes() == (REPO / "docs" / "spec-notes.md").read_bytes()
    assert f'href="{notes_link}"' in api_page


def test_a_spec_redocly_cannot_read_fails_the_build_and_writes_no_page(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("openapi: 3.1.0\ninfo: [not, an, object\n", encoding="utf-8")
    with pytest.raises(AssertionError, match=r"redocly build-docs .* failed"):
        build_reference(tmp_path / "out", "--spec", str(broken))
    assert not (tmp_path / "out" / "index.html").exists()
