from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[..., str]:
    """write_file(content, name="in.csv"): the path of a new file (text is written as UTF-8)."""

    def write(content: bytes | str, name: str = "in.csv") -> str:
        path = tmp_path / name
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return str(path)

    return write
