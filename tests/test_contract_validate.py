"""The answer schemas doctor checks against (audience_cli/contract/): generated from the spec
copy for exactly the operations doctor calls, and the package's small validator held to
`jsonschema`'s verdicts and wording (jsonschema is a test dependency only)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audience_cli.contract import KEYWORDS, answer_schema, answer_schemas, first_mismatch
from audience_cli.core.doctor import SPEC_OPERATIONS
from tests.contract.openapi import body_schema, statuses

ROOT = Path(__file__).resolve().parent.parent


def test_the_file_holds_every_documented_answer_of_what_doctor_calls():
    assert list(answer_schemas()) == list(SPEC_OPERATIONS)
    for operation in SPEC_OPERATIONS:
        method, path = operation.split(" ", 1)
        documented = {s for s in statuses(method, path) if s.isdigit()}
        assert set(answer_schemas()[operation]) == documented, operation
        for status in documented:
            assert answer_schema(operation, int(status)) == body_schema(method, path, int(status))
    assert answer_schema("GET /dnc", 502) is None  # not in the spec: nothing to check
    assert answer_schema("DELETE /dnc", 200) is None


def test_the_package_reads_the_file_without_pyyaml():
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['yaml'] = None; sys.modules['jsonschema'] = None\n"
        "from audience_cli.contract import answer_schema\n"
        "print(answer_schema('GET /dnc', 200)['type'])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip() == "object", out.stderr


def generator() -> Any:
    spec = importlib.util.spec_from_file_location("generate", ROOT / "scripts" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_generator_refuses_a_keyword_the_validator_does_not_check():
    schema = {"type": "object", "properties": {"a": {"items": {"oneOf": [{"type": "string"}]}}}}
    with pytest.raises(SystemExit, match=r"GET /x 200\.a\[\]: keywords \['oneOf'\]"):
        generator().walk_schema(schema, "GET /x 200")
    generator().walk_schema(answer_schema("GET /dnc", 200), "GET /dnc 200")  # in the subset


DNC = answer_schema("GET /dnc", 200)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"status": True, "data": {"entries": [], "pagination": {"page": 1}}}, None),
        (
            {"status": True, "data": {"entries": [{"phoneNumber": None}]}},
            "data.entries[0].phoneNumber: None is not of type 'string'",
        ),
        ({"status": True, "data": {"entries": [{"detectedInCallId": None}]}}, None),  # nullable
        (
            {"status": True, "data": {"entries": [{"detectedInCallId": 3}]}},
            "data.entries[0].detectedInCallId: 3 is not of type 'string', 'null'",
        ),
        ({"data": {"pagination": {"page": 2.0}}}, None),  # integral, as jsonschema counts it
        (
            {"data": {"pagination": {"page": True}}},
            "data.pagination.page: True is not of type 'integer'",
        ),
        (
            {"data": {"pagination": {"page": 1.5}}},
            "data.pagination.page: 1.5 is not of type 'integer'",
        ),
        ([1, 2], "[1, 2] is not of type 'object'"),  # at the top: the message alone
        ({"status": "x" * 200}, "status: '" + "x" * 78 + "… is not of type 'boolean'"),  # cut
    ],
)
def test_first_mismatch_names_the_path_as_jsonschema_words_it(value, expected):
    assert first_mismatch(DNC, value) == expected


def test_required_and_enum_as_jsonschema_words_them():
    schema = {"type": "object", "required": ["id"], "properties": {"k": {"enum": ["a", 1]}}}
    assert first_mismatch(schema, {}) == "'id' is a required property"
    assert first_mismatch(schema, {"id": 1, "k": True}) == "k: True is not one of ['a', 1]"
    assert first_mismatch(schema, {"id": 1, "k": 1}) is None
    assert {"type", "properties", "items", "required", "enum"} <= KEYWORDS


LEAVES = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=4)
)


def shaped(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values near `schema`: its shape with any leaf anywhere, so both verdicts come up."""
    kinds = schema.get("type")
    if kinds == "object" and "properties" in schema:
        fields = {k: shaped(v) for k, v in schema["properties"].items()}
        return LEAVES | st.fixed_dictionaries({}, optional=fields)
    if kinds == "array" and "items" in schema:
        return LEAVES | st.lists(shaped(schema["items"]), max_size=3)
    return LEAVES


SCHEMAS = [
    (operation, status, schema)
    for operation, by_status in answer_schemas().items()
    for status, schema in by_status.items()
]


@pytest.mark.parametrize(("operation", "status", "schema"), SCHEMAS)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_the_validator_agrees_with_jsonschema(operation, status, schema, data):
    value = data.draw(shaped(schema))
    value = json.loads(json.dumps(value))  # as decoded from an answer
    errors = [
        (".".join(str(p) for p in e.absolute_path), e.message)
        for e in jsonschema.Draft7Validator(schema).iter_errors(value)
    ]
    found = first_mismatch(schema, value)
    if not errors:
        assert found is None
        return
    assert found is not None
    jsonschema_lines = {
        f"{_dotted(path)}: {message}" if path else message for path, message in errors
    }
    assert found in jsonschema_lines  # the leaves are short: no value is cut


def _dotted(path: str) -> str:
    out = ""
    for part in path.split("."):
        out += f"[{part}]" if part.isdigit() else (f".{part}" if out else part)
    return out
