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
    sent = REQUEST_MODEL.replace("        name: str\n", "        name: str\n        risk: str\n")
    received = RESULT_MODEL.replace(
        "    label: str | Unset = UNSET", "    label: str | Unset = UNSET\n        risk: str"
    )
    assert compare(tmp_path / "sent", **{"cpay_client/models/thing_request.py": sent}) == [
        "- Breaking: `cpay_client.models.ThingRequest`: required field `risk` added (a new constructor argument)",
        "- Breaking: `cpay_client.models.ThingRequest`: constructor arguments moved (`note` 2 -> 3): "
        "a call by position fills other fields",  # the model of this test takes arguments by position
    ]
    # A model only the API returns is built by the parser: only a test double that builds one must follow.
    assert compare(tmp_path / "received", **{"cpay_client/models/thing.py": received}) == [
        "- Changed: `cpay_client.models.Thing`: required field `risk` added (a new constructor argument) (of a model "
        "the API only returns: it matters to code that builds one, such as a test double)"
    ]


def test_a_literal_is_a_narrower_str_and_an_int_a_narrower_float(tmp_path: Path) -> None:
    literal = RESULT_MODEL.replace(
        "    label: str | Unset = UNSET", "    label: Literal['a, b'] | Unset = UNSET"
    ).replace("    from attrs import define", "    from typing import Literal\n    from attrs import define")
    number = REQUEST_MODEL.replace("    note: str | Unset = UNSET", "    note: int | Unset = UNSET")
    wider_number = REQUEST_MODEL.replace("    note: str | Unset = UNSET", "    note: float | Unset = UNSET")
    assert compare(tmp_path / "literal", **{"cpay_client/models/thing.py": literal}) == [
        "- Changed: `cpay_client.models.Thing.label`: type `str | Unset` -> `Literal['a, b'] | Unset`"
    ]
    old = write_package(tmp_path / "int", **{"cpay_client/models/thing_request.py": number})
    new = write_package(tmp_path / "float", **{"cpay_client/models/thing_request.py": wider_number})
    assert [change.line() for change in compare_packages(load(old), load(new))] == [
        "- Changed: `cpay_client.models.ThingRequest.note`: type `int | Unset` -> `float | Unset`"
    ]
    assert [change.line() for change in compare_packages(load(new), load(old))] == [
        "- Breaking: `cpay_client.models.ThingRequest.note`: type `float | Unset` -> `int | Unset`"
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


def test_a_field_whose_name_changes_only_in_word_breaks_is_one_rename(tmp_path: Path) -> None:
    # callbackURL -> callBackURL on the wire gives callback_url -> call_back_url in Python.
    before = REQUEST_MODEL.replace("    note: str | Unset = UNSET", "    callback_url: str | Unset = UNSET")
    after = REQUEST_MODEL.replace("    note: str | Unset = UNSET", "    call_back_url: str | Unset = UNSET")
    old = write_package(tmp_path / "old", **{"cpay_client/models/thing_request.py": before})
    new = write_package(tmp_path / "new", **{"cpay_client/models/thing_request.py": after})
    assert [change.line() for change in compare_packages(load(old), load(new))] == [
        "- Breaking: `cpay_client.models.ThingRequest.callback_url`: renamed to `call_back_url`: use the new name"
    ]


def test_a_field_removed_beside_an_unrelated_new_one_is_no_rename(tmp_path: Path) -> None:
    swapped = REQUEST_MODEL.replace("    note: str | Unset = UNSET", "    memo: str | Unset = UNSET")
    assert compare(tmp_path, **{"cpay_client/models/thing_request.py": swapped}) == [
        "- Breaking: `cpay_client.models.ThingRequest.note`: removed",
        "- Added: `cpay_client.models.ThingRequest`: optional field `memo` added",
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


def test_a_property_of_an_enum_is_not_listed_as_one_of_its_members(tmp_path: Path) -> None:
    known = KIND + "\n        @property\n        def is_known(self) -> bool:\n            return True\n"
    new_enum = {"cpay_client/models/kind.py": known, "cpay_client/models/shade.py": known.replace("Kind", "Shade")}
    models = (
        "from .kind import Kind\nfrom .shade import Shade\nfrom .thing import Thing\n"
        'from .thing_request import ThingRequest\n__all__ = ("Kind", "Shade", "Thing", "ThingRequest")\n'
    )
    assert compare(tmp_path, **new_enum, **{"cpay_client/models/__init__.py": models}) == [
        "- Added: `cpay_client.models.Kind.is_known`: attribute added",
        "- Added: `cpay_client.models.Shade`: enum (members A, B) added",
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


def test_a_changed_default_breaks_a_model_the_api_takes_not_one_it_returns(tmp_path: Path) -> None:
    sent = REQUEST_MODEL.replace("    note: str | Unset = UNSET", '    note: str | Unset = "en-US"')
    received = RESULT_MODEL.replace("    label: str | Unset = UNSET", '    label: str | Unset = "en-US"')
    assert compare(tmp_path / "sent", **{"cpay_client/models/thing_request.py": sent}) == [
        "- Breaking: `cpay_client.models.ThingRequest`: field `note`: default `UNSET` -> `'en-US'` "
        "(the same call now sends another value)"
    ]
    assert compare(tmp_path / "received", **{"cpay_client/models/thing.py": received}) == [
        "- Changed: `cpay_client.models.Thing`: field `label`: default `UNSET` -> `'en-US'`"
    ]


def test_a_field_that_gets_a_default_may_be_left_out(tmp_path: Path) -> None:
    optional = REQUEST_MODEL.replace("        name: str\n", "        name: str | Unset = UNSET\n")
    assert compare(tmp_path, **{"cpay_client/models/thing_request.py": optional}) == [
        "- Changed: `cpay_client.models.ThingRequest`: field `name` may now be left out (default `UNSET`)",
        "- Changed: `cpay_client.models.ThingRequest.name`: type `str` -> `str | Unset`",
    ]


POSITIONAL_PAYOUT = """
    from attrs import define as _attrs_define
    from ..types import UNSET, Unset

    @_attrs_define
    class ThingRequest:
        name: str
        total_amount: str
        received_amount: str
        to_address: str
"""
# receivedAmount made optional: the generator declares required fields first, so it moves behind to_address.
POSITIONAL_PAYOUT_MOVED = """
    from attrs import define as _attrs_define
    from ..types import UNSET, Unset

    @_attrs_define
    class ThingRequest:
        name: str
        total_amount: str
        to_address: str
        received_amount: str | Unset = UNSET
"""


def test_a_field_that_moves_breaks_a_positional_model_but_not_a_keyword_only_one(tmp_path: Path) -> None:
    def keyword_only(source: str) -> str:
        return source.replace("@_attrs_define\n", "@_attrs_define(kw_only=True)\n")

    old = write_package(tmp_path / "old", **{"cpay_client/models/thing_request.py": POSITIONAL_PAYOUT})
    new = write_package(tmp_path / "new", **{"cpay_client/models/thing_request.py": POSITIONAL_PAYOUT_MOVED})
    left_out = (
        "- Changed: `cpay_client.models.ThingRequest`: field `received_amount` may now be left out (default `UNSET`)"
    )
    retyped = "- Changed: `cpay_client.models.ThingRequest.received_amount`: type `str` -> `str | Unset`"
    assert [change.line() for change in compare_packages(load(old), load(new))] == [
        left_out,
        "- Breaking: `cpay_client.models.ThingRequest`: constructor arguments moved "
        "(`received_amount` 3 -> 4, `to_address` 4 -> 3): a call by position fills other fields",
        retyped,
    ]

    old = write_package(tmp_path / "kw-old", **{"cpay_client/models/thing_request.py": keyword_only(POSITIONAL_PAYOUT)})
    new = write_package(
        tmp_path / "kw-new", **{"cpay_client/models/thing_request.py": keyword_only(POSITIONAL_PAYOUT_MOVED)}
    )
    assert [change.line() for change in compare_packages(load(old), load(new))] == [left_out, retyped]


def test_a_model_that_becomes_keyword_only_breaks_calls_by_position(tmp_path: Path) -> None:
    keyword_only = REQUEST_MODEL.replace("@_attrs_define\n", "@_attrs_define(kw_only=True)\n")
    assert compare(tmp_path / "on", **{"cpay_client/models/thing_request.py": keyword_only}) == [
        "- Breaking: `cpay_client.models.ThingRequest`: constructor is now keyword-only "
        "(arguments by position are refused)"
    ]
    old = write_package(tmp_path / "off-old", **{"cpay_client/models/thing_request.py": keyword_only})
    new = write_package(tmp_path / "off-new")
    assert [change.line() for change in compare_packages(load(old), load(new))] == [
        "- Changed: `cpay_client.models.ThingRequest`: constructor now also takes arguments by position"
    ]
