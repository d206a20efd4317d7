"""The change report of ``make generate``: what a regeneration changes for the users of ``cpay_client``.

A report holds two lists of :class:`Change`: what changed in the API as ``openapi.yaml`` describes it
(``spec_changes.py``) and what changed in the generated package's public Python API (``package_changes.py``).
Each change carries an :class:`Impact` from the client's point of view; the worst one decides the
:class:`Level` of the next version (``versioning.py``). Deprecations get a section of their own, after both
lists, so that a reader of the changelog sees what to move away from before it is removed. The report
renders as Markdown, printed by ``make generate``, written to ``reports/generate/changes.md`` and pasted by
``--bump`` into ``generated/CHANGELOG.md``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field


class Impact(enum.Enum):
    """What one change means for code written against the previous version of the client."""

    BREAKING = "Breaking"  # such code can fail: something it used is gone or behaves differently
    ADDED = "Added"  # something new; such code is unaffected
    DEPRECATED = "Deprecated"  # still works, now warns (DeprecationWarning): a removal may follow
    CHANGED = "Changed"  # a compatible change of something that exists (a relaxed rule, a moved path)
    DOCUMENTATION = "Documentation"  # descriptions and summaries only


IMPACT_ORDER = (Impact.BREAKING, Impact.ADDED, Impact.DEPRECATED, Impact.CHANGED, Impact.DOCUMENTATION)


class Level(enum.IntEnum):
    """The semantic-versioning level a set of changes calls for; ordered, so ``max`` picks the strongest."""

    NONE = 0  # nothing to release
    PATCH = 1
    MINOR = 2
    MAJOR = 3


@dataclass(frozen=True, order=True)
class Change:
    """One change: ``subject`` names what changed (an operation, a Python object), ``text`` says how."""

    impact: Impact = field(compare=False)
    subject: str
    text: str

    def line(self) -> str:
        return f"- {self.impact.value}: `{self.subject}`: {self.text}"


@dataclass(frozen=True)
class Report:
    """The changes from a base (a release of the client) to the freshly generated client."""

    base_label: str  # e.g. "cpay-client 1.0.0"
    spec_changes: tuple[Change, ...] = ()
    package_changes: tuple[Change, ...] = ()
    spec_text_changed: bool = False  # openapi.yaml differs from the base's, even if no change above shows it

    @property
    def changes(self) -> tuple[Change, ...]:
        return self.spec_changes + self.package_changes

    @property
    def breaking(self) -> tuple[Change, ...]:
        return tuple(change for change in self.changes if change.impact is Impact.BREAKING)

    @property
    def level(self) -> Level:
        """Major for a breaking change, minor for an addition or a deprecation, patch for any other change."""
        impacts = {change.impact for change in self.changes}
        if Impact.BREAKING in impacts:
            return Level.MAJOR
        if impacts & {Impact.ADDED, Impact.DEPRECATED}:
            return Level.MINOR
        if impacts or self.spec_text_changed:
            return Level.PATCH
        return Level.NONE

    def summary(self) -> str:
        if self.level is Level.NONE:
            return f"No change since {self.base_label}."
        if not self.changes:
            return f"openapi.yaml changed since {self.base_label}, but nothing a user of the client can see."
        sides = [
            f"{side} {_counts(changes)}"
            for side, changes in (("API", self.spec_changes), ("Python client", self.package_changes))
            if changes
        ]
        return f"Changes since {self.base_label}: {'; '.join(sides)}."

    def markdown_sections(self) -> list[str]:
        """The report's body: one section per side (breaking, added, changed, documentation), then deprecations."""
        lines: list[str] = []
        for title, changes in (
            ("API (openapi.yaml)", [c for c in self.spec_changes if c.impact is not Impact.DEPRECATED]),
            ("Python client (cpay_client)", [c for c in self.package_changes if c.impact is not Impact.DEPRECATED]),
            ("Deprecated", [change for change in self.changes if change.impact is Impact.DEPRECATED]),
        ):
            if not changes:
                continue
            lines += ["", f"### {title}", ""]
            lines += [change.line() for change in _grouped(changes)]
        return lines


def _counts(changes: Iterable[Change]) -> str:
    materialized = list(changes)
    counts = [(impact, sum(1 for change in materialized if change.impact is impact)) for impact in IMPACT_ORDER]
    return ", ".join(f"{count} {impact.value.lower()}" for impact, count in counts if count)


def _grouped(changes: Iterable[Change]) -> list[Change]:
    """Breaking changes first, then additions, compatible changes and documentation; stable within each."""
    materialized = list(changes)
    return [change for impact in IMPACT_ORDER for change in materialized if change.impact is impact]
