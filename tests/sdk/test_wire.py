"""The one wire contract: ``sign_request_parameters`` and its verifying twin ``verify_request_parameters``.

``merchantId`` and ``sign`` go in the query string; the sign covers the query string and the form body as a
server decodes them; a name appears once. Every party (CPayAuth, the conformance auth, the emulator) calls
these two functions, so these tests pin the contract for all of them.
"""

from __future__ import annotations

import string
from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpay import (
    MalformedParametersError,
    SecretKey,
    SignatureError,
    SignatureProblem,
    VerifiedRequest,
    compute_sign,
    sign_request_parameters,
    verify_request_parameters,
)
from cpay._wire import CredentialsPlacement, _decode_into, _pieces

SECRET = "aaaaaaaaaaxxxxxx"
MERCHANT_ID = "20000092"


def sign(query: bytes | str, body: bytes | str | None = None) -> tuple[bytes, bytes | None]:
    return sign_request_parameters(query, body, merchant_id=MERCHANT_ID, secret_key=SECRET)


def stdlib_fields(query: bytes, body: bytes | None = None) -> dict[str, str]:
    """The parameters as a server reads them, decoded by the stdlib (independent of the module under test)."""
    pairs = parse_qsl(query.decode("ascii"), keep_blank_values=True, strict_parsing=True)
    if body:
        pairs += parse_qsl(body.decode("ascii"), keep_blank_values=True, strict_parsing=True)
    fields = dict(pairs)
    assert len(fields) == len(pairs), "a name is repeated"
    return fields


def test_a_get_query_string_gets_merchant_id_and_sign_at_its_end() -> None:
    query, body = sign(b"userId=%C3%A9+1&amount=3.10")
    assert body is None
    expected = compute_sign({"userId": "é 1", "amount": "3.10", "merchantId": MERCHANT_ID}, SECRET)
    assert query == b"userId=%C3%A9+1&amount=3.10&merchantId=20000092&sign=" + expected.encode()


def test_a_post_keeps_its_body_and_signs_it_with_the_query_string() -> None:
    query, body = sign(b"extra=q", b"amount=3.10&note=a+b%26c")
    assert body == b"amount=3.10&note=a+b%26c"
    fields = stdlib_fields(query, body)
    assert list(fields)[:3] == ["extra", "merchantId", "sign"]
    assert fields["sign"] == compute_sign(
        {"extra": "q", "amount": "3.10", "note": "a b&c", "merchantId": MERCHANT_ID}, SECRET
    )


def test_str_inputs_are_read_as_their_utf8_bytes() -> None:
    assert sign("a=é", "b=1") == sign("a=é".encode(), b"b=1")


def test_a_merchant_id_sent_in_the_query_string_stays_where_it_is() -> None:
    query, _ = sign(b"a=1&merchantId=777&b=2")
    assert query.startswith(b"a=1&merchantId=777&b=2&sign=")
    assert stdlib_fields(query)["sign"] == compute_sign({"a": "1", "merchantId": "777", "b": "2"}, SECRET)


def test_a_merchant_id_sent_in_the_body_moves_to_the_query_string() -> None:
    query, body = sign(b"", b"a=1&merchantId=777")
    assert body == b"a=1"
    assert query.startswith(b"merchantId=777&sign=")
    assert stdlib_fields(query, body)["sign"] == compute_sign({"a": "1", "merchantId": "777"}, SECRET)


def test_an_empty_merchant_id_is_replaced_and_every_stale_sign_dropped() -> None:
    query, body = sign(b"merchantId=&sign=stale&a=1", b"sign=older&b=2")
    assert body == b"b=2"
    assert query.startswith(b"a=1&merchantId=20000092&sign=")
    assert query.count(b"sign=") == 1


def test_the_merchant_id_is_percent_encoded() -> None:
    query, _ = sign_request_parameters(b"", None, merchant_id="a&b c", secret_key=SECRET)
    assert query.startswith(b"merchantId=a%26b%20c&sign=")
    assert stdlib_fields(query)["merchantId"] == "a&b c"


def test_an_empty_merchant_id_argument_is_refused() -> None:
    with pytest.raises(ValueError, match="merchant_id is empty"):
        sign_request_parameters(b"a=1", None, merchant_id="", secret_key=SECRET)


@pytest.mark.parametrize(
    ("query", "body"),
    [
        (b"a=1&a=2", None),
        (b"a=%41&a=2", None),
        (b"a=1", b"a=2"),
        (b"", b"a=1&a=1"),
        (b"merchantId=1", b"merchantId=2"),
    ],
    ids=["query", "query-escaped", "query-and-body", "body", "merchant-id"],
)
def test_a_repeated_name_is_refused_by_both_functions(query: bytes, body: bytes | None) -> None:
    with pytest.raises(MalformedParametersError, match="given more than once"):
        sign(query, body)
    with pytest.raises(MalformedParametersError, match="given more than once"):
        verify_request_parameters(query + b"&sign=" + b"0" * 64, body, secret_key=SECRET)


