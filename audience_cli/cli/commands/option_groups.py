"""One parameter of a command function swapped for a group of declared options.

`contact_options` and `suppression_options` both give a command a group of Typer
options in place of one parameter (`contacts`, `suppression`) and hand the command
the checked object built from them. The signature rewriting they share lives here.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def replace_parameter(
    func: F,
    name: str,
    declared: dict[str, tuple[Any, Any]],
    build: Callable[..., Any],
) -> F:
    """`func` with its parameter `name` replaced by the options `declared`
    (option name -> (annotation, default)); the wrapper calls `build(**options)`
    and passes the result to `func` as `name`."""
    signature = inspect.signature(func, eval_str=True)
    params: list[inspect.Parameter] = []
    for param in signature.parameters.values():
        if param.name != name:
            params.append(param)
            continue
        params.extend(
            inspect.Parameter(
                option, inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=ann, default=default
            )
            for option, (ann, default) in declared.items()
        )

    @functools.wraps(func)
    def command(*args: Any, **kwargs: Any) -> Any:
        given = {option: kwargs.pop(option) for option in declared if option in kwargs}
        kwargs[name] = build(**given)
        return func(*args, **kwargs)

    command.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in params}
    return command  # type: ignore[return-value]
