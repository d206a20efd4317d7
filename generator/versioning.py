"""The semantic version of ``cpay_client`` and its release history, ``generated/CHANGELOG.md``.

The version lives in one place, ``package_version_override`` in ``generator/config.yaml``: the generator writes
it into ``generated/pyproject.toml``. It is the client's own version, apart from the API document's
``info.version`` (2.0), and starts at 1.0.0: major for a change that can break code written for the previous
version, minor for additions, patch for anything else (``change_report.Level``).

Each release is an entry of ``generated/CHANGELOG.md``, newest first, written by ``make generate BUMP=1``. An
entry records the git blob id of the ``openapi.yaml`` it was made from (``<!-- openapi.yaml: git blob … -->``),
so the next report compares with exactly that document: ``git cat-file blob`` reads it back from the
repository, from any clone, without a tag or a copy of the old spec in the tree.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from change_report import Level

VERSION_KEY = "package_version_override"
VERSION_LINE = re.compile(rf"^{VERSION_KEY}:[ \t]*[\"']?(?P<version>[^\"'\s#]*)[\"']?[ \t]*(?P<comment>#.*)?$", re.M)
HEADING = re.compile(r"^## (?P<version>\S+)(?P<rest>.*)$")
SPEC_RECORD = re.compile(r"^<!-- openapi\.yaml: git blob (?P<blob>[0-9a-f]{40}) -->$")
CHANGELOG_PREAMBLE = """\
# Changelog of cpay-client

Releases of the generated client `cpay_client`, newest first. Its version follows semantic versioning and is
separate from the version of the C-Pay API document (`info.version` in `openapi.yaml`): **major** for a change
that can break code written for the previous version, **minor** for additions, **patch** for anything else.
Each entry is the change report of `make generate`, recorded by `make generate BUMP=1`; its `openapi.yaml`
line is the git blob of the spec it was generated from, the base of the next report. Do not edit by hand.
"""


class ReleaseError(Exception):
    """The version or the release history cannot be read, or a release's spec cannot be found."""


@dataclass(frozen=True, order=True)
class Version:
    major: int
    minor: int
    patch: int

    @classmethod
    def parse(cls, text: str) -> Version:
        match = re.fullmatch(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)", text.strip())
        if match is None:
            raise ReleaseError(f"{text!r} is not a version MAJOR.MINOR.PATCH (e.g. 1.4.0)")
        return cls(int(match[1]), int(match[2]), int(match[3]))

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"

    def bumped(self, level: Level) -> Version:
        if level is Level.MAJOR:
            return Version(self.major + 1, 0, 0)
        if level is Level.MINOR:
            return Version(self.major, self.minor + 1, 0)
        if level is Level.PATCH:
            return Version(self.major, self.minor, self.patch + 1)
        return self


@dataclass(frozen=True)
class Release:
    """One entry of the changelog: the version, the spec's git blob id and the report's text."""

    version: Version
    spec_blob: str
    title: str  # what follows the version on the heading, e.g. " (C-Pay API 2.0)"
    body: str  # the Markdown after the spec record, without surrounding blank lines

    def render(self) -> str:
        return f"## {self.version}{self.title}\n\n<!-- openapi.yaml: git blob {self.spec_blob} -->\n\n{self.body}\n"


