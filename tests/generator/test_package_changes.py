"""The rules of ``generator/package_changes.py`` on small packages shaped like the generated ``cpay_client``.

Each test writes an old and a new copy of a package (an attrs model the API takes, one it returns, an enum and
an operation module with the four generated functions), loads both with griffe and compares them.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from change_report import Change
from package_changes import compare_packages, load

REQUEST_MODEL = """
    from attrs import define as _attrs_define
    from attrs import field as _attrs_field
    from ..types import UNSET, Unset
    T = TypeVar("T", bound="ThingRequest")

    @_attrs_define
    class ThingRequest:
        name: str
        note: str | Unset = UNSET
        additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)
"""
RESULT_MODEL = """
    from attrs import define as _attrs_define
    from .kind import Kind
    from ..types import UNSET, Unset

    @_attrs_define
    class Thing:
        id: str
        kind: Kind
        label: str | Unset = UNSET
"""
KIND = """
    from enum import StrEnum

    class Kind(StrEnum):
        A = "a"
        B = "b"
"""
OPERATION = """
    from ...client import Client
    from ...models.thing import Thing
    from ...models.thing_request import ThingRequest

    def sync_detailed(*, client: Client, body: ThingRequest) -> Thing: ...
    def sync(*, client: Client, body: ThingRequest) -> Thing | None: ...
    async def asyncio_detailed(*, client: Client, body: ThingRequest) -> Thing: ...
    async def asyncio(*, client: Client, body: ThingRequest) -> Thing | None: ...
