"""``docs/spec-notes.md``'s record of how the API changed after v2.0: one row per applied finding of an overlay.

The notes keep every reading of ``openapi.yaml`` with its source; the table under "Changes of the API after
v2.0" lists, newest first, what C-Pay changed, where it was seen, how the spec now says it and the client release
that carries it. ``cpay-emulator spec apply`` adds the rows of an overlay it applies, built from the actions'
descriptions as ``spec suggest`` writes them (``<what was seen> Evidence: <exchanges, traceid, line>.``): the
part before ``Evidence:`` is what changed, the rest its source. Actions of one finding (``x-cpay-finding``) make
one row; an action of a hand-written overlay makes its own. The client column says ``unreleased`` until
``make generate BUMP=1`` releases one.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

__all__ = ["CHANGES_HEADING", "add_change_rows", "change_rows"]

CHANGES_HEADING = "## Changes of the API after v2.0"
_EVIDENCE = " Evidence: "
_FINDING = "x-cpay-finding"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def change_rows(overlay: Mapping[str, Any], source: str, day: datetime.date) -> list[str]:
    """The table rows for ``overlay``'s actions (``source``: how to name the overlay in the row)."""
    groups: dict[Any, list[Mapping[str, Any]]] = {}
    for number, action in enumerate(overlay.get("actions", []), start=1):
        key = action.get(_FINDING, f"action {number}")
        groups.setdefault(key, []).append(action)
    rows = []
    for actions in groups.values():
        described = next((action for action in reversed(actions) if "update" in action), actions[-1])
        description = str(described.get("description") or "").split(" Step ", 1)[0]
        what, _, evidence = description.partition(_EVIDENCE)
        what = what or f"The overlay's action on `{described['target']}`."
        seen = f"Traffic recorded by `cpay-emulator proxy`: {evidence.rstrip('.')}" if evidence else "no evidence given"
        targets = ", ".join(
            f"`{action['target']}`" + (" (removed)" if action.get("remove") else "") for action in actions
        )
        rows.append(
            f"| {day.strftime('%d/%m/%Y')} | {_cell(what)} | {_cell(seen)}; applied from `{_cell(source)}` | "
            f"{_cell(targets)} | unreleased |"
        )
    return rows


def add_change_rows(notes: str, rows: list[str]) -> str:
    """``notes`` with ``rows`` first in the table under ``CHANGES_HEADING`` (newest first); ``ValueError`` when the
    notes have no such table, so that nothing is written half."""
    lines = notes.splitlines(keepends=True)
    try:
        heading = next(index for index, line in enumerate(lines) if line.strip() == CHANGES_HEADING)
    except StopIteration:
        raise ValueError(f"the notes have no {CHANGES_HEADING!r} section") from None
    for index in range(heading + 1, len(lines)):
        line = lines[index].strip()
        if line.startswith("## "):
            break
        if line.startswith("| ---"):
            inserted = [row + "\n" for row in rows]
            if not lines[index].endswith("\n"):
                lines[index] += "\n"
            return "".join([*lines[: index + 1], *inserted, *lines[index + 1 :]])
    raise ValueError(f"the notes' {CHANGES_HEADING!r} section has no table to add a row to")
