"""No answer is read past AUDIENCE_MAX_BODY (64 MB by default): reading stops at the
limit, whether the body says its length, streams without one, or is compressed."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator

import httpx
import pytest

from audience_cli.client import AtomsClient
from audience_cli.config import read_max_body
from audience_cli.errors import AnswerTooLargeError, ExitCode, UsageError
from audience_cli.model import DEFAULT_MAX_BODY
from audience_cli.retry import RetryPolicy

BASE = "https://atoms.invalid/atoms/v1"
KEY = "sk_test_0123456789abcdef"
MB = 1 << 20


class Endless(httpx.SyncByteStream):
    """A JSON body of `megabytes` MB, made a megabyte at a time as it is read."""

    def __init__(self, megabytes: int) -> None:
        self.megabytes = megabytes
        self.sent = 0

    def __iter__(self) -> Iterator[bytes]:
        yield b'{"status": true, "data": "'
        chunk = b"x" * MB
        for _ in range(self.megabytes):
            self.sent += len(chunk)
            yield chunk
        yield b'"}'


def test_a_streamed_answer_is_read_no_further_than_the_limit(cli) -> None:
    body = Endless(40)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=body)

    result = cli(
        "--base-url", BASE, "list",
        transport=httpx.MockTransport(handler),
        env={"SMALLEST_API_KEY": KEY, "AUDIENCE_MAX_BODY": "2M"},
    )  # fmt: skip
    assert result.exit_code == 7, result.stderr
    assert body.sent <= 3 * MB  # today: all 40 MB, then parsed
    assert result.stderr.startswith(
        f"error: GET {BASE}/audience: the answer is larger than 2 MB; reading stopped there "
        "(the AUDIENCE_MAX_BODY setting raises the limit)"
    )
    assert "trying again" not in result.stderr  # the same server sends the same answer


def test_a_declared_length_over_the_limit_is_not_read_at_all(scripted) -> None:
    class Untouchable(httpx.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            raise AssertionError("the body was read")

    answer = httpx.Response(200, headers={"content-length": str(400 * MB)}, stream=Untouchable())
    client = AtomsClient(BASE, KEY, transport=httpx.MockTransport(scripted(answer)))
    with pytest.raises(AnswerTooLargeError) as caught:
        client.list_audiences()
    assert "larger than 64 MB" in caught.value.message
    assert caught.value.exit_code == ExitCode.UNAVAILABLE
    assert caught.value.maybe_processed


def test_the_limit_counts_the_body_as_decoded(scripted) -> None:
    # 5 MB of JSON in 5 KB of gzip: the limit is on what would be held in memory.
    raw = json.dumps({"status": True, "data": [{"name": "x" * (5 * MB)}]}).encode()
    packed = gzip.compress(raw)
    assert len(packed) < 100_000

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            headers={"content-encoding": "gzip"},
            stream=httpx.ByteStream(packed),
        )

    client = AtomsClient(
        BASE, KEY, transport=httpx.MockTransport(scripted(answer)), max_body=1 * MB
    )
    with pytest.raises(AnswerTooLargeError, match="larger than 1 MB"):
        client.list_audiences()


def test_a_gzip_answer_within_the_limit_is_decoded_once(scripted) -> None:
    raw = json.dumps({"status": True, "data": []}).encode()

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, headers={"content-encoding": "gzip"}, stream=httpx.ByteStream(gzip.compress(raw))
        )

    client = AtomsClient(BASE, KEY, transport=httpx.MockTransport(scripted(answer)))
    assert client.list_audiences() == []


def test_an_answer_made_in_memory_is_held_to_the_limit_too(scripted) -> None:
    answer = httpx.Response(200, json={"status": True, "data": [{"name": "x" * 2000}]})
    policy = RetryPolicy(max_retries=3, sleep=lambda _: None)
    client = AtomsClient(
        BASE, KEY, transport=httpx.MockTransport(scripted(answer)), max_body=1000, retry=policy
    )
    with pytest.raises(AnswerTooLargeError, match="larger than 1000 bytes"):
        client.list_audiences()


@pytest.mark.parametrize(
    ("value", "size"),
    [("", DEFAULT_MAX_BODY), ("1000", 1000), ("128M", 128 * MB), ("2 mb", 2 * MB),
     ("1G", 1 << 30), ("64KiB", 64 << 10)],
)  # fmt: skip
def test_the_limit_setting(value: str, size: int) -> None:
    assert read_max_body({"AUDIENCE_MAX_BODY": value}) == size


@pytest.mark.parametrize("value", ["0", "-1", "lots", "1.5M", "nan", "10T"])
def test_a_bad_limit_is_a_usage_error(cli, value: str) -> None:
    with pytest.raises(UsageError, match="AUDIENCE_MAX_BODY"):
        read_max_body({"AUDIENCE_MAX_BODY": value})
    result = cli("--sandbox", "list", env={"AUDIENCE_MAX_BODY": value})
    assert result.exit_code == 2
    assert f"\nerror: AUDIENCE_MAX_BODY={value!r}: give the largest" in result.stderr