"""


def write_package(folder: Path, **replacements: str) -> Path:
    files = {
        "cpay_client/__init__.py": "",
        "cpay_client/client.py": "class Client: ...\n",
        "cpay_client/types.py": "class Unset: ...\nUNSET: Unset = Unset()\n",
        "cpay_client/models/__init__.py": (
            "from .kind import Kind\nfrom .thing import Thing\nfrom .thing_request import ThingRequest\n"
            '__all__ = ("Kind", "Thing", "ThingRequest")\n'
        ),
        "cpay_client/models/kind.py": KIND,
        "cpay_client/models/thing.py": RESULT_MODEL,
        "cpay_client/models/thing_request.py": REQUEST_MODEL,
        "cpay_client/api/__init__.py": "",
        "cpay_client/api/things/__init__.py": "",
        "cpay_client/api/things/create_thing.py": OPERATION,
    }
    for name, content in {**files, **replacements}.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return folder


def compare(tmp_path: Path, **replacements: str) -> list[str]:
    old = write_package(tmp_path / "old")
    new = write_package(tmp_path / "new", **replacements)
    changes: list[Change] = compare_packages(load(old), load(new))
    return [change.line() for change in changes]


def test_the_same_package_has_no_change(tmp_path: Path) -> None:
    assert compare(tmp_path) == []


def test_a_model_field_without_a_default_is_a_new_required_constructor_argument(tmp_path: Path) -> None:
    required = RESULT_MODEL.replace(
        "    label: str | Unset = UNSET", "    label: str | Unset = UNSET\n        risk: str"
    )
    assert compare(tmp_path, **{"cpay_client/models/thing.py": required}) == [
        "- Breaking: `cpay_client.models.Thing`: required field `risk` added (a new constructor argument)"
    ]


def test_a_model_field_with_a_default_is_an_addition(tmp_path: Path) -> None:
    optional = RESULT_MODEL + "        risk: str | Unset = UNSET\n"
    assert compare(tmp_path, **{"cpay_client/models/thing.py": optional}) == [
        "- Added: `cpay_client.models.Thing`: optional field `risk` added"
    ]


def test_a_removed_field_and_a_field_that_loses_its_default_break(tmp_path: Path) -> None:
    changed = REQUEST_MODEL.replace("        note: str | Unset = UNSET\n", "")
    required = REQUEST_MODEL.replace("    note: str | Unset = UNSET", "    note: str | Unset")
    assert compare(tmp_path / "removed", **{"cpay_client/models/thing_request.py": changed}) == [
        "- Breaking: `cpay_client.models.ThingRequest.note`: removed"
    ]
    assert compare(tmp_path / "required", **{"cpay_client/models/thing_request.py": required}) == [
        "- Breaking: `cpay_client.models.ThingRequest`: field `note` is now a required constructor argument"
    ]


def test_an_enum_member_added_is_an_addition_and_one_removed_breaks(tmp_path: Path) -> None:
    assert compare(tmp_path / "added", **{"cpay_client/models/kind.py": KIND + '        C = "c"\n'}) == [
        "- Added: `cpay_client.models.Kind`: enum member `C` added"
    ]
    assert compare(tmp_path / "removed", **{"cpay_client/models/kind.py": KIND.replace('        B = "b"\n', "")}) == [
        "- Breaking: `cpay_client.models.Kind.B`: removed"
    ]
    assert compare(tmp_path / "value", **{"cpay_client/models/kind.py": KIND.replace('"b"', '"bb"')}) == [
        "- Breaking: `cpay_client.models.Kind.B`: value 'b' -> 'bb'"
    ]


@pytest.mark.parametrize(
    ("module", "old_line", "new_line", "expected"),
    [
        (
            "thing_request",
            "    note: str | Unset = UNSET",
            "    note: str | int | Unset = UNSET",
            "- Changed: `cpay_client.models.ThingRequest.note`: type `str | Unset` -> `str | int | Unset`",
        ),
        (
            "thing",
            "    label: str | Unset = UNSET",
            "    label: str | int | Unset = UNSET",
            "- Breaking: `cpay_client.models.Thing.label`: type `str | Unset` -> `str | int | Unset`",
        ),
        (
            "thing",
            "    label: str | Unset = UNSET",
            "    label: str = UNSET",
            "- Changed: `cpay_client.models.Thing.label`: type `str | Unset` -> `str`",
        ),
        (
            "thing_request",
            "    name: str",
            "    name: int",
            "- Breaking: `cpay_client.models.ThingRequest.name`: type `str` -> `int`",
        ),
    ],
    ids=["a model the API takes accepts more", "a model it returns may hold more", "returns less", "another type"],
)
def test_a_field_type_change_breaks_unless_it_only_widens_what_is_sent_or_narrows_what_is_received(
    tmp_path: Path, module: str, old_line: str, new_line: str, expected: str
) -> None:
    source = {"thing": RESULT_MODEL, "thing_request": REQUEST_MODEL}[module]
    assert old_line in source
    assert compare(tmp_path, **{f"cpay_client/models/{module}.py": source.replace(old_line, new_line)}) == [expected]


def test_a_change_shared_by_the_four_functions_is_one_line(tmp_path: Path) -> None:
    with_page = OPERATION.replace("body: ThingRequest)", "body: ThingRequest, page: int | None = None)")
    without_body = OPERATION.replace(", body: ThingRequest", "")
    assert compare(tmp_path / "added", **{"cpay_client/api/things/create_thing.py": with_page}) == [
        "- Added: `cpay_client.api.things.create_thing`: `sync_detailed`, `sync`, `asyncio_detailed`, `asyncio`: "
        "optional parameter `page` added"
    ]
    assert compare(tmp_path / "removed", **{"cpay_client/api/things/create_thing.py": without_body}) == [
        "- Breaking: `cpay_client.api.things.create_thing`: `sync_detailed`, `sync`, `asyncio_detailed`, `asyncio`: "
        "parameter `body` removed"
    ]


def test_a_new_operation_module_and_model_are_named_once(tmp_path: Path) -> None:
    model = "from attrs import define as _attrs_define\n\n@_attrs_define\nclass Gadget:\n    size: int\n"
    exports = (
        "from .gadget import Gadget\nfrom .kind import Kind\nfrom .thing import Thing\n"
        "from .thing_request import ThingRequest\n"
        '__all__ = ("Gadget", "Kind", "Thing", "ThingRequest")\n'
    )
    assert compare(
        tmp_path,
        **{
            "cpay_client/api/things/list_things.py": OPERATION,
            "cpay_client/models/gadget.py": model,
            "cpay_client/models/__init__.py": exports,
        },
    ) == [
        "- Added: `cpay_client.api.things.list_things`: module added "
        "(functions `sync_detailed`, `sync`, `asyncio_detailed`, `asyncio`)",
        "- Added: `cpay_client.models.Gadget`: model (fields size) added",
    ]


def test_a_removed_operation_module_breaks(tmp_path: Path) -> None:
    old = write_package(tmp_path / "old")
    new = write_package(tmp_path / "new")
    (new / "cpay_client/api/things/create_thing.py").unlink()
    assert [change.line() for change in compare_packages(load(old), load(new))] == [
        "- Breaking: `cpay_client.api.things.create_thing`: removed"
    ]
