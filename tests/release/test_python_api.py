"""The Python examples in docs/python-api.md run as written."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = re.findall(r"```python\n(.*?)```", (ROOT / "docs" / "python-api.md").read_text(), re.S)


@pytest.mark.parametrize("code", EXAMPLES, ids=[f"example-{i}" for i in range(len(EXAMPLES))])
def test_documented_example_runs(code, monkeypatch) -> None:
    """Each example asserts what it claims; running it is the test."""
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("HELM_DRIVER", raising=False)
    exec(compile(code, "docs/python-api.md", "exec"), {"__name__": "example"})  # noqa: S102 - our own docs
