"""The first place a JSON value departs from a JSON Schema, for the few keywords the spec's
answer schemas use (`KEYWORDS`; the generator refuses a schema with any other, so a newer
spec copy cannot be checked only in part). Messages are worded as `jsonschema` words them
(`None is not of type 'string'`), and tests/test_contract_validate.py holds the two to the
same verdicts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

# `format` is an annotation only, as in jsonschema without a format checker.
KEYWORDS = frozenset({"type", "properties", "items", "required", "enum", "format"})
REPR_LIMIT = 80  # a longer value is cut in the message, which stays one line


def first_mismatch(schema: dict[str, Any], value: Any) -> str | None:
    """`path: message` of the first mismatch in document order (`data.entries[0]
    .phoneNumber: None is not of type 'string'`; the message alone at the top), or None."""
    for path, message in _mismatches(schema, value, ""):
        return f"{path}: {message}" if path else message
    return None


def _mismatches(schema: dict[str, Any], value: Any, path: str) -> Iterator[tuple[str, str]]:
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_is_type(value, t) for t in types):
            yield path, f"{_repr(value)} is not of type {', '.join(repr(t) for t in types)}"
            return
    if "enum" in schema and not any(_equal(value, e) for e in schema["enum"]):
        yield path, f"{_repr(value)} is not one of {schema['enum']!r}"
    if isinstance(value, dict):
        for name in schema.get("required", ()):
            if name not in value:
                yield path, f"{name!r} is a required property"
        for name, sub in schema.get("properties", {}).items():
            if name in value:
                yield from _mismatches(sub, value[name], f"{path}.{name}" if path else name)
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            yield from _mismatches(schema["items"], item, f"{path}[{index}]")


def _is_type(value: Any, kind: str) -> bool:
    if kind == "null":
        return value is None
    if kind == "boolean":
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False  # JSON's true is no number
    if kind == "integer":
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if kind == "number":
        return isinstance(value, (int, float))
    return isinstance(value, {"string": str, "array": list, "object": dict}.get(kind, ()))


def _equal(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b if isinstance(a, bool) or isinstance(b, bool) else a == b


def _repr(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= REPR_LIMIT else text[: REPR_LIMIT - 1] + "…"
