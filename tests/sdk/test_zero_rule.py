"""The sign and ``"0"``: the document's rule signs it, the vendor's PHP code leaves it out; verifiers take both.

Section 16 leaves out "empty parameters"; the document's Java and Go demos and the vendor's Go SDK keep ``"0"``
(``len(tmp) > 0``), the vendor's PHP SDK and its reference's PHP demo drop it (``if (!empty($v))``).
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpay import SignatureError, SignRule, compute_sign, parse_webhook, signing_payload, verify_sign

SECRET = "xxx112233"
names = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=12)
values = st.one_of(st.just("0"), st.just(""), st.text(min_size=1, max_size=20).filter(lambda text: text != "0"))
parameters = st.dictionaries(names.filter(lambda name: name != "sign"), values, min_size=1, max_size=8)


def test_the_vendor_reference_s_vector_is_reproduced_by_the_document_rule() -> None:
    # cpayfinance/document api-signature.md: the same parameters in PHP, Go and Java give e20a6715...
    params = {
        "amount": "100",
        "merchantTradeNo": "test0001",
        "merchantId": 20000387,
        "createTime": 1658387195,
        "fiatCurrency": "USD",
        "userId": "83453",
        "cryptoCurrency": "USDT",
        "purchaseType": 1,
    }
    assert compute_sign(params, SECRET) == "e20a671567201e793c794efedd7794be770aedef4291383f46d1974165445bf0"


def test_the_document_rule_signs_zero_and_the_php_rule_leaves_it_out() -> None:
    params = {"purchaseType": "0", "amount": "10", "storeCc": ""}
    assert signing_payload(params) == "amount=10&purchaseType=0"
    message = "amount=10&key=" + SECRET
    assert (
        compute_sign(params, SECRET, rule=SignRule.PHP_EMPTY)
        == hmac.new(SECRET.encode(), message.encode(), hashlib.sha256).hexdigest()
    )
    assert compute_sign(params, SECRET) != compute_sign(params, SECRET, rule=SignRule.PHP_EMPTY)


@given(params=parameters, rule=st.sampled_from(SignRule))
def test_a_sign_made_by_either_rule_verifies(params: dict[str, str], rule: SignRule) -> None:
    assert verify_sign(params, SECRET, compute_sign(params, SECRET, rule=rule))


@given(params=parameters, rule=st.sampled_from(SignRule), replacement=st.text(min_size=1, max_size=5))
def test_a_changed_value_other_than_zero_fails_under_either_rule(
    params: dict[str, str], rule: SignRule, replacement: str
) -> None:
    sign = compute_sign(params, SECRET, rule=rule)
    name = sorted(params)[0]
    changed = params[name] + replacement if params[name] not in ("", "0") else "1" + replacement
    assert not verify_sign({**params, name: changed}, SECRET, sign)


@given(params=parameters)
def test_without_a_zero_both_rules_give_the_same_sign(params: dict[str, str]) -> None:
    without_zero = {name: value for name, value in params.items() if value != "0"}
    assert compute_sign(without_zero, SECRET) == compute_sign(without_zero, SECRET, rule=SignRule.PHP_EMPTY)


def test_a_document_rule_sign_does_not_verify_once_its_zero_is_dropped() -> None:
    # Under the document's rule "0" is signed: a sender's sign over purchaseType=0 fails without it.
    sign = compute_sign({"purchaseType": "0", "amount": "10"}, SECRET)
    assert not verify_sign({"amount": "10"}, SECRET, sign)


def _webhook_fields() -> dict[str, str]:
    return {
        "merchantId": "20003092",
        "orderId": "2209141130105863014",
        "orderStatus": "14",
        "actualAmount": "10",
        "receivedAmount": "10",
        "fee": "0",
        "createTime": "1663155010000",
    }


@given(rule=st.sampled_from(SignRule))
def test_parse_webhook_accepts_a_webhook_signed_by_either_rule(rule: SignRule) -> None:
    fields = _webhook_fields()
    fields["sign"] = compute_sign(fields, SECRET, rule=rule)
    event = parse_webhook(urlencode(fields).encode(), "application/x-www-form-urlencoded", SECRET)
    assert (event.order_id, str(event.fee)) == ("2209141130105863014", "0")


def test_parse_webhook_still_refuses_a_php_rule_webhook_whose_signed_value_changed() -> None:
    fields = _webhook_fields()
    fields["sign"] = compute_sign(fields, SECRET, rule=SignRule.PHP_EMPTY)
    fields["receivedAmount"] = "100"
    with pytest.raises(SignatureError):
        parse_webhook(urlencode(fields).encode(), "application/x-www-form-urlencoded", SECRET)
