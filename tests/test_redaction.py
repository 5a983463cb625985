"""redaction.py: a key hidden whole, cut short or re-cased; URL passwords removed."""

from __future__ import annotations

import json
import random
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audience_cli.redaction import (
    MIN_RUN,
    redact_text,
    scrub,
    strip_userinfo,
    url_without_userinfo,
)

KEY = "sk_live_0123456789abcdef3f9a"  # 28 characters


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The whole key.
        (f"bad key {KEY}!", "bad key sk_***!"),
        # Cut short by the server: the first 20 characters, then an ellipsis.
        ("Invalid API key: sk_live_0123456789ab...", "Invalid API key: sk_***..."),
        # Upper-cased by the server, and in mixed case.
        ("KEY SK_LIVE_0123456789ABCDEF3F9A REJECTED", "KEY sk_*** REJECTED"),
        ("key Sk_Live_0123456789AbCdEf3f9A.", "key sk_***."),
        # Its last 12 characters only, glued to other text.
        ("token=x456789abcdef3f9ay", "token=xsk_***y"),
        # Exactly 12 consecutive characters (ve_012345678) are hidden.
        ("id ve_012345678 ok", "id sk_*** ok"),
        # 11 consecutive characters (ve_01234567) are not: too short to be the key.
        ("id ve_01234567 ok", "id ve_01234567 ok"),
        ("id ve_01234567X ok", "id ve_01234567X ok"),
        # Twice, back to back: one mask; twice, apart: two.
        (KEY + KEY, "sk_***"),
        (f"{KEY} and {KEY.upper()}", "sk_*** and sk_***"),
        # Nothing of the key.
        ("nothing to hide here", "nothing to hide here"),
        ("", ""),
    ],
)
def test_scrub_hides_every_run_of_12_characters_of_the_key(text: str, expected: str) -> None:
    assert scrub(text, KEY) == expected


def test_scrub_hides_the_key_inside_json() -> None:
    body = json.dumps({"message": "Invalid key", "key": KEY, "n": 1})
    assert scrub(body, KEY) == '{"message": "Invalid key", "key": "sk_***", "n": 1}'
    shortened = json.dumps({"error": f"key {KEY[:-3]}… is not valid"})
    assert scrub(shortened, KEY) == '{"error": "key sk_***\\u2026 is not valid"}'


def test_scrub_keeps_positions_in_text_that_is_not_ascii() -> None:
    # "İ".lower() is two characters: case is folded for ASCII letters only.
    assert scrub(f"İİ {KEY.upper()} ß é", KEY) == "İİ sk_*** ß é"


def test_a_short_secret_is_hidden_only_whole() -> None:
    text = "pw abc123, ABC123X, abc12 and bc123"
    assert scrub(text, "abc123") == "pw sk_***, sk_***X, abc12 and bc123"
    assert scrub(text, "abc123", mask="***") == "pw ***, ***X, abc12 and bc123"


def test_no_secret_hides_nothing() -> None:
    assert scrub("text sk_live", "") == "text sk_live"
    assert scrub("text sk_live", None) == "text sk_live"


def test_scrub_of_a_megabyte() -> None:
    rnd = random.Random(7)
    # No character of the key in the filler, so no run can grow past the planted ones.
    alphabet = 'ghjmnopqrtuwxyzGHJMNOPQRTUWXYZ ,:{}"'
    filler = "".join(rnd.choice(alphabet) for _ in range(2**20))
    text = filler[:1000] + KEY + filler[1000:500_000] + KEY.upper()[3:19] + filler[500_000:]
    out = scrub(text, KEY)
    assert out == filler[:1000] + "sk_***" + filler[1000:500_000] + "sk_***" + filler[500_000:]


