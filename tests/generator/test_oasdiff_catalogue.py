"""oasdiff's rule catalogue against this spec: the verdict of a user of the Python client for every rule that applies.

oasdiff (``oasdiff/oasdiff``) classes API changes by ``checker/rules.go``: ``ERR`` and ``WARN`` break clients,
``INFO`` does not. ``oasdiff_rules.txt`` lists its rules (id and level). Each rule that can apply to
``openapi.yaml`` is a mutation in ``catalogue_mutations.py``: an edit of the spec, the lines ``make generate``
must report for it, and the level of version a user of the client would give it; where that differs from
oasdiff's level, the mutation's docstring says why. The rules that cannot apply are listed, each with its
reason, in ``generator/README.md`` ("oasdiff's rules that this spec cannot meet").

All mutations run on one scratch copy, against its own ``openapi.yaml`` (``make generate BASE=HEAD``, so a
spec change waiting for its release does not show in every report). Mutations that touch different parts of
the dereferenced spec are applied together, up to ``BATCH_SIZE`` per run of ``make generate`` (12 runs of
about 5 s); a batch whose report is not exactly the union of its mutations' lines runs again one mutation at a
time, so that a failure names its mutation (and ``test_each_batch_reports_what_its_mutations_report_alone``
fails, since the reruns cost the time budget).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from change_report import Level
from scratch_repo import ROOT, ScratchRepo

from .catalogue_mutations import MUTATIONS, Mutation, Spec

pytestmark = pytest.mark.slow

RULES_FILE = Path(__file__).with_name("oasdiff_rules.txt")
README = ROOT / "generator" / "README.md"
UNTESTED_SECTION = "### oasdiff's rules that this spec cannot meet"
BATCH_SIZE = 20  # first-fit grouping: larger batches do not give fewer than 12 runs
LINE = re.compile(r"^- (Breaking|Added|Deprecated|Changed|Documentation): ")
LEVEL_OF_IMPACT = {
    "Breaking": Level.MAJOR,
    "Added": Level.MINOR,
    "Deprecated": Level.MINOR,
    "Changed": Level.PATCH,
    "Documentation": Level.PATCH,
}


def oasdiff_rules() -> dict[str, str]:
    """Rule id -> oasdiff's level (ERR, WARN, INFO)."""
    rules: dict[str, str] = {}
    for line in RULES_FILE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            rule, level = line.split()
            rules[rule] = level
    return rules


def untested_rules() -> set[str]:
    """The ids that generator/README.md lists as not applying: the names before the colon of each bullet."""
    text = README.read_text(encoding="utf-8")
    assert UNTESTED_SECTION in text, f"generator/README.md has no section {UNTESTED_SECTION!r}"
    section = text.split(UNTESTED_SECTION, 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]
    names: set[str] = set()
    for line in section.splitlines():
        if line.startswith("- ") and ":" in line:
            names |= set(re.findall(r"`([a-z0-9-]+)`", line.split(":", 1)[0]))
    return names


def level_of(lines: tuple[str, ...] | frozenset[str]) -> Level:
    """The level a report of these lines calls for (a spec edit with no line is a patch)."""
    return max((LEVEL_OF_IMPACT[match[1]] for line in lines if (match := LINE.match(line))), default=Level.PATCH)


# ---- running the mutations -----------------------------------------------------------------------------------


def dereferenced(document: Spec) -> Any:
    """The document with every local ``$ref`` replaced by what it names (a reference to itself stays)."""

    def follow(node: Any, seen: frozenset[str]) -> Any:
        if isinstance(node, Mapping):
            reference = node.get("$ref")
            if isinstance(reference, str) and reference.startswith("#/") and reference not in seen:
                target: Any = document
                for part in reference[2:].split("/"):
                    target = target[part]
                siblings = {key: value for key, value in node.items() if key != "$ref"}
                return follow({**target, **siblings}, seen | {reference})
            return {key: follow(value, seen) for key, value in node.items()}
        if isinstance(node, list):
            return [follow(item, seen) for item in node]
        return node

    return follow(document, frozenset())