@pytest.mark.parametrize(
    ("query", "body", "where"),
    [
        (b"a=%FF", None, "query string"),
        (b"a=\xff", None, "query string"),
        (b"a", None, "query string"),
        (b"a=1&b", None, "query string"),
        (b"", b"a=%C3", "form body"),
        (b"", b"a=\xc3+", "form body"),
        (b"", b"merchantId", "form body"),
        ("a=\ud800", None, "query string"),
        (b"", "b=\udfff", "form body"),
    ],
    ids=[
        "escape",
        "raw-byte",
        "no-equals",
        "no-equals-later",
        "body-escape",
        "body-raw",
        "body-no-equals",
        "q-surrogate",
        "b-surrogate",
    ],
)
def test_text_that_is_not_form_encoded_utf8_is_refused_by_both_functions(
    query: bytes | str, body: bytes | str | None, where: str
) -> None:
    with pytest.raises(MalformedParametersError, match=f"the {where} is not valid application/x-www-form-urlencoded"):
        sign(query, body)
    with pytest.raises(MalformedParametersError, match=f"the {where} is not valid"):
        verify_request_parameters(query, body, secret_key=SECRET)


def test_the_verifier_returns_the_merchant_and_the_operations_own_parameters() -> None:
    query, body = sign(b"extra=q&empty=", b"amount=3.10")
    verified = verify_request_parameters(query, body, secret_key=SecretKey(SECRET))
    assert verified == VerifiedRequest(MERCHANT_ID, {"extra": "q", "empty": "", "amount": "3.10"})


def test_the_verifier_accepts_credentials_in_the_form_body_too() -> None:
    # Section 16's own POST example sends every parameter, sign included, in the body: C-Pay reads both.
    fields = {"a": "1", "merchantId": MERCHANT_ID}
    body = urlencode({**fields, "sign": compute_sign(fields, SECRET)}).encode()
    assert verify_request_parameters(b"", body, secret_key=SECRET) == VerifiedRequest(MERCHANT_ID, {"a": "1"})


def test_the_verifier_finds_the_secret_by_merchant_id() -> None:
    keys = {MERCHANT_ID: SECRET}
    query, body = sign(b"a=1", b"")
    assert verify_request_parameters(query, body, secret_key=keys.get).merchant_id == MERCHANT_ID


def test_a_tampered_query_parameter_of_a_post_breaks_the_sign() -> None:
    query, body = sign(b"extra=q", b"amount=3.10")
    with pytest.raises(SignatureError) as caught:
        verify_request_parameters(query.replace(b"extra=q", b"extra=r"), body, secret_key=SECRET)
    assert caught.value.problem is SignatureProblem.MISMATCH
    assert caught.value.fields["extra"] == "r"
    assert caught.value.fields["sign"] == stdlib_fields(query)["sign"]
    assert SECRET not in str(caught.value)


def test_an_uppercase_sign_is_a_mismatch() -> None:
    query, _ = sign(b"a=1")
    head, _, signature = query.rpartition(b"sign=")
    with pytest.raises(SignatureError) as caught:
        verify_request_parameters(head + b"sign=" + signature.upper(), None, secret_key=SECRET)
    assert caught.value.problem is SignatureProblem.MISMATCH


@pytest.mark.parametrize(
    ("query", "missing"),
    [
        (b"a=1", "merchantId"),
        (b"a=1&merchantId=&sign=abc", "merchantId"),
        (b"a=1&merchantId=20000092", "sign"),
        (b"a=1&merchantId=20000092&sign=", "sign"),
    ],
)
def test_missing_credentials_are_named(query: bytes, missing: str) -> None:
    with pytest.raises(SignatureError, match=f"missing {missing}") as caught:
        verify_request_parameters(query, None, secret_key=SECRET)
    assert caught.value.problem is SignatureProblem.MISSING


def test_an_unknown_merchant_is_its_own_problem() -> None:
    query, _ = sign(b"a=1")
    with pytest.raises(SignatureError, match="unknown merchantId '20000092'") as caught:
        verify_request_parameters(query, None, secret_key=lambda merchant_id: None)
    assert caught.value.problem is SignatureProblem.UNKNOWN_MERCHANT


names = st.text(alphabet=string.ascii_letters + string.digits + "_-. é€&=+%", min_size=1, max_size=10).filter(
    lambda name: name not in ("sign", "merchantId")
)
values = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=16)