@dataclass(frozen=True)
class Changelog:
    releases: tuple[Release, ...]  # newest first

    @property
    def latest(self) -> Release:
        if not self.releases:
            raise ReleaseError("generated/CHANGELOG.md records no release")
        return self.releases[0]

    @classmethod
    def parse(cls, text: str, source: str = "generated/CHANGELOG.md") -> Changelog:
        releases: list[Release] = []
        chunks = re.split(r"^(?=## )", text, flags=re.M)
        for chunk in chunks[1:]:
            lines = chunk.strip("\n").split("\n")
            heading = HEADING.match(lines[0])
            records = [SPEC_RECORD.match(line.strip()) for line in lines[1:]]
            record = next((match for match in records if match), None)
            if heading is None or record is None:
                raise ReleaseError(
                    f"{source}: the entry {lines[0]!r} has no `<!-- openapi.yaml: git blob ... -->` line"
                )
            body_lines = lines[1:]
            body_lines.pop(next(index for index, match in enumerate(records) if match))
            version = Version.parse(heading["version"])
            if releases and version >= releases[-1].version:
                raise ReleaseError(
                    f"{source}: {version} is listed below {releases[-1].version}; newest must come first"
                )
            releases.append(Release(version, record["blob"], heading["rest"], "\n".join(body_lines).strip("\n")))
        return cls(tuple(releases))

    @classmethod
    def read(cls, path: Path) -> Changelog:
        if not path.is_file():
            raise ReleaseError(f"{path} is missing: it records every release of the client (see generator/README.md)")
        return cls.parse(path.read_text(encoding="utf-8"), source=str(path))

    def render(self) -> str:
        return CHANGELOG_PREAMBLE + "".join(f"\n{release.render()}" for release in self.releases)

    def with_release(self, release: Release, *, replacing: frozenset[Version] = frozenset()) -> Changelog:
        kept = tuple(existing for existing in self.releases if existing.version not in replacing)
        return Changelog((release, *kept))


def read_config_version(config: Path) -> Version:
    match = VERSION_LINE.search(config.read_text(encoding="utf-8"))
    if match is None:
        raise ReleaseError(f"{config} has no `{VERSION_KEY}: X.Y.Z` line: the client's version lives there")
    return Version.parse(match["version"])


def config_with_version(text: str, version: Version) -> str:
    """The config's text with its version line set to ``version`` (comments and layout kept)."""
    match = VERSION_LINE.search(text)
    if match is None:
        raise ReleaseError(f"the generator config has no `{VERSION_KEY}: X.Y.Z` line")
    comment = f"  {match['comment']}" if match["comment"] else ""
    return f'{text[: match.start()]}{VERSION_KEY}: "{version}"{comment}{text[match.end() :]}'


def git_blob_id(content: bytes) -> str:
    """The id git gives a file with this content (``git hash-object``): the same in every clone."""
    return hashlib.sha1(b"blob %d\0" % len(content) + content, usedforsecurity=False).hexdigest()


def read_git_blob(root: Path, blob: str) -> bytes:
    """The content of the blob ``blob`` from the repository at ``root``."""
    result = _git(root, "cat-file", "blob", blob)
    if result.returncode != 0:
        raise ReleaseError(
            f"the repository at {root} does not hold git blob {blob} ({result.stderr.decode(errors='replace').strip()})"
        )
    return result.stdout


def read_git_file(root: Path, ref: str, path: str) -> bytes:
    result = _git(root, "show", f"{ref}:{path}")
    if result.returncode != 0:
        raise ReleaseError(f"cannot read {path} at {ref}: {result.stderr.decode(errors='replace').strip()}")
    return result.stdout


def store_git_blob(root: Path, path: Path) -> None:
    """Write ``path`` into the object store (``git hash-object -w``), so a release's spec can be read back at once."""
    _git(root, "hash-object", "-w", "--", str(path))


def committed_versions(root: Path, changelog: str) -> frozenset[Version] | None:
    """The releases of the changelog as committed at ``HEAD``; None when there is no git or no commit."""
    result = _git(root, "show", f"HEAD:{changelog}")
    if result.returncode != 0:
        return None
    try:
        return frozenset(release.version for release in Changelog.parse(result.stdout.decode("utf-8")).releases)
    except ReleaseError:
        return None


def _git(root: Path, *arguments: str) -> subprocess.CompletedProcess[bytes]:
    if not (root / ".git").exists():  # never fall back to a repository that merely encloses a copy
        return subprocess.CompletedProcess(["git", *arguments], 128, b"", b"not a git repository (no .git)")
    try:
        return subprocess.run(["git", "-C", str(root), *arguments], capture_output=True, check=False, timeout=60)  # noqa: S603, S607
    except (OSError, subprocess.TimeoutExpired) as error:
        return subprocess.CompletedProcess(["git", *arguments], 128, b"", str(error).encode())
