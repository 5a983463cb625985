"""A scripted `httpx.MockTransport` handler shared by the client and retry tests.

Tests get recorders from the `scripted` fixture (tests/conftest.py), which fails the test at
teardown when a recorder has answers it never gave or was asked more than its script holds:

    def test_retry(scripted):
        script = scripted(status(503), ok())  # exactly two requests
        forever = scripted(status(503), repeat_last=True)  # one or more requests
        none = scripted()  # no request at all
"""

from __future__ import annotations

from collections.abc import Callable

import httpx

Handler = Callable[[httpx.Request], httpx.Response]
Answer = httpx.Response | Exception | Handler


def describe(answer: Answer) -> str:
    if isinstance(answer, httpx.Response):
        return f"<Response [{answer.status_code}]>"
    if isinstance(answer, Exception):
        return f"{type(answer).__name__}({str(answer)!r})"
    return getattr(answer, "__qualname__", repr(answer))


class Recorder:
    """Records every request and gives the scripted answers, one per request, in order.

    An answer is a response, an exception to raise, or a function of the request. With
    `repeat_last=True` the last answer is given again to every further request; otherwise a
    request beyond the script fails (and is remembered, in case the error was swallowed).
    """

    def __init__(self, *answers: Answer, repeat_last: bool = False) -> None:
        if repeat_last and not answers:
            raise ValueError("repeat_last=True needs an answer to repeat")
        self.answers = answers
        self.repeat_last = repeat_last
        self.requests: list[httpx.Request] = []
        self.surplus: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        index = len(self.requests) - 1
        if index >= len(self.answers):
            if not self.repeat_last:
                self.surplus.append(request)
                raise AssertionError(
                    f"request {index + 1} ({request.method} {request.url}) is beyond the "
                    f"script of {len(self.answers)} answer(s)"
                )
            index = len(self.answers) - 1
        answer = self.answers[index]
        if isinstance(answer, Exception):
            raise answer
        if callable(answer) and not isinstance(answer, httpx.Response):
            return answer(request)
        return answer

    @property
    def unused(self) -> tuple[Answer, ...]:
        """The answers never given (a repeated last answer counts once given)."""
        return self.answers[len(self.requests) :]

    def problems(self) -> list[str]:
        """What went against the script: unused answers and requests beyond it."""
        found = []
        if self.unused:
            first = len(self.answers) - len(self.unused) + 1
            listed = ", ".join(
                f"#{n} {describe(a)}" for n, a in enumerate(self.unused, start=first)
            )
            found.append(
                f"{len(self.unused)} of {len(self.answers)} scripted answer(s) never used: {listed}"
            )
        if self.surplus:
            listed = ", ".join(f"{r.method} {r.url}" for r in self.surplus)
            found.append(
                f"{len(self.surplus)} request(s) beyond the script of "
                f"{len(self.answers)} answer(s): {listed}"
            )
        return found

    def check(self) -> None:
        """Raise AssertionError unless the script was played exactly through."""
        if problems := self.problems():
            raise AssertionError("; ".join(problems))


class Scripts:
    """Makes recorders (`scripts(*answers, repeat_last=False)`) and checks them all at the end."""

    def __init__(self) -> None:
        self.made: list[Recorder] = []

    def __call__(self, *answers: Answer, repeat_last: bool = False) -> Recorder:
        recorder = Recorder(*answers, repeat_last=repeat_last)
        self.made.append(recorder)
        return recorder

    def problems(self) -> list[str]:
        """One line per problem, naming the recorder by its order of making."""
        return [
            f"script {n}: {problem}"
            for n, recorder in enumerate(self.made, start=1)
            for problem in recorder.problems()
        ]

    def check(self) -> None:
        """Raise AssertionError naming every recorder that was not played exactly through."""
        if problems := self.problems():
            raise AssertionError("\n".join(problems))
