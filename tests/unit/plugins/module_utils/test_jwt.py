# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from ansible_collections.mediaops.antmedia.plugins.module_utils._jwt import (
    JwtSecretError,
    check_secret,
    weak_secret_warning,
    mint_hs256,
)

SECRET = "s" * 32


def b64decode(part):
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def test_token_is_hs256_signed_with_the_secret_bytes():
    token = mint_hs256(SECRET, 300, now=1700000000)
    header, payload, signature = token.split(".")
    expected = hmac.new(SECRET.encode(), ("%s.%s" % (header, payload)).encode(), hashlib.sha256).digest()
    assert b64decode(signature) == expected
    assert json.loads(b64decode(header)) == {"alg": "HS256", "typ": "JWT"}


def test_only_claim_is_exp_from_now_plus_lifetime():
    token = mint_hs256(SECRET, 420, now=1700000000.9)
    payload = json.loads(b64decode(token.split(".")[1]))
    # no iat/nbf: a controller clock ahead of the server's would make the server reject them
    assert payload == {"exp": 1700000420}


def test_base64url_without_padding():
    token = mint_hs256(SECRET + "x", 1, now=1)
    assert "=" not in token and "+" not in token and "/" not in token


def test_a_wrong_secret_does_not_verify():
    token = mint_hs256(SECRET, 300, now=1700000000)
    header, payload, signature = token.split(".")
    other = hmac.new(("t" * 32).encode(), ("%s.%s" % (header, payload)).encode(), hashlib.sha256).digest()
    assert b64decode(signature) != other


def test_an_empty_secret_is_refused():
    with pytest.raises(JwtSecretError, match="must not be empty"):
        mint_hs256("", 300)


@pytest.mark.parametrize("secret", ["short", "x" * 31])
def test_secrets_shorter_than_32_bytes_sign_and_are_only_warned_about(secret):
    token = mint_hs256(secret, 300, now=1700000000)
    header, payload, signature = token.split(".")
    expected = hmac.new(secret.encode(), ("%s.%s" % (header, payload)).encode(), hashlib.sha256).digest()
    assert b64decode(signature) == expected
    warning = weak_secret_warning(secret)
    assert "%d bytes long" % len(secret) in warning and "weak" in warning and secret not in warning


def test_length_is_counted_in_utf8_bytes():
    check_secret("é" * 16)
    assert weak_secret_warning("é" * 16) is None  # 32 bytes in UTF-8, 16 characters
    assert "31 bytes" in weak_secret_warning("é" * 15 + "x")
