"""Regenerate ``generated/`` from ``openapi.yaml`` (``make generate``) or prove it is up to date (``--check``).

The generator always writes into a fresh temporary folder. ``make generate`` then prints what changed for users
since the latest release of the client and the version that calls for (``release.py``), and makes
``generated/`` equal to that folder, deleting files the spec no longer produces (``openapi-python-client
--overwrite`` would only delete ``models/`` and ``api/``); ``--bump`` also records the release. ``--check``
compares the two trees byte for byte and exits 1 with a diff on any difference (the golden-record pattern of
openapi-python-client's own end-to-end tests), then exits 1 when the changes since the latest release break
callers under the same major version.

The output depends only on the spec, ``generator/config.yaml``, ``generator/templates/`` and the versions pinned
in ``requirements/constraints.txt``: the post hooks run this venv's ruff with ``--isolated --no-cache``.

Exit status: 0 done or up to date, 1 ``generated/`` differs from the spec or needs a new major version, 2 the
generator failed or the release history cannot be read.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import release
import yaml
from change_report import Level
from spec_changes import load_yaml
from versioning import ReleaseError

GENERATOR_DIR = Path(__file__).resolve().parent
ROOT = GENERATOR_DIR.parent
CONFIG = GENERATOR_DIR / "config.yaml"
TEMPLATES = GENERATOR_DIR / "templates"
DEPRECATIONS_TEMPLATE = "deprecations.jinja"  # written next to a copy of TEMPLATES for each run
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
META = "uv"  # writes generated/pyproject.toml (uv_build backend): `pip install -e generated` works
PROJECT_DIR_NAME = "cpay-client"
CONSTRAINTS = ROOT / "requirements" / "constraints.txt"
PINNED_TOOLS = ("openapi-python-client", "ruff")  # their versions shape every byte of generated/

# Build and tool by-products that may sit in generated/ (editable installs, test runs); never compared.
IGNORED_NAMES = frozenset({"__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache", "build", "dist"})
IGNORED_SUFFIXES = (".pyc", ".egg-info")

MAX_DIFF_LINES = 200


class GeneratorFailedError(Exception):
    """openapi-python-client failed or warned (the message holds its output), or a tool is not the pinned one."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if generated/ differs from a fresh generation")
    parser.add_argument("--spec", type=Path, default=ROOT / "openapi.yaml", help="the OpenAPI document")
    parser.add_argument("--output", type=Path, default=ROOT / "generated", help="the generated package's folder")
    parser.add_argument(
        "--bump",
        nargs="?",
        const="proposed",
        choices=["proposed", "patch", "minor", "major"],
        help="record a release: the version the report proposes, or a higher level (writes config and CHANGELOG)",
    )
    parser.add_argument("--base", metavar="REF", help="report against openapi.yaml at a git ref, not the last release")
    args = parser.parse_args(argv)
    if args.check and (args.bump or args.base):
        parser.error("--check takes neither --bump nor --base")
    if args.bump and args.base:
        parser.error("a release is always reported against the previous release: drop --base")

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="cpay-generate-") as scratch:
        fresh = Path(scratch) / PROJECT_DIR_NAME
        try:
            generate_into(fresh, args.spec)
        except GeneratorFailedError as error:
            print(f"cannot generate the client from {_shown(args.spec)}:\n{error}", file=sys.stderr)
            return 2
        workspace = release.Workspace(
            root=ROOT,
            spec=args.spec,
            output=args.output,
            config=CONFIG,
            templates=TEMPLATES,
            script=Path(__file__).resolve(),
            fresh=fresh,
            scratch=Path(scratch),
            generate=generate_into,
        )
        release.carry_history(workspace)
        if args.check:
            differences = list(diff_trees(expected=fresh, actual=args.output))
            if differences:
                print("\n".join(differences), file=sys.stderr)
                print(
                    f"\n{_shown(args.output)} is out of date with {_shown(args.spec)}: run `make generate` and "
                    "commit the result (never edit generated/ by hand).",
                    file=sys.stderr,
                )
                return 1
            try:
                version_fits, verdict = release.check(workspace)
            except (ReleaseError, GeneratorFailedError) as error:
                print(f"cannot check the version of {_shown(args.output)}: {error}", file=sys.stderr)
                return 2
            if not version_fits:
                print(verdict, file=sys.stderr)
                return 1
            print(f"{_shown(args.output)} matches {_shown(args.spec)}; {verdict} ({time.monotonic() - started:.1f} s)")
            return 0
        config_text = None
        try:
            bump = None if args.bump in (None, "proposed") else Level[args.bump.upper()]
            config_text = release.prepare(workspace, bump=bump, bump_requested=bool(args.bump), base_ref=args.base)
        except (ReleaseError, GeneratorFailedError) as error:
            if args.bump or args.base:
                print(f"cannot report the changes of {_shown(args.output)}: {error}", file=sys.stderr)
                return 2
            # The client itself was generated: write it, and say why there is no report.
            print(f"warning: no change report for {_shown(args.output)}: {error}", file=sys.stderr)
        changed = sync_tree(source=fresh, target=args.output)
        if config_text is not None:
            CONFIG.write_text(config_text, encoding="utf-8")
    print(f"{_shown(args.output)}: {changed} file(s) written or removed ({time.monotonic() - started:.1f} s)")
    return 0


