"""Hide secrets in text meant for people: an API key (whole, cut short or re-cased) and
the `user:password@` part of URLs.

A leaf: it imports nothing of audience_cli, so the client, the config and the CLI can
all use it.
"""

from __future__ import annotations

import re
import string

MIN_RUN = 12
"""A run of this many consecutive characters of a key is hidden wherever it appears."""

MASK = "sk_***"

MIN_SECRET = 8
"""A secret shorter than this is not hidden: its letters would be hidden all over a message."""

_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_COVERED = re.compile(rb"\x01+")

# `scheme://userinfo@`: the userinfo runs to the last `@` before the host ends (a slash,
# `?`, `#`, a backslash of a JSON-escaped `\/`, white space, a quote or a bracket), as
# urlsplit reads it, so a password holding an unescaped `@` goes whole. Any scheme: the
# match starts at `://` (or the JSON-escaped `:\/\/`), so the scan stays linear.
_USERINFO = re.compile(r"(?P<head>:(?:\\?/){2})[^\s/\\?#\"'<>]*@")
_AUTHORITY_START = re.compile(r"[^/?#]*//")  # `https://`, `//`: where the host part begins


def _fold(text: str) -> str:
    """ASCII letters in one case, every other character kept: the length never changes,
    so positions in the folded text are positions in the text (`"İ".lower()` would not
    keep them; API keys are ASCII)."""
    return text.lower() if text.isascii() else text.translate(_ASCII_LOWER)


def scrub(text: str, secret: str | None, *, mask: str = MASK) -> str:
    """`text` with every run of MIN_RUN or more consecutive characters of `secret`
    replaced by `mask`, in any letter case: the whole key, the key cut short by a
    server, the key upper-cased. A secret shorter than MIN_RUN is replaced only
    where it appears whole (in any case).

    Runs that touch or overlap become one mask. Linear in practice: one `str.find`
    pass over the text per distinct MIN_RUN-character window of the secret.
    """
    if not text or not secret:
        return text
    width = min(len(secret), MIN_RUN)
    folded_secret = _fold(secret)
    windows = {folded_secret[i : i + width] for i in range(len(secret) - width + 1)}
    folded = _fold(text)
    covered: bytearray | None = None
    ones = b"\x01" * width
    for window in windows:
        start = folded.find(window)
        while start != -1:
            if covered is None:
                covered = bytearray(len(text))
            covered[start : start + width] = ones
            start = folded.find(window, start + 1)
    if covered is None:
        return text
    pieces: list[str] = []
    last = 0
    for run in _COVERED.finditer(covered):
        pieces += (text[last : run.start()], mask)
        last = run.end()
    pieces.append(text[last:])
    return "".join(pieces)


def strip_userinfo(text: str) -> str:
    """`text` with the `user:password@` (or `user@`) of every `scheme://` URL in it
    removed: `see https://bob:hunter2@host/x` -> `see https://host/x`."""
    if "@" not in text:
        return text
    return _USERINFO.sub(r"\g<head>", text)


def url_without_userinfo(url: str) -> str:
    """One URL, with or without a scheme, without its userinfo:
    `bob:hunter2@host/v1` -> `host/v1`; `https://bob@host` -> `https://host`."""
    text = url.strip()
    authority = _AUTHORITY_START.match(text)
    head, rest = (authority.group(), text[authority.end() :]) if authority else ("", text)
    end = min((i for i in (rest.find(c) for c in "/?#") if i != -1), default=len(rest))
    netloc = rest[:end]
    if "@" not in netloc:
        return text
    return head + netloc.rpartition("@")[2] + rest[end:]


def redact_text(text: str, secret: str | None, *, mask: str = MASK) -> str:
    """Both at once: URL userinfo removed, then the secret scrubbed."""
    return scrub(strip_userinfo(text), secret, mask=mask)


# What an API key looks like when it is not one this run knows: typed where an argument
# goes (`auth login sk_…`), it must not be echoed back in a usage error. `sk_` (or `sk-`)
# and 12 or more letters, digits, `_` or `-` with a digit among them: a name such as
# `sk-prod` or `sk_customers` is not taken for one.
_KEY_LIKE = re.compile(r"(?<![A-Za-z0-9])sk[_-](?=[A-Za-z_-]*[0-9])[A-Za-z0-9_-]{12,}")


def looks_like_key(text: str) -> bool:
    """True when `text` holds something shaped like an API key."""
    return _KEY_LIKE.search(text) is not None


def hide_key_like(text: str, *, mask: str = MASK) -> str:
    """`text` with everything shaped like an API key replaced by `mask`."""
    return _KEY_LIKE.sub(mask, text)


def redact_key(key: str | None) -> str:
    """A key as people are shown it, `sk_…3f9a`: enough to tell keys apart, never enough
    to use one."""
    if not key:
        return "(none)"
    if len(key) <= 8:
        return "…" + key[-2:] if len(key) > 4 else "…"
    prefix = key[:3] if key.startswith("sk_") else ""
    return f"{prefix}…{key[-4:]}"
