"""``cpay-emulator spec suggest`` and ``cpay-emulator spec apply``: from the proxy's recordings to a reviewed change of
``openapi.yaml``.

``suggest`` reads recordings (``proxy --record``) and writes an Overlay 1.0 document of what the traffic shows that
the spec does not say (``proxy.learning``); a person reviews it and deletes what they disagree with. ``apply``
applies an overlay to the spec in place, keeping the file's comments and key order (``shared.overlay``), and adds
a row per finding to ``docs/spec-notes.md`` (``shared.spec_notes``); ``make generate OVERLAY=overlay.yaml`` runs it
before regenerating the client, so the change report and the version it proposes follow.

Nothing is written half: an overlay that is not Overlay 1.0, an action that cannot be applied, a result that is
no longer a usable spec or notes without their table leave every file as it was.
"""

from __future__ import annotations

import argparse
import collections
import datetime
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from cpay_emulator.proxy.learning import read_exchanges, relative_to, suggest
from cpay_emulator.shared.overlay import OverlayError, apply_overlay, dump_round_trip, load_overlay, load_round_trip
from cpay_emulator.shared.spec import compile_operations, default_spec_path, load_spec
from cpay_emulator.shared.spec_notes import add_change_rows, change_rows

__all__ = ["add_spec_command", "run_spec_command"]

_DESCRIPTION = """\
From the validating proxy's recordings to a reviewed change of openapi.yaml. `suggest` compares the recorded
exchanges with the spec and writes an Overlay 1.0 document, one action per finding with its evidence; review it
and delete what you disagree with. `apply` applies it to the spec, keeping the file's comments and key order,
and adds a row per finding to docs/spec-notes.md. `make generate OVERLAY=overlay.yaml` applies and regenerates.
"""

_EPILOG = """\
examples:
  cpay-emulator proxy --upstream https://sandbox-api.cpay.ltd --merchant 20000092 --record traffic.jsonl
  cpay-emulator spec suggest traffic.jsonl.1 traffic.jsonl -o overlay.yaml --spec openapi.yaml
  cpay-emulator spec apply overlay.yaml --spec openapi.yaml          (or: make generate OVERLAY=overlay.yaml)
"""


def add_spec_command(commands: Any) -> None:
    """Add ``spec`` (``suggest``, ``apply``) to the ``cpay-emulator`` sub-command parser ``commands``."""
    formatter = argparse.RawDescriptionHelpFormatter
    spec = commands.add_parser(
        "spec",
        help="learn openapi.yaml from recorded traffic: suggest an overlay, apply it",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=formatter,
    )
    verbs = spec.add_subparsers(dest="spec_command", required=True, metavar="VERB")
    suggester = verbs.add_parser(
        "suggest",
        help="write an Overlay 1.0 document of what the recordings show that the spec does not say",
        description="Compare each recorded exchange (and webhook notification) with the spec, inside the envelope, "
        "and write one overlay action per finding, each citing its evidence. Findings an update cannot express are "
        "comments at the top. Nothing found: no overlay is written.",
        epilog=_EPILOG,
        formatter_class=formatter,
    )
    suggester.add_argument("recordings", nargs="+", type=Path, metavar="RECORDING", help="recordings, oldest first")
    suggester.add_argument("-o", "--output", type=Path, default=None, metavar="OVERLAY", help="default: stdout")
    suggester.add_argument("--spec", type=Path, default=None, help="the OpenAPI document (default: openapi.yaml)")
    applier = verbs.add_parser(
        "apply",
        help="apply an Overlay 1.0 document to the spec, keeping its comments and key order",
        description="Apply the overlay's actions in order (RFC 9535 JSONPath targets), write the spec back with "
        "only the changed nodes changed, and add a row per finding to the notes' 'Changes of the API after v2.0'. "
        "Then run `make generate` for the change report and the version it proposes.",
        epilog=_EPILOG,
        formatter_class=formatter,
    )
    applier.add_argument("overlay", type=Path, metavar="OVERLAY")
    applier.add_argument("--spec", type=Path, default=None, help="the OpenAPI document (default: openapi.yaml)")
    applier.add_argument(
        "--output", type=Path, default=None, metavar="FILE", help="write the result here (default: the spec, in place)"
    )
    notes = applier.add_mutually_exclusive_group()
    notes.add_argument(
        "--notes",
        type=Path,
        default=None,
        metavar="FILE",
        help="the spec notes to add rows to (default: docs/spec-notes.md beside the spec, if there is one)",
    )
    notes.add_argument("--no-notes", action="store_true", help="add no row to the spec notes")


def _spec_path(arguments: argparse.Namespace) -> Path:
    path: Path = arguments.spec or default_spec_path()
    return path