def generate_into(destination: Path, spec: Path, config: Path = CONFIG, templates: Path = TEMPLATES) -> None:
    """Run the pinned openapi-python-client on ``spec`` into the new folder ``destination``.

    Raises ``GeneratorFailedError`` when the generator fails or warns, and before it runs for a spec it is known
    to turn into a broken client (``_refuse_broken_output``).
    """
    _check_pins()
    document = _read_document(spec)
    _refuse_broken_output(document)
    with tempfile.TemporaryDirectory(prefix="cpay-templates-") as folder:
        _run_generator(destination, spec, config, _templates_for(document, templates, Path(folder) / "templates"))


def _templates_for(document: dict[str, Any], templates: Path, folder: Path) -> Path:
    """A copy of ``templates`` with ``deprecations.jinja``: what the spec marks deprecated, for the templates.

    openapi-python-client reads ``deprecated`` but hands templates no such flag for operations and parameters,
    so ``templates/endpoint_module.py.jinja`` imports these lists instead: ``[path, method]`` of each deprecated
    operation and ``[path, method, name]`` of each deprecated parameter. (A model's fields need none: the model
    template reads its schema.) The lists depend only on the spec, so the output still does too.
    """
    shutil.copytree(templates, folder)
    operations, parameters = _deprecations(document)
    (folder / DEPRECATIONS_TEMPLATE).write_text(
        "{#- written by generator/generate.py for one run: what openapi.yaml marks deprecated -#}\n"
        f"{{% set operations = {_jinja_literal(operations)} %}}\n"
        f"{{% set parameters = {_jinja_literal(parameters)} %}}\n",
        encoding="utf-8",
    )
    return folder


def _refuse_broken_output(document: dict[str, Any]) -> None:
    """Refuse a request body with several media types: openapi-python-client 0.29.1 writes a broken client for it.

    It types the body ``Model | Model | Unset`` without importing ``Unset`` (the module fails at import), and
    ``_get_kwargs`` runs one ``isinstance`` branch per media type, so a model of the same class is set as both
    ``data`` and ``json``: httpx sends the form under the last media type's ``Content-Type``, which the server
    does not expect and ``cpay_signing`` refuses to sign. C-Pay needs only one: each interface of its document
    "uses the form form to receive parameters".
    """
    for path, method, _, operation in _operations(document):
        body = _resolved(document, operation.get("requestBody"))
        content = body.get("content")
        if isinstance(content, dict) and len(content) > 1:
            raise GeneratorFailedError(
                f"{method.upper()} {path}: the request body has {len(content)} media types "
                f"({', '.join(map(str, content))}); openapi-python-client 0.29.1 generates a module that fails at "
                "import for that and would send the form labelled as the last one. Give it one media type."
            )


def _read_document(spec: Path) -> dict[str, Any]:
    """The parsed spec, or an empty one when it cannot be read: the generator then reports why."""
    try:
        document = load_yaml(spec.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    if not isinstance(document, dict) or not isinstance(document.get("paths") or {}, dict):
        return {}  # not an OpenAPI document: the generator says why
    return document


def _resolved(document: dict[str, Any], node: Any) -> dict[str, Any]:
    """``node`` with its local ``$ref`` followed (an empty mapping for a broken or circular one)."""
    seen: set[str] = set()
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/"):
        if node["$ref"] in seen:
            return {}
        seen.add(node["$ref"])
        target: Any = document
        for part in node["$ref"][2:].split("/"):
            target = target.get(part.replace("~1", "/").replace("~0", "~")) if isinstance(target, dict) else None
        node = target
    return node if isinstance(node, dict) else {}


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    """``(path, method, path item, operation)`` of every operation of ``paths``, ``$ref`` followed."""
    for path, item in (document.get("paths") or {}).items():
        item = _resolved(document, item)
        for method in HTTP_METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                yield str(path), method, item, operation


def _deprecations(document: dict[str, Any]) -> tuple[list[list[str]], list[list[str]]]:
    """``[path, method]`` of each deprecated operation, ``[path, method, name]`` of each deprecated parameter."""
    operations: list[list[str]] = []
    parameters: list[list[str]] = []
    for path, method, item, operation in _operations(document):
        if operation.get("deprecated") is True:
            operations.append([path, method])
        shared, own = item.get("parameters") or [], operation.get("parameters") or []
        for node in [*(shared if isinstance(shared, list) else []), *(own if isinstance(own, list) else [])]:
            parameter = _resolved(document, node)
            if parameter.get("deprecated") is True and isinstance(parameter.get("name"), str):
                parameters.append([path, method, parameter["name"]])
    return operations, parameters


def _jinja_literal(value: list[list[str]]) -> str:
    """JSON, which Jinja reads as a list of strings, with the characters of Jinja's own delimiters escaped."""
    text = json.dumps(value, ensure_ascii=True)
    for character in "{}%#":
        text = text.replace(character, f"\\u{ord(character):04x}")
    return text


def _run_generator(destination: Path, spec: Path, config: Path, templates: Path) -> None:
    venv_bin = Path(sys.executable).parent
    generator = venv_bin / "openapi-python-client"
    if not (venv_bin / "ruff").exists() or not generator.exists():
        raise GeneratorFailedError(
            f"run with the project venv's python: no ruff or openapi-python-client in {venv_bin}"
        )
    env = {name: value for name, value in os.environ.items() if not name.startswith("RUFF_")}
    # The post hooks call `ruff` by name: make it the pinned one, whatever the host has on PATH.
    env["PATH"] = os.pathsep.join([str(venv_bin), env.get("PATH", "")])
    env["PYTHONHASHSEED"] = "0"
    command = [
        str(generator),
        "generate",
        "--path",
        str(spec),
        "--config",
        str(config),
        "--custom-template-path",
        str(templates),
        "--meta",
        META,
        "--output-path",
        str(destination),
        "--fail-on-warning",
    ]
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=destination.parent, check=False)  # noqa: S603
    if result.returncode != 0 or not (destination / "pyproject.toml").is_file():
        raise GeneratorFailedError(f"openapi-python-client says:\n{(result.stdout + result.stderr).strip()}")


