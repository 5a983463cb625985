"""json_text.indented writes what json.dumps(indent=2) writes, byte for byte."""

from __future__ import annotations

import json
import math

from hypothesis import given
from hypothesis import strategies as st

from audience_cli.json_text import indented

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text()
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(values)
def test_the_same_text_as_json_dumps(value: object) -> None:
    assert indented(value) == json.dumps(value, indent=2, ensure_ascii=False)


@given(values)
def test_placed_at_a_level_every_line_after_the_first_is_prefixed(value: object) -> None:
    expected = json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n    ")
    assert indented(value, "    ") == expected


def test_what_it_does_not_write_itself_falls_back_to_json() -> None:
    assert indented({1: (2, 3), "x": math.inf}) == json.dumps(
        {1: (2, 3), "x": math.inf}, indent=2, ensure_ascii=False
    )
    assert indented({"é": "\u2028\x00"}) == '{\n  "é": "\u2028\\u0000"\n}'