def touched(old: Any, new: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """The places where two documents differ, as paths of keys (a list is one place)."""
    if old == new:
        return
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        for key in old.keys() | new.keys():
            yield from touched(old.get(key), new.get(key), (*path, str(key)))
    else:
        yield path


def overlaps(first: set[tuple[str, ...]], second: set[tuple[str, ...]]) -> bool:
    return any(a[: len(b)] == b or b[: len(a)] == a for a in first for b in second)


def batches(base: Spec) -> list[list[Mutation]]:
    """Mutations grouped so that none of a group touches what another one touches (after dereferencing)."""
    plain = dereferenced(base)
    places: dict[str, set[tuple[str, ...]]] = {}
    for mutation in MUTATIONS:
        document = copy.deepcopy(base)
        mutation.edit(document)
        # The operationId and the first tag name the client's module (and edits find an operation by its
        # operationId): changing either touches the whole operation, whose every line then names another module.
        places[mutation.name] = {
            place[:-1] if place[-1:] in (("operationId",), ("tags",)) else place
            for place in touched(plain, dereferenced(document))
        }
    groups: list[tuple[list[Mutation], set[tuple[str, ...]]]] = []
    for mutation in MUTATIONS:
        mine = places[mutation.name]
        if mutation.refused:  # make generate fails on it: it would fail its batch
            groups.append(([mutation], {()}))
            continue
        for members, taken in groups:
            if len(members) < BATCH_SIZE and not overlaps(mine, taken):
                members.append(mutation)
                taken |= mine
                break
        else:
            groups.append(([mutation], set(mine)))
    return [members for members, _ in groups]


@dataclass(frozen=True)
class Outcome:
    lines: frozenset[str]
    error: str | None = None  # make generate failed


@dataclass
class Catalogue:
    """What the runs gave: each mutation's outcome, and the batches that had to run again one by one."""

    outcomes: dict[str, Outcome]
    split: list[list[str]]


def report(repo: ScratchRepo, base: Spec, mutations: list[Mutation]) -> Outcome:
    document = copy.deepcopy(base)
    for mutation in mutations:
        mutation.edit(document)
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=120)
    (repo.path / "openapi.yaml").write_text(text, encoding="utf-8")
    run = repo.make("generate", BASE="HEAD")
    if run.returncode != 0:
        return Outcome(frozenset(), f"make generate exited {run.returncode}:\n{run.stderr[-2000:]}")
    return Outcome(frozenset(line for line in run.stdout.splitlines() if LINE.match(line)))


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> Catalogue:
    repo = ScratchRepo.create(tmp_path_factory.mktemp("catalogue") / "repo")
    base = repo.spec()
    result = Catalogue(outcomes={}, split=[])
    for group in batches(base):
        together = report(repo, base, group)
        if len(group) == 1:  # a batch of one (a refused edit runs alone) is its own answer
            result.outcomes[group[0].name] = together
            continue
        expected = frozenset(line for mutation in group for line in mutation.lines)
        if together.error is None and together.lines == expected:
            result.outcomes |= {mutation.name: Outcome(frozenset(mutation.lines)) for mutation in group}
        else:  # find which mutation does not give its lines
            result.outcomes |= {mutation.name: report(repo, base, [mutation]) for mutation in group}
            result.split.append([mutation.name for mutation in group])
    return result


# ---- the tests -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[mutation.name for mutation in MUTATIONS])
def test_the_report_gives_the_verdict_of_a_user_of_the_client(mutation: Mutation, catalogue: Catalogue) -> None:
    outcome = catalogue.outcomes[mutation.name]
    if mutation.refused:
        assert outcome.error is not None
        assert mutation.refused in outcome.error
        return
    assert outcome.error is None, outcome.error
    assert sorted(outcome.lines) == sorted(mutation.lines)
    assert level_of(outcome.lines) is mutation.verdict


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[mutation.name for mutation in MUTATIONS])
def test_a_verdict_unlike_oasdiffs_says_why(mutation: Mutation) -> None:
    levels = oasdiff_rules()
    for rule in mutation.rules:
        oasdiff_breaks = levels[rule] in ("ERR", "WARN")
        if mutation.verdict is None or oasdiff_breaks != (mutation.verdict is Level.MAJOR):
            assert mutation.why.startswith(f"oasdiff: {levels[rule]}"), (
                f"{mutation.name}: oasdiff says {levels[rule]} for {rule}, the verdict is "
                f"{mutation.verdict.name if mutation.verdict else 'refused'}; its docstring must say why, "
                f"starting 'oasdiff: {levels[rule]}.'"
            )


def test_each_batch_reports_what_its_mutations_report_alone(catalogue: Catalogue) -> None:
    """A batch that runs again one mutation at a time costs up to 20 more runs of ``make generate``: the whole
    catalogue must stay within two minutes. Mutations whose reports meet (one line for two edits) must not
    share a batch: give one of them a place the other does not touch."""
    assert catalogue.split == []


def test_every_rule_of_oasdiff_is_tested_or_listed_with_a_reason() -> None:
    rules = oasdiff_rules()
    tested = {rule for mutation in MUTATIONS for rule in mutation.rules}
    listed = untested_rules()
    assert sorted(tested - rules.keys()) == []  # a mutation names a rule oasdiff does not have
    assert sorted(listed - rules.keys()) == []  # the README names a rule oasdiff does not have
    assert sorted(tested & listed) == []  # tested, yet listed as not applying
    assert sorted(rules.keys() - tested - listed) == []  # neither tested nor accounted for
    assert len(set(mutation.name for mutation in MUTATIONS)) == len(MUTATIONS)


def test_the_mutations_and_the_batches_are_what_they_claim() -> None:
    """Every edit changes the spec, and no two of a batch touch the same place: a check of the checker's setup."""
    base: Spec = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
    for mutation in MUTATIONS:
        document = copy.deepcopy(base)
        mutation.edit(document)
        assert document != base, f"{mutation.name} changes nothing"
    groups = batches(base)
    assert sum(len(group) for group in groups) == len(MUTATIONS)
    for group in groups:  # the edits of a batch apply one after another: none may lose what another looks for
        document = copy.deepcopy(base)
        for mutation in group:
            mutation.edit(document)
    assert len(groups) < len(MUTATIONS) / 4  # batching is what keeps the run short
