"""Does an installed distribution declare exactly what its modules import? Read from the installed files.

A wheel that imports a package it does not declare works wherever that package happens to be installed (a
developer's environment) and fails with ``ModuleNotFoundError`` in a user's fresh one; a requirement that nothing
imports is a dependency a user's app carries for nothing. This module reads every ``.py`` file a distribution
installed (its ``RECORD``) with ``ast``, takes the top-level name of each absolute import, and sorts it:

- the standard library (``sys.stdlib_module_names``), or the distribution's own top-level packages;
- provided by one of its requirements (``Requires-Dist``, the distributions that installed that top-level name:
  ``importlib.metadata.packages_distributions``); ``yaml`` is PyYAML's, so it counts for ``pyyaml``;
- a host's: the module an entry point of the group ``pytest11`` names is only ever imported by pytest, which is
  therefore there (``HOSTS``); nothing else of the distribution may import it for that reason;
- anything else is **undeclared**. A requirement none of whose top-level names is imported is **unused**.

Imports under ``if TYPE_CHECKING:`` are for type checkers and never run, so they need no requirement. An import
inside a function counts (it runs when called). ``importlib.import_module`` with a computed name is not seen:
the packages here use it only for their own lazy attributes.

It needs only the standard library, because it runs inside the fresh environment it audits::

    python import_audit.py [--path DIR] DISTRIBUTION...

prints ``{distribution: {"undeclared": [[name, file, line], ...], "unused": [requirement, ...]}}`` as JSON;
``--path`` audits the distributions installed in DIR (a doctored copy) against the running environment's others.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
from collections.abc import Iterator, Mapping
from importlib.metadata import Distribution, distributions, packages_distributions
from pathlib import Path
from typing import NamedTuple

__all__ = ["HOSTS", "Audit", "audit", "normalize", "runtime_imports"]

HOSTS: Mapping[str, str] = {"pytest11": "pytest"}
"""Entry-point group -> the distribution that loads its modules, and is therefore installed when they run."""

_REQUIREMENT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_OPTIONAL = re.compile(r";.*\bextra\s*==")


class Audit(NamedTuple):
    undeclared: list[tuple[str, str, int]]
    """(top-level name, file relative to the installation, line) for every import nothing declares."""
    unused: list[str]
    """Requirements (normalized names) that no module imports."""


def normalize(name: str) -> str:
    """A distribution name as PEP 503 compares them: ``PyYAML`` and ``pyyaml``, ``jsonschema_rs`` and ``-rs``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def runtime_imports(source: str) -> Iterator[tuple[str, int]]:
    """(top-level name, line) of each absolute import that can run: not the body of ``if TYPE_CHECKING:``."""

    def visit(node: ast.AST) -> Iterator[tuple[str, int]]:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for branch in node.orelse:
                yield from visit(branch)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.partition(".")[0], node.lineno
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module is not None:
            yield node.module.partition(".")[0], node.lineno
        for child in ast.iter_child_nodes(node):
            yield from visit(child)

    yield from visit(ast.parse(source))


def _requirements(distribution: Distribution) -> set[str]:
    """The normalized names of what the distribution always requires (not what only an extra adds)."""
    names = set()
    for line in distribution.requires or []:
        match = _REQUIREMENT_NAME.match(line.strip())
        if match and not _OPTIONAL.search(line):
            names.add(normalize(match.group()))
    return names


def audit(distribution: Distribution, providers: Mapping[str, list[str]]) -> Audit:
    """Sort every import of ``distribution``'s installed modules; ``providers`` maps a top-level name to the
    distributions that installed it (``packages_distributions()``)."""
    sources = [path for path in distribution.files or [] if path.suffix == ".py"]
    own = {path.parts[0].removesuffix(".py") for path in sources if ".dist-info" not in path.parts[0]}
    requirements = _requirements(distribution)
    hosted = {
        (entry_point.module.replace(".", "/"), HOSTS[entry_point.group])
        for entry_point in distribution.entry_points
        if entry_point.group in HOSTS
    }
    undeclared: list[tuple[str, str, int]] = []
    imported: set[str] = set()
    for path in sources:
        module = str(path.with_suffix("")).removesuffix("/__init__")
        text = Path(str(distribution.locate_file(path))).read_text(encoding="utf-8")
        for name, line in runtime_imports(text):
            imported.add(name)
            if name in sys.stdlib_module_names or name in own or (module, normalize(name)) in hosted:
                continue
            if not requirements & {normalize(provider) for provider in providers.get(name, [])}:
                undeclared.append((name, str(path), line))
    used = {normalize(provider) for name in imported for provider in providers.get(name, [])}
    return Audit(undeclared=undeclared, unused=sorted(requirements - used))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--path", type=Path, help="audit the distributions installed in this directory")
    parser.add_argument("distributions", nargs="+", metavar="DISTRIBUTION")
    arguments = parser.parse_args(argv)
    search = [str(arguments.path)] if arguments.path else sys.path
    found = {normalize(d.metadata["Name"]): d for d in distributions(path=search)}
    providers = packages_distributions()
    report = {}
    for name in arguments.distributions:
        if normalize(name) not in found:
            parser.error(f"{name} is not installed in {search}")
        result = audit(found[normalize(name)], providers)
        report[name] = {"undeclared": result.undeclared, "unused": result.unused}
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