@given(
    query_params=st.dictionaries(names, values, max_size=5),
    body_params=st.one_of(st.none(), st.dictionaries(names, values, max_size=5)),
)
def test_whatever_is_signed_verifies_and_reads_back_the_same_parameters(
    query_params: dict[str, str], body_params: dict[str, str] | None
) -> None:
    if body_params is not None:
        body_params = {name: value for name, value in body_params.items() if name not in query_params}
    query, body = sign(urlencode(query_params), None if body_params is None else urlencode(body_params))
    verified = verify_request_parameters(query, body, secret_key=SECRET)
    assert verified == VerifiedRequest(MERCHANT_ID, {**query_params, **(body_params or {})})
    assert stdlib_fields(query, body) == {**query_params, **(body_params or {}), "merchantId": MERCHANT_ID} | {
        "sign": compute_sign({**query_params, **(body_params or {}), "merchantId": MERCHANT_ID}, SECRET)
    }


# Wire text as anyone may send it: escapes (valid or not), '+', separators, raw UTF-8 and stray bytes.
wire_text = st.lists(
    st.sampled_from(
        [b"a", b"b", b"=", b"&", b"+", b"%", b"%2", b"%41", b"%C3%A9", b"%FF", "é".encode(), b"\xff", b"\xc3"]
    ),
    max_size=12,
).map(b"".join)


def read_plainly(encoded: bytes) -> dict[str, str] | str:
    """The pairs by the plain per-piece decoder (``_pieces``), or the refusal's message."""
    params: dict[str, str] = {}
    try:
        for _, name, value in _pieces(encoded, "query string"):
            if name in params:
                return f"parameter {name[:64]!r} is given more than once"
            params[name] = value
    except MalformedParametersError as error:
        return str(error)
    return params


def read_fast(encoded: bytes) -> dict[str, str] | str:
    """The pairs by the verifier's hot path (``_decode_into``), or the refusal's message."""
    params: dict[str, str] = {}
    try:
        _decode_into(params, encoded, "query string")
    except MalformedParametersError as error:
        return str(error)
    return params


@given(wire_text)
def test_the_verifiers_fast_path_reads_what_the_plain_decoder_reads(encoded: bytes) -> None:
    """``_decode_into`` splits unescaped text as ``str`` in one go; it must agree with ``_pieces`` on any bytes."""
    assert read_fast(encoded) == read_plainly(encoded)


def test_credentials_in_the_body_go_at_the_end_of_a_post_s_form_body() -> None:
    query, body = sign_request_parameters(
        b"x=1", b"amount=10&merchantId=20000092", merchant_id="20000092", secret_key="k", credentials_in="body"
    )
    assert query == b"x=1"
    assert body.startswith(b"amount=10&merchantId=20000092&sign=")
    verified = verify_request_parameters(query, body, secret_key="k")
    assert (verified.merchant_id, verified.parameters) == ("20000092", {"x": "1", "amount": "10"})


def test_credentials_in_the_body_move_a_merchant_id_sent_in_the_query_string() -> None:
    query, body = sign_request_parameters(
        b"merchantId=7&x=1", b"a=2", merchant_id="7", secret_key="k", credentials_in="body"
    )
    assert (query, body.rpartition(b"&sign=")[0]) == (b"x=1", b"a=2&merchantId=7")


def test_a_request_without_a_body_carries_its_credentials_in_the_query_string_either_way() -> None:
    assert sign_request_parameters(b"a=1", None, merchant_id="7", secret_key="k", credentials_in="body") == (
        sign_request_parameters(b"a=1", None, merchant_id="7", secret_key="k")
    )


@given(placement=st.sampled_from(["query", "body"]), amount=st.text(min_size=1, max_size=20))
def test_both_placements_sign_the_same_parameters(placement: CredentialsPlacement, amount: str) -> None:
    body = urlencode({"amount": amount}).encode()
    query, signed_body = sign_request_parameters(
        b"",
        body,
        merchant_id="7",
        secret_key="k",
        credentials_in=placement,
    )
    reference_query, reference_body = sign_request_parameters(b"", body, merchant_id="7", secret_key="k")
    sign = dict(parse_qsl((query + b"&" + signed_body).decode()))["sign"]
    assert sign == dict(parse_qsl((reference_query + b"&" + reference_body).decode()))["sign"]


def test_an_unknown_placement_is_refused() -> None:
    with pytest.raises(ValueError, match="credentials_in"):
        sign_request_parameters(b"", b"", merchant_id="7", secret_key="k", credentials_in="header")  # type: ignore[call-overload]