def run_suggest(arguments: argparse.Namespace) -> int:
    """Write the overlay (or say there is nothing to write); a summary on stderr."""
    spec_path = _spec_path(arguments)
    try:
        document = load_spec(spec_path)
        result = suggest(document, read_exchanges(arguments.recordings))
    except (OSError, ValueError, yaml.YAMLError) as error:
        print(f"cpay-emulator spec suggest: {error}", file=sys.stderr)
        return 2
    sources = [str(path) for path in arguments.recordings]
    read = f"{result.exchanges} exchange(s) and {result.notifications} webhook notification(s) compared"
    skipped = (
        f", {result.skipped} skipped (answered by the proxy itself, aborted, outside the spec, or a notification "
        "whose sign is wrong or missing)"
    )
    print(f"{read} with {spec_path}{skipped if result.skipped else ''}", file=sys.stderr)
    for finding in result.findings:
        mark = "comment" if finding.is_comment else f"{len(finding.actions)} action(s)"
        print(f"  finding {finding.number} ({mark}): {finding.summary}", file=sys.stderr)
    if not result.findings:
        print("no finding: the recordings agree with the spec", file=sys.stderr)
        return 0
    if not result.actions:
        print("no overlay written: no finding can be expressed as an update (see the comments above)", file=sys.stderr)
        return 0
    folder = (arguments.output.parent if arguments.output else Path.cwd()).resolve()
    text = result.overlay_text(sources, relative_to(spec_path.resolve(), folder))
    if arguments.output is None:
        sys.stdout.write(text)
        return 0
    try:
        _write(arguments.output, text)
    except OSError as error:
        print(f"cpay-emulator spec suggest: cannot write {arguments.output}: {error}", file=sys.stderr)
        return 2
    findings = len(result.findings) - len(result.comments)
    print(
        f"wrote {arguments.output}: {len(result.actions)} action(s) for {findings} finding(s), "
        f"{len(result.comments)} comment(s); review it, then: make generate OVERLAY={arguments.output}",
        file=sys.stderr,
    )
    return 0


def _duplicate_enum_values(node: Any, where: str = "$") -> Iterator[str]:
    """Every ``enum`` that lists a value twice: what applying an overlay a second time does (arrays concatenate)."""
    if isinstance(node, dict):
        values = node.get("enum")
        if isinstance(values, list):
            counted = collections.Counter(repr(value) for value in values)
            doubled = [text for text, count in counted.items() if count > 1]
            if doubled:
                yield f"{where}.enum lists {', '.join(doubled)} more than once"
        for key, value in node.items():
            yield from _duplicate_enum_values(value, f"{where}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _duplicate_enum_values(value, f"{where}[{index}]")


def _notes_path(arguments: argparse.Namespace, spec_path: Path) -> Path | None:
    if arguments.no_notes:
        return None
    if arguments.notes is not None:
        return Path(arguments.notes)
    beside = spec_path.resolve().parent / "docs" / "spec-notes.md"
    return beside if beside.is_file() else None


def run_apply(arguments: argparse.Namespace) -> int:
    """Apply, check the result, then write the spec and the notes; nothing is written when anything fails."""
    spec_path = _spec_path(arguments)
    output = arguments.output or spec_path
    notes_path = _notes_path(arguments, spec_path)
    try:
        overlay = load_overlay(arguments.overlay)
        document = load_round_trip(spec_path.read_text(encoding="utf-8"))
        results = apply_overlay(document, overlay)
        text = dump_round_trip(document)
        applied = yaml.safe_load(text)
        compile_operations(applied)  # every validator the emulator and the proxy build from it still compiles
        doubled = list(_duplicate_enum_values(applied))
        if doubled:
            raise OverlayError("; ".join(doubled) + " (was this overlay applied already?)")
        notes, rows = None, []
        if notes_path is not None:
            rows = change_rows(overlay, str(arguments.overlay), datetime.date.today())
            notes = add_change_rows(notes_path.read_text(encoding="utf-8"), rows)
    except (OSError, ValueError, yaml.YAMLError) as error:  # OverlayError is a ValueError
        print(f"cpay-emulator spec apply: {error}", file=sys.stderr)
        print(f"cpay-emulator spec apply: nothing written ({output} is unchanged)", file=sys.stderr)
        return 2
    except Exception as error:  # a schema jsonschema-rs refuses to compile: the result is not a usable spec
        print(f"cpay-emulator spec apply: the result is not a usable OpenAPI document: {error}", file=sys.stderr)
        print(f"cpay-emulator spec apply: nothing written ({output} is unchanged)", file=sys.stderr)
        return 2
    for result in results:
        if result.selected == 0:
            print(
                f"cpay-emulator spec apply: action {result.number} selects nothing ({result.target}): applied "
                "already, or written for another version of the spec?",
                file=sys.stderr,
            )
        elif result.present == result.selected:
            print(
                f"cpay-emulator spec apply: action {result.number} is in the spec already ({result.target}): "
                "left as it is",
                file=sys.stderr,
            )
    try:
        _write(output, text)
        if notes_path is not None and notes is not None:
            _write(notes_path, notes)
    except OSError as error:
        print(f"cpay-emulator spec apply: cannot write: {error}", file=sys.stderr)
        return 2
    changed = sum(result.selected - result.present for result in results)
    rows_added = f"; {notes_path}: {len(rows)} row(s) added" if notes is not None else ""
    print(f"applied {arguments.overlay} to {output}: {len(results)} action(s), {changed} node(s) changed{rows_added}")
    return 0


def _write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all (a temporary file beside it, then renamed over it)."""
    folder = path.resolve().parent
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o777)
        else:  # mkstemp's file is private; a new overlay or spec is as readable as any file the user writes
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path.resolve())
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def run_spec_command(arguments: argparse.Namespace) -> int:
    """Run ``spec suggest`` or ``spec apply``."""
    if arguments.spec_command == "suggest":
        return run_suggest(arguments)
    return run_apply(arguments)
