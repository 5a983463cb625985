"""The scripted HTTP stub itself: answers in order, and a script not played through fails."""

from __future__ import annotations

import httpx
import pytest

from tests.scripted import Recorder, Scripts

URL = "https://atoms.invalid/atoms/v1/audience"


def get(recorder: Recorder, times: int = 1) -> list[httpx.Response]:
    with httpx.Client(transport=httpx.MockTransport(recorder)) as client:
        return [client.get(URL) for _ in range(times)]


def test_answers_are_given_once_each_in_order() -> None:
    recorder = Recorder(
        httpx.Response(503), lambda request: httpx.Response(201), httpx.Response(200)
    )
    assert [r.status_code for r in get(recorder, 3)] == [503, 201, 200]
    assert len(recorder.requests) == 3
    recorder.check()


def test_a_request_beyond_the_script_fails_and_is_remembered() -> None:
    recorder = Recorder(httpx.Response(200))
    get(recorder)
    with pytest.raises(AssertionError, match=r"request 2 \(GET .*\) is beyond the script"):
        get(recorder)
    # Even when the code under test swallows that error, the check still sees it.
    with pytest.raises(AssertionError, match=rf"1 request\(s\) beyond the script .*: GET {URL}"):
        recorder.check()


def test_with_repeat_last_the_last_answer_answers_every_further_request() -> None:
    recorder = Recorder(httpx.ConnectError("refused"), httpx.Response(503), repeat_last=True)
    with pytest.raises(httpx.ConnectError):
        get(recorder)
    assert [r.status_code for r in get(recorder, 3)] == [503, 503, 503]
    recorder.check()


def test_a_repeated_last_answer_must_still_be_used_once() -> None:
    recorder = Recorder(httpx.Response(503), httpx.Response(200), repeat_last=True)
    get(recorder)
    with pytest.raises(AssertionError, match=r"1 of 2 scripted answer\(s\) never used"):
        recorder.check()


def test_an_empty_script_allows_no_request() -> None:
    recorder = Recorder()
    recorder.check()
    with pytest.raises(AssertionError, match="beyond the script of 0 answer"):
        get(recorder)
    with pytest.raises(ValueError, match="needs an answer"):
        Recorder(repeat_last=True)


def test_the_check_names_every_unused_answer() -> None:
    scripts = Scripts()
    played = scripts(httpx.Response(200))
    left = scripts(httpx.Response(429), httpx.Response(500), httpx.ReadTimeout("slow"))
    get(played)
    get(left)
    assert [r.unused for r in (played, left)] == [(), left.answers[1:]]
    with pytest.raises(AssertionError) as caught:
        scripts.check()
    assert str(caught.value) == (
        "script 2: 2 of 3 scripted answer(s) never used: "
        "#2 <Response [500]>, #3 ReadTimeout('slow')"
    )


def test_the_scripted_fixture_fails_a_test_that_leaves_an_answer_unused(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_inner=f"""
        import httpx

        from tests.conftest import scripted  # the fixture under test

        def test_plays_its_script_through(scripted):
            script = scripted(httpx.Response(204))
            httpx.Client(transport=httpx.MockTransport(script)).get("{URL}")

        def test_leaves_an_answer_unused(scripted):
            script = scripted(httpx.Response(204), httpx.Response(503))
            httpx.Client(transport=httpx.MockTransport(script)).get("{URL}")

        def test_fails_before_its_script_is_through(scripted):
            script = scripted(httpx.Response(204), httpx.Response(503))
            assert False, "failed on its own"
        """
    )
    pytester.makeconftest("from tests.conftest import pytest_runtest_makereport")
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    # The passing test that left an answer unused errors at teardown; the failing test
    # is reported once, for its own failure.
    result.assert_outcomes(passed=2, failed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_leaves_an_answer_unused*",
            "scripted HTTP answers:",
            "script 1: 1 of 2 scripted answer(s) never used: #2 <Response [503]>",
        ]
    )
    errors = result.stdout.str().split("= ERRORS =")[1].split("= FAILURES =")[0]
    assert "test_plays_its_script_through" not in errors
    assert "test_fails_before_its_script_is_through" not in errors