def _reference_scrub(text: str, secret: str) -> str:
    """What scrub() must return, the slow way: every window compared."""
    fold = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
    width = min(len(secret), MIN_RUN)
    windows = {secret.translate(fold)[i : i + width] for i in range(len(secret) - width + 1)}
    covered = [False] * len(text)
    for i in range(len(text) - width + 1):
        if text[i : i + width].translate(fold) in windows:
            covered[i : i + width] = [True] * width
    out, i = [], 0
    while i < len(text):
        if covered[i]:
            while i < len(text) and covered[i]:
                i += 1
            out.append("sk_***")
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


@given(
    secret=st.text(alphabet="abAB_", min_size=1, max_size=20),
    text=st.text(alphabet="abAB_xİ", max_size=80),
)
def test_scrub_agrees_with_the_slow_way(secret: str, text: str) -> None:
    assert scrub(text, secret) == _reference_scrub(text, secret)


@given(text=st.text(alphabet="sk_live0123456789abcdefABCDEF3 ", max_size=120))
def test_no_12_characters_of_the_key_survive(text: str) -> None:
    out = scrub(text, KEY).lower()
    assert not any(KEY[i : i + 12].lower() in out for i in range(len(KEY) - 11))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "GET https://bob:hunter2@api.example.com/atoms/v1 failed",
            "GET https://api.example.com/atoms/v1 failed",
        ),
        ("http://bob@localhost:8080/", "http://localhost:8080/"),
        ("redis://:s3cret@cache:6379/0", "redis://cache:6379/0"),
        # A password with an unescaped @: the userinfo runs to the last @ of the host part.
        ("https://u:p@ss@host/x", "https://host/x"),
        # Several URLs, one of them JSON-escaped.
        (
            '{"url":"https:\\/\\/u:pw@h\\/x","mirror":"ftp://a:b@m/y","email":"a@b.c"}',
            '{"url":"https:\\/\\/h\\/x","mirror":"ftp://m/y","email":"a@b.c"}',
        ),
        # No userinfo: nothing changes (an @ in a path, a query or an address stays).
        ("see https://api.smallest.ai/atoms/v1", "see https://api.smallest.ai/atoms/v1"),
        ("https://host/a@b?to=c@d#e@f", "https://host/a@b?to=c@d#e@f"),
        ("write to bob@example.com", "write to bob@example.com"),
        ("", ""),
    ],
)
def test_strip_userinfo(text: str, expected: str) -> None:
    assert strip_userinfo(text) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://bob:pw@host/v1", "https://host/v1"),
        ("bob:pw@host/v1", "host/v1"),
        ("  https://bob@host  ", "https://host"),
        ("https://host/a@b", "https://host/a@b"),
        ("host/a//b@c", "host/a//b@c"),
        ("https://api.smallest.ai", "https://api.smallest.ai"),
    ],
)
def test_url_without_userinfo(url: str, expected: str) -> None:
    assert url_without_userinfo(url) == expected


def test_redact_text_does_both() -> None:
    text = f"POST https://u:pw@h/x refused {KEY[:15]}"
    assert redact_text(text, KEY) == "POST https://h/x refused sk_***"
    assert redact_text(text, None) == f"POST https://h/x refused {KEY[:15]}"


def test_what_looks_like_a_key() -> None:
    from audience_cli.redaction import hide_key_like, looks_like_key

    for key in ("sk_abc_0123456789", "sk_live_0123456789abcdef3f9a", "sk-4f9a8b7c6d5e4f3a"):
        assert looks_like_key(key) and looks_like_key(f"--token={key}"), key
        assert hide_key_like(f"No such command '{key}'.") == "No such command 'sk_***'."
    for name in ("sk-prod", "sk-prod-2024", "sk_customers_list", "sk_sandbox", "task_0123456789ab"):
        assert not looks_like_key(name), name


def test_a_key_is_shown_by_its_last_four_characters_only() -> None:
    from audience_cli.redaction import redact_key

    assert redact_key("sk_live_0123456789abcdef3f9a") == "sk_…3f9a"
    assert redact_key("0123456789abcdef") == "…cdef"
    assert redact_key("sk_12") == "…12"
    assert redact_key("abc") == "…"
    assert redact_key(None) == redact_key("") == "(none)"