def _check_pins() -> None:
    """Refuse to run with tool versions other than the pinned ones: their output would differ from the record."""
    if not CONSTRAINTS.is_file():  # a bare copy of the generator (tests/client/test_drift.py)
        return
    pins: dict[str, str] = {}
    for line in CONSTRAINTS.read_text(encoding="utf-8").splitlines():
        requirement = line.split("#", 1)[0].split(";", 1)[0].strip()
        if "==" in requirement:
            name, version = requirement.split("==", 1)
            pins[name.strip().lower()] = version.strip()
    for tool in PINNED_TOOLS:
        installed = metadata.version(tool)
        if pins.get(tool) != installed:
            raise GeneratorFailedError(
                f"{tool} {installed} is installed, requirements/constraints.txt pins {pins.get(tool)}: run `make venv`"
            )


def diff_trees(*, expected: Path, actual: Path) -> Iterator[str]:
    """Describe every difference between the two trees: missing, extra and changed files (unified diffs)."""
    expected_files = _files(expected)
    actual_files = _files(actual) if actual.is_dir() else {}
    shown_lines = 0
    for name in sorted(expected_files.keys() | actual_files.keys()):
        if name not in actual_files:
            yield f"missing from {_shown(actual)}: {name}"
        elif name not in expected_files:
            yield f"not produced by the generator (stale or hand-written): {_shown(actual)}/{name}"
        elif actual_files[name].read_bytes() != expected_files[name].read_bytes():
            lines = list(
                difflib.unified_diff(
                    _text_lines(actual_files[name]),
                    _text_lines(expected_files[name]),
                    fromfile=f"{_shown(actual)}/{name} (committed)",
                    tofile=f"{_shown(actual)}/{name} (regenerated)",
                )
            )
            if shown_lines >= MAX_DIFF_LINES:
                yield f"differs: {_shown(actual)}/{name}"
                continue
            yield "".join(lines[: MAX_DIFF_LINES - shown_lines]).rstrip("\n")
            shown_lines += len(lines)


def sync_tree(*, source: Path, target: Path) -> int:
    """Make ``target`` hold exactly the files of ``source`` (ignored by-products aside); return how many changed."""
    source_files = _files(source)
    target_files = _files(target) if target.is_dir() else {}
    changed = 0
    for name, path in target_files.items():
        if name not in source_files:
            path.unlink()
            changed += 1
    for name, path in source_files.items():
        content = path.read_bytes()
        destination = target / name
        if name in target_files and target_files[name].read_bytes() == content:
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(content)
        changed += 1
    _remove_empty_folders(target)
    return changed


def _files(root: Path) -> dict[str, Path]:
    files: dict[str, Path] = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if any(part in IGNORED_NAMES or part.endswith(IGNORED_SUFFIXES) for part in relative.parts):
            continue
        if path.is_file():
            files[relative.as_posix()] = path
    return files


def _remove_empty_folders(root: Path) -> None:
    for folder in sorted((path for path in root.rglob("*") if path.is_dir()), key=lambda p: len(p.parts), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()


def _text_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8", errors="replace").splitlines(keepends=True)


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix() or "."
    except ValueError:
        return str(path)


if __name__ == "__main__":
    sys.exit(main())
