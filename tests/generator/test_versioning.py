"""Versions, the changelog's format and the level a report calls for (``generator/versioning.py``,
``generator/change_report.py``)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from change_report import Change, Impact, Level, Report
from versioning import (
    Changelog,
    Release,
    ReleaseError,
    Version,
    config_with_version,
    git_blob_id,
    read_config_version,
)

ROOT = Path(__file__).resolve().parents[2]
BLOB = "d6187eb9dd226f99b4691123ea899f3906689b79"


@pytest.mark.parametrize(
    ("level", "expected"),
    [(Level.MAJOR, "2.0.0"), (Level.MINOR, "1.5.0"), (Level.PATCH, "1.4.3"), (Level.NONE, "1.4.2")],
)
def test_a_bump_resets_the_lower_numbers(level: Level, expected: str) -> None:
    assert str(Version.parse("1.4.2").bumped(level)) == expected


@pytest.mark.parametrize("text", ["2.0", "1.0.0.0", "01.0.0", "1.0.0-rc1", "v1.0.0", ""])
def test_only_major_minor_patch_is_a_version(text: str) -> None:
    with pytest.raises(ReleaseError, match=r"is not a version MAJOR\.MINOR\.PATCH"):
        Version.parse(text)


def test_versions_order_numerically() -> None:
    assert Version.parse("1.10.0") > Version.parse("1.9.3")


def change(impact: Impact) -> Change:
    return Change(impact, "createOrder", "something")


@pytest.mark.parametrize(
    ("impacts", "spec_text_changed", "level"),
    [
        ([Impact.ADDED, Impact.BREAKING, Impact.DOCUMENTATION], True, Level.MAJOR),
        ([Impact.ADDED, Impact.CHANGED], True, Level.MINOR),
        ([Impact.CHANGED], True, Level.PATCH),
        ([Impact.DOCUMENTATION], True, Level.PATCH),
        ([], True, Level.PATCH),
        ([], False, Level.NONE),
    ],
)
def test_the_worst_change_decides_the_level(impacts: list[Impact], spec_text_changed: bool, level: Level) -> None:
    report = Report("cpay-client 1.0.0", spec_changes=tuple(change(impact) for impact in impacts))
    report = Report(report.base_label, report.spec_changes, spec_text_changed=spec_text_changed)
    assert report.level is level


def test_a_report_groups_breaking_changes_first() -> None:
    report = Report(
        "cpay-client 1.0.0",
        spec_changes=(change(Impact.ADDED), change(Impact.BREAKING)),
        package_changes=(Change(Impact.ADDED, "cpay_client.models.X", "model added"),),
    )
    assert report.markdown_sections() == [
        "",
        "### API (openapi.yaml)",
        "",
        "- Breaking: `createOrder`: something",
        "- Added: `createOrder`: something",
        "",
        "### Python client (cpay_client)",
        "",
        "- Added: `cpay_client.models.X`: model added",
    ]
    assert report.summary() == "Changes since cpay-client 1.0.0: API 1 breaking, 1 added; Python client 1 added."


def test_a_changelog_reads_back_what_it_writes() -> None:
    releases = (
        Release(Version(1, 1, 0), "1" * 40, " (C-Pay API 2.0)", "Minor.\n\n### API (openapi.yaml)\n\n- Added: `x`: y"),
        Release(Version(1, 0, 0), BLOB, " (C-Pay API 2.0)", "First release."),
    )
    text = Changelog(releases).render()
    assert Changelog.parse(text) == Changelog(releases)
    assert Changelog.parse(text).latest.version == Version(1, 1, 0)


def test_the_committed_changelog_records_the_committed_spec_as_its_latest_release() -> None:
    changelog = Changelog.read(ROOT / "generated" / "CHANGELOG.md")
    assert changelog.latest.version == read_config_version(ROOT / "generator" / "config.yaml")


def test_a_changelog_out_of_order_or_without_its_spec_record_is_refused() -> None:
    older_first = Changelog(
        (Release(Version(1, 0, 0), BLOB, "", "a"), Release(Version(1, 1, 0), BLOB, "", "b"))
    ).render()
    with pytest.raises(ReleaseError, match=r"1\.1\.0 is listed below 1\.0\.0; newest must come first"):
        Changelog.parse(older_first)
    with pytest.raises(ReleaseError, match=r"the entry '## 1.0.0' has no `<!-- openapi.yaml: git blob"):
        Changelog.parse("# Changelog\n\n## 1.0.0\n\nFirst release.\n")
    with pytest.raises(ReleaseError, match="records no release"):
        _ = Changelog.parse("# Changelog\n").latest


def test_the_version_line_is_rewritten_in_place(tmp_path: Path) -> None:
    text = (
        'package_name_override: cpay_client\npackage_version_override: "1.0.0"  # the version\nliteral_enums: false\n'
    )
    rewritten = config_with_version(text, Version(2, 0, 0))
    assert rewritten == text.replace('"1.0.0"', '"2.0.0"')
    (tmp_path / "config.yaml").write_text(rewritten, encoding="utf-8")
    assert read_config_version(tmp_path / "config.yaml") == Version(2, 0, 0)
    (tmp_path / "config.yaml").write_text("literal_enums: false\n", encoding="utf-8")
    with pytest.raises(ReleaseError, match=r"has no `package_version_override: X\.Y\.Z` line"):
        read_config_version(tmp_path / "config.yaml")


def test_the_blob_id_is_gits(tmp_path: Path) -> None:
    content = b"openapi: 3.1.0\ninfo: {title: t, version: '2.0'}\n"
    (tmp_path / "spec.yaml").write_bytes(content)
    expected = subprocess.run(
        ["git", "hash-object", str(tmp_path / "spec.yaml")], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert git_blob_id(content) == expected
