"""SecretKey keeps the secret out of every printable form."""

from __future__ import annotations

import copy
import logging
import pickle

import pytest

from cpay import SecretKey

SECRET = "s3cr3t-k3y-value"


def test_repr_and_str_mask_the_key() -> None:
    key = SecretKey(SECRET)
    for text in (repr(key), str(key), f"{key}", f"{key!r}", repr([key]), repr({"k": key})):
        assert SECRET not in text
        assert "********" in text


def test_logging_a_key_does_not_print_it(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        logging.getLogger("test").info("configured with %s / %r", SecretKey(SECRET), SecretKey(SECRET))
    assert SECRET not in caplog.text


def test_reveal_and_key_bytes_give_the_key() -> None:
    key = SecretKey("ключ")
    assert key.reveal() == "ключ"
    assert key.key_bytes == "ключ".encode()


def test_wrapping_a_key_again_keeps_it_and_of_does_not_copy() -> None:
    key = SecretKey(SECRET)
    assert SecretKey(key) == key
    assert SecretKey.of(key) is key
    assert SecretKey.of(SECRET) == key


def test_keys_compare_by_value_and_hash_alike() -> None:
    assert SecretKey(SECRET) == SecretKey(SECRET)
    assert SecretKey(SECRET) != SecretKey(SECRET + "x")
    assert SecretKey(SECRET) != SECRET
    assert len({SecretKey(SECRET), SecretKey(SECRET)}) == 1


def test_copies_share_the_key_and_pickling_is_refused() -> None:
    key = SecretKey(SECRET)
    assert copy.copy(key) is key
    assert copy.deepcopy({"k": key})["k"] is key
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(key)


def test_empty_key_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        SecretKey("")


def test_non_text_key_is_refused_without_echoing_it() -> None:
    with pytest.raises(TypeError, match="bytes") as error:
        SecretKey(SECRET.encode())  # type: ignore[arg-type]
    assert SECRET not in str(error.value)
