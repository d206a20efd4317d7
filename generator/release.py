"""Releases of ``cpay_client``: the change report against the last release, the next version, and its guard.

``generate.py`` calls two entry points once the fresh client is in its temporary folder:

* :func:`prepare` (``make generate``): compares the fresh client with the latest release of
  ``generated/CHANGELOG.md`` (or with ``--base REF``), prints the report with the version it calls for and
  writes it to ``reports/generate/changes.md``. With ``--bump`` it also records the release: the fresh client
  is generated again under the new version and gets the new changelog entry, and the version goes into
  ``generator/config.yaml`` once ``generated/`` is written. A release made but not committed yet is replaced,
  not stacked, by the next ``--bump``.
* :func:`check` (``make check-generated``): the version in the config must be the latest release's, and
  when ``openapi.yaml`` has changed since that release the changes must not break anything: a breaking change
  needs a new major version, so it fails with the report and the version to release.

The base of every comparison is a spec (read back from git by the blob id the changelog records), generated
here with the current generator (once: ``client_cache.py`` keeps it), so both sides differ only by the spec.
What a generator upgrade changes by itself shows in ``git diff generated/``.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from change_report import Level, Report
from client_cache import cache_folder, cache_key, cached_client
from package_changes import compare_packages, load
from spec_changes import compare_documents, load_yaml
from versioning import (
    Changelog,
    Release,
    ReleaseError,
    Version,
    committed_versions,
    config_with_version,
    git_blob_id,
    read_config_version,
    read_git_blob,
    read_git_file,
    store_git_blob,
)

CHANGELOG_NAME = "CHANGELOG.md"
NOTES_NAME = "release-notes.md"
NOTES_HEADER = (
    "<!-- Notes for the next release of cpay-client and the SDK (cpay-openapi), written by hand: what the change\n"
    "report cannot see (a template's change, the runtime's own API). `make generate BUMP=1` moves them into the\n"
    "release's entry of generated/CHANGELOG.md and leaves this header. Markdown list items, one change each. -->\n"
)
REPORT_PATH = Path("reports") / "generate" / "changes.md"
LEVEL_MEANING = {
    Level.MAJOR: "major: breaking changes",
    Level.MINOR: "minor: additions or deprecations, nothing breaks",
    Level.PATCH: "patch: no change to what a user calls or reads",
}

# (destination folder, spec, generator config): runs the pinned generator; raises on failure.
GenerateInto = Callable[[Path, Path, Path], None]


@dataclass(frozen=True)
class Workspace:
    """Where one run of ``generate.py`` reads and writes."""

    root: Path  # the repository
    spec: Path
    output: Path  # generated/
    config: Path  # generator/config.yaml
    templates: Path  # generator/templates/
    script: Path  # generate.py: the base clients' cache key covers how it runs the generator
    fresh: Path  # the client just generated, in a temporary folder
    scratch: Path  # a temporary folder for the base's client
    generate: GenerateInto

    @property
    def changelog(self) -> Path:
        return self.output / CHANGELOG_NAME

    @property
    def notes(self) -> Path:
        """``generator/release-notes.md``: the hand-written notes the next release carries."""
        return self.config.parent / NOTES_NAME

    def pending_notes(self) -> str:
        """The notes waiting for the next release, without the file's header ("" when there are none)."""
        if not self.notes.is_file():
            return ""
        text = self.notes.read_text(encoding="utf-8")
        if text.startswith("<!--"):
            text = text.partition("-->")[2]
        return text.strip()

    def shown(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(path)


@dataclass(frozen=True)
class Base:
    """What the report compares with: a label for people and the spec, read only when it differs."""

    label: str
    spec_blob: str
    read: Callable[[], bytes]


def carry_history(workspace: Workspace) -> None:
    """The changelog is not produced by the generator: carry the current one into the fresh client."""
    if workspace.changelog.is_file():
        shutil.copyfile(workspace.changelog, workspace.fresh / CHANGELOG_NAME)


def review(workspace: Workspace, base: Base) -> Report:
    """The changes from ``base`` to the current spec and the fresh client (no generation when the spec is equal)."""
    spec = workspace.spec.read_bytes()
    if git_blob_id(spec) == base.spec_blob:
        return Report(base.label)
    base_spec = base.read()
    old_document, new_document = _parse(base_spec, base.label), _parse(spec, workspace.shown(workspace.spec))
    base_spec_path = workspace.scratch / "base-openapi.yaml"
    base_spec_path.write_bytes(base_spec)
    key = cache_key(base_spec, workspace.config, workspace.templates, workspace.script)
    try:
        base_client = cached_client(
            cache_folder(workspace.root),
            key,
            lambda destination: workspace.generate(destination, base_spec_path, workspace.config),
        )
    except Exception as error:
        raise ReleaseError(f"cannot generate the client of {base.label} to compare with:\n{error}") from error
    try:
        package_changes = compare_packages(load(base_client), load(workspace.fresh))
    except Exception as error:  # griffe's errors (a module it cannot parse, an alias it cannot resolve)
        raise ReleaseError(f"cannot compare the public API of the two clients: {error!r}") from error
    return Report(
        base.label,
        spec_changes=tuple(compare_documents(old_document, new_document)),
        package_changes=tuple(package_changes),
        spec_text_changed=True,
    )


def release_base(workspace: Workspace, release: Release) -> Base:
    def read() -> bytes:
        try:
            return read_git_blob(workspace.root, release.spec_blob)
        except ReleaseError as error:
            raise ReleaseError(
                f"the openapi.yaml of cpay-client {release.version} cannot be read back ({error}). A release is "
                "committed with the spec it records: was openapi.yaml changed after `make generate BUMP=1`, or "
                "is this not a git clone?"
            ) from error

    return Base(label=f"cpay-client {release.version}", spec_blob=release.spec_blob, read=read)


def ref_base(workspace: Workspace, ref: str) -> Base:
    content = read_git_file(workspace.root, ref, workspace.shown(workspace.spec))
    return Base(
        label=f"{workspace.shown(workspace.spec)} at {ref}", spec_blob=git_blob_id(content), read=lambda: content
    )


def prepare(
    workspace: Workspace, *, bump: Level | None = None, bump_requested: bool = False, base_ref: str | None = None
) -> str | None:
    """Print and write the change report; with ``bump_requested``, record the release it calls for (or ``bump``).

    Returns the generator config's new text, for the caller to write once ``generated/`` is written, or None.
    """
    changelog = Changelog.read(workspace.changelog)
    if base_ref is not None:
        report = review(workspace, ref_base(workspace, base_ref))
        _publish(workspace, report, heading=f"Changes against {report.base_label}", proposal=None)
        return None
    committed = committed_versions(workspace.root, workspace.shown(workspace.changelog))
    pending = frozenset(r.version for r in changelog.releases if committed is not None and r.version not in committed)
    if not bump_requested:
        latest = changelog.latest
        report = review(workspace, release_base(workspace, latest))
        proposal = latest.version.bumped(report.level) if report.level is not Level.NONE else None
        _publish(workspace, report, heading=_proposal_heading(latest, report, pending), proposal=proposal)
        return None
    released = [release for release in changelog.releases if release.version not in pending]
    if not released:
        raise ReleaseError(f"{workspace.shown(workspace.changelog)} has no committed release to bump from")
    base = released[0]
    report = review(workspace, release_base(workspace, base))
    level = max(report.level, bump) if bump is not None else report.level
    if bump is not None and bump < report.level:
        raise ReleaseError(
            f"the changes since {base.version} call for a {report.level.name.lower()} release; "
            f"a {bump.name.lower()} one would hide them (the report is above)"
        )
    if level is Level.NONE:
        _publish(
            workspace, report, heading=f"Nothing to release: openapi.yaml is the spec of {base.version}", proposal=None
        )
        return None
    version = base.version.bumped(level)
    config_text = config_with_version(workspace.config.read_text(encoding="utf-8"), version)
    _regenerate_as(workspace, config_text)
    spec = workspace.spec.read_bytes()
    notes = workspace.pending_notes()
    entry = Release(version, git_blob_id(spec), _title(spec), _entry_body(report, level, notes))
    (workspace.fresh / CHANGELOG_NAME).write_text(
        changelog.with_release(entry, replacing=pending).render(), encoding="utf-8"
    )
    store_git_blob(workspace.root, workspace.spec)  # readable by the next report before it is committed
    if notes:
        workspace.notes.write_text(NOTES_HEADER, encoding="utf-8")  # carried by this release's entry now
    _publish(workspace, report, heading=f"Released cpay-client {version} ({LEVEL_MEANING[level]})", proposal=None)
    replaced = ", ".join(str(v) for v in sorted(pending)) if pending else ""
    print(
        f"{workspace.shown(workspace.config)} now says {version}, {workspace.shown(workspace.changelog)} has its entry"
        + (f" (replacing the uncommitted {replaced})" if replaced else "")
        + f". Commit them with {workspace.shown(workspace.spec)} and {workspace.shown(workspace.output)}/."
    )
    return config_text


def check(workspace: Workspace) -> tuple[bool, str]:
    """Whether the version of ``generated/`` fits its changes since the latest release, and why not."""
    changelog = Changelog.read(workspace.changelog)
    version = read_config_version(workspace.config)
    latest = changelog.latest
    if version != latest.version:
        return False, (
            f"{workspace.shown(workspace.config)} says {version} but the latest release in "
            f"{workspace.shown(workspace.changelog)} is {latest.version}: set versions with `make generate BUMP=1`, "
            "which writes both."
        )
    report = review(workspace, release_base(workspace, latest))
    if report.level is Level.NONE:
        return True, f"cpay-client {version}: openapi.yaml is the spec of that release"
    proposal = version.bumped(report.level)
    if report.level is Level.MAJOR:
        lines = [report.summary(), *report.markdown_sections(), ""]
        lines.append(
            f"{workspace.shown(workspace.output)}/ carries breaking changes since cpay-client {version} under the "
            f"same major version {version.major}: run `make generate BUMP=1` (it releases {proposal}) and commit."
        )
        return False, "\n".join(lines)
    return True, (
        f"cpay-client {version} plus unreleased changes ({LEVEL_MEANING[report.level]}): "
        f"`make generate BUMP=1` releases them as {proposal}"
    )


def _regenerate_as(workspace: Workspace, config_text: str) -> None:
    """Generate the fresh client again with the new version in its pyproject.toml."""
    config = workspace.scratch / "config.yaml"
    config.write_text(config_text, encoding="utf-8")
    shutil.rmtree(workspace.fresh)
    workspace.generate(workspace.fresh, workspace.spec, config)


def _proposal_heading(latest: Release, report: Report, pending: frozenset[Version]) -> str:
    state = "not committed yet" if latest.version in pending else "the latest release"
    if report.level is Level.NONE:
        return f"No change since cpay-client {latest.version} ({state})"
    return f"Change report: openapi.yaml against cpay-client {latest.version} ({state})"


def _publish(workspace: Workspace, report: Report, *, heading: str, proposal: Version | None) -> None:
    lines = [f"## {heading}"]
    if report.level is not Level.NONE:
        lines += ["", report.summary(), *report.markdown_sections()]
    notes = workspace.pending_notes()
    if notes and proposal is not None:
        lines += ["", f"### Release notes (written by hand, in {workspace.shown(workspace.notes)})", "", notes]
    if proposal is not None:
        lines += [
            "",
            f"Next version: {proposal} ({LEVEL_MEANING[report.level]}). "
            "Record it with `make generate BUMP=1`, then commit.",
        ]
    text = "\n".join(lines) + "\n"
    path = workspace.root / REPORT_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(text, end="")
    print(f"(report written to {workspace.shown(path)})")


def _entry_body(report: Report, level: Level, notes: str = "") -> str:
    sections = [f"{LEVEL_MEANING[level].capitalize()}. {report.summary()}", *report.markdown_sections()]
    if notes:
        sections += ["", "### Release notes", "", notes]
    return "\n".join(sections)


def _title(spec: bytes) -> str:
    version = (_parse(spec, "openapi.yaml").get("info") or {}).get("version")
    return f" (C-Pay API {version})" if version else ""


def _parse(content: bytes, label: str) -> dict[str, Any]:
    try:
        document = load_yaml(content)
    except yaml.YAMLError as error:
        raise ReleaseError(f"{label} is not YAML: {error}") from error
    if not isinstance(document, dict):
        raise ReleaseError(f"{label} is not an OpenAPI document")
    return document
