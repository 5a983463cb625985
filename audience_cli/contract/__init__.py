"""The vendor's published contract, as much of it as the tool carries at run time: the JSON
Schemas of the answers `doctor` reads (`answer_schemas.json`, generated from the spec copy
in tests/contract/ by scripts/generate.py) and a validator for the keywords they use.

A leaf: imports nothing of the tool, and no YAML or JSON Schema library (only the
generator reads the spec)."""

from audience_cli.contract.schemas import answer_schema, answer_schemas
from audience_cli.contract.validate import KEYWORDS, first_mismatch

__all__ = ["KEYWORDS", "answer_schema", "answer_schemas", "first_mismatch"]
