"""The vendor's OpenAPI description, read with pyyaml, its schemas made JSON Schema.

`atoms-openapi.yaml` beside this file is the vendor's copy of 2026-08-21 (its documentation
repository, `fern/apis/atoms/openapi/openapi.yaml`); replace it with a newer copy and the
contract tests say what changed for the paths the tool calls or the sandbox serves.

OpenAPI 3.0's schema objects are nearly JSON Schema (draft 4/7); what differs here:
`nullable: true` (JSON Schema: `"null"` among the types), `$ref` to
`#/components/...` (resolved inline), and keys JSON Schema does not know (`example`,
`x-*`, `discriminator`…), dropped.
"""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

import yaml

SPEC_FILE = Path(__file__).with_name("atoms-openapi.yaml")
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
# What OpenAPI 3.0 schema objects hold that JSON Schema does not read.
DROPPED = {"example", "examples", "nullable", "discriminator", "readOnly", "writeOnly", "xml",
           "externalDocs", "deprecated", "description", "title"}  # fmt: skip
NESTED_ONE = ("items", "not", "additionalProperties")
NESTED_MANY = ("allOf", "anyOf", "oneOf")


@cache
def load_spec() -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with SPEC_FILE.open(encoding="utf-8") as f:
        spec: dict[str, Any] = yaml.load(f, Loader=loader)
    return spec


def resolve(spec: dict[str, Any], node: Any) -> Any:
    """`node`, or what its `$ref` (`#/components/...`) points to, followed to the end."""
    seen: set[str] = set()
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        if not ref.startswith("#/") or ref in seen:
            raise ValueError(f"cannot resolve {ref!r}")
        seen.add(ref)
        node = spec
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def to_json_schema(spec: dict[str, Any], schema: Any, _depth: int = 0) -> Any:
    """An OpenAPI 3.0 schema object as a JSON Schema (a new object; `spec` is untouched)."""
    if _depth > 50:
        raise ValueError("schema nests too deep (a $ref cycle?)")
    schema = resolve(spec, schema)
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in DROPPED or key.startswith("x-"):
            continue
        if key == "properties":
            out[key] = {n: to_json_schema(spec, s, _depth + 1) for n, s in value.items()}
        elif key in NESTED_ONE and isinstance(value, dict):
            out[key] = to_json_schema(spec, value, _depth + 1)
        elif key in NESTED_MANY:
            out[key] = [to_json_schema(spec, s, _depth + 1) for s in value]
        elif key in ("exclusiveMinimum", "exclusiveMaximum") and isinstance(value, bool):
            continue  # 3.0's flag on the bound: below, the bound itself in JSON Schema
        else:
            out[key] = copy.deepcopy(value)
    if schema.get("nullable") is True:
        kind = out.get("type")
        if isinstance(kind, str):
            out["type"] = [kind, "null"]
        if "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
    for flag, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if schema.get(flag) is True and bound in out:
            out[flag] = out.pop(bound)
    return out


def operations(paths: tuple[str, ...]) -> set[tuple[str, str]]:
    """Every (METHOD, path) the spec defines on `paths`."""
    spec = load_spec()
    found: set[tuple[str, str]] = set()
    for path in paths:
        item = resolve(spec, spec["paths"].get(path, {}))
        found.update((m.upper(), path) for m in item if m in METHODS)
    return found


def operation(method: str, path: str) -> dict[str, Any]:
    spec = load_spec()
    op: dict[str, Any] = resolve(spec, spec["paths"][path][method.lower()])
    return op


def statuses(method: str, path: str) -> set[str]:
    """The status codes the spec lists for the operation, as written (`"200"`…)."""
    return {str(code) for code in operation(method, path)["responses"]}


def response(method: str, path: str, status: int) -> dict[str, Any]:
    """The spec's response object for `status` (its `default` when the code is absent)."""
    responses = operation(method, path)["responses"]
    chosen = next((r for code, r in responses.items() if str(code) == str(status)), None)
    if chosen is None:
        chosen = responses.get("default")
    if chosen is None:
        raise KeyError(f"{method} {path} lists no {status}")
    resolved: dict[str, Any] = resolve(load_spec(), chosen)
    return resolved


def body_schema(
    method: str, path: str, status: int, media: str = "application/json"
) -> dict[str, Any] | None:
    """The JSON Schema of the body of `status` in `media`; None when the spec gives none."""
    content = response(method, path, status).get("content") or {}
    entry = content.get(media)
    if not entry or "schema" not in entry:
        return None
    converted: dict[str, Any] = to_json_schema(load_spec(), entry["schema"])
    return converted
