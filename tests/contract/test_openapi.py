"""The converter from the spec's OpenAPI 3.0 schemas to JSON Schema."""

from __future__ import annotations

import jsonschema
import pytest

from tests.contract import openapi
from tests.contract.conftest import LIVE_BASE_URL, SandboxTarget, live_target_of

SPEC = {
    "components": {
        "schemas": {
            "Error": {
                "type": "object",
                "description": "dropped",
                "properties": {
                    "status": {"type": "boolean", "example": False},
                    "errors": {"type": "array", "items": {"$ref": "#/components/schemas/Text"}},
                },
            },
            "Text": {"type": "string", "x-fern-sdk": "dropped"},
        },
        "responses": {"Bad": {"$ref": "#/components/schemas/Error"}},
    }
}


def test_refs_are_resolved_and_unknown_keys_dropped() -> None:
    converted = openapi.to_json_schema(SPEC, {"$ref": "#/components/responses/Bad"})
    assert converted == {
        "type": "object",
        "properties": {
            "status": {"type": "boolean"},
            "errors": {"type": "array", "items": {"type": "string"}},
        },
    }
    assert "example" in SPEC["components"]["schemas"]["Error"]["properties"]["status"]


def test_nullable_admits_null_and_plain_does_not() -> None:
    nullable = openapi.to_json_schema(SPEC, {"type": "string", "nullable": True, "enum": ["a"]})
    assert nullable == {"type": ["string", "null"], "enum": ["a", None]}
    jsonschema.validate(None, nullable)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(None, openapi.to_json_schema(SPEC, {"type": "string"}))


def test_an_exclusive_bound_becomes_json_schemas_number() -> None:
    converted = openapi.to_json_schema(
        SPEC, {"type": "integer", "minimum": 0, "exclusiveMinimum": True, "maximum": 9}
    )
    assert converted == {"type": "integer", "exclusiveMinimum": 0, "maximum": 9}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(0, converted)


def test_a_ref_cycle_is_an_error_not_a_hang() -> None:
    spec = {"components": {"schemas": {"A": {"$ref": "#/components/schemas/A"}}}}
    with pytest.raises(ValueError, match="cannot resolve"):
        openapi.to_json_schema(spec, {"$ref": "#/components/schemas/A"})


def test_the_spec_copy_holds_the_paths_the_tool_calls() -> None:
    from tests.contract.test_contract import PATHS

    spec = openapi.load_spec()
    assert spec["openapi"].startswith("3.0")
    assert [p for p in PATHS if p not in spec["paths"]] == []
    assert openapi.body_schema("GET", "/audience/{id}", 404) is None  # no content given


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "--live needs SMALLEST_API_KEY"),
        ({"SMALLEST_API_KEY": "sk_x", "CI": "true"}, "--live never runs in CI"),
        ({"SMALLEST_API_KEY": "sk_x", "CI": "1"}, "--live never runs in CI"),
        ({"SMALLEST_API_KEY": "sk_x", "CI": "false"}, (LIVE_BASE_URL, "sk_x")),
        (
            {"SMALLEST_API_KEY": "sk_x", "AUDIENCE_BASE_URL": "https://api.india.smallest.ai/"},
            ("https://api.india.smallest.ai/atoms/v1", "sk_x"),
        ),
        (
            {"SMALLEST_API_KEY": "sk_x", "AUDIENCE_BASE_URL": "http://127.0.0.1:9/atoms/v1"},
            ("http://127.0.0.1:9/atoms/v1", "sk_x"),
        ),
    ],
)
def test_live_mode_needs_a_key_and_never_runs_in_ci(env: dict[str, str], expected: object) -> None:
    assert live_target_of(env) == expected


def test_without_live_the_sandbox_is_called(target: object) -> None:
    assert isinstance(target, SandboxTarget)
    assert target.base_url.startswith("http://127.0.0.1:")
