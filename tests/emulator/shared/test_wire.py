"""The envelope's bytes: orjson must write exactly what the stdlib encoder wrote before it."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from cpay_emulator.shared.wire import envelope

STDLIB = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))

# What handlers answer: text (any code point but lone surrogates, which neither encoder can write as UTF-8),
# integers, None, and lists and objects of those.
text = st.text(st.characters(exclude_categories=["Cs"]))
values = st.recursive(
    st.none() | st.integers(min_value=-(2**63), max_value=2**64 - 1) | text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
    max_leaves=12,
)


@given(data=values, msg=text)
def test_envelope_bytes_are_those_of_the_stdlib_encoder(data: Any, msg: str) -> None:
    expected = STDLIB.encode({"code": 0, "msg": msg, "data": data, "traceid": "261125024328X1234567"}).encode()
    assert envelope(0, msg, data, "261125024328X1234567") == expected


def test_values_orjson_refuses_still_encode_as_before() -> None:
    data: dict[Any, Any] = {"big": 2**70, 7: "int key"}
    assert (
        envelope(1, "fail", data, "t")
        == b'{"code":1,"msg":"fail","data":{"big":1180591620717411303424,"7":"int key"},"traceid":"t"}'
    )
