"""``create``: scaffold a new chart with the same files and content as ``helm create``."""
from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from engine.chart.errors import ChartError

PLACEHOLDER = "<CHARTNAME>"
# starter file → path in the new chart (the package stores .helmignore without its dot)
_RENAMES = {"helmignore": ".helmignore"}


def _starter_files() -> list[tuple[str, str]]:
    root = resources.files("engine.chart").joinpath("starter")
    out: list[tuple[str, str]] = []

    def walk(node, prefix: str) -> None:
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            relative = f"{prefix}{child.name}"
            if child.is_dir():
                walk(child, relative + "/")
            else:
                out.append((_RENAMES.get(relative, relative), child.read_text(encoding="utf-8")))
    walk(root, "")
    return out


def create_chart(name: str, dest_dir: str = ".") -> Path:
    """Write the starter chart ``name`` into ``dest_dir``; refuses a name that is a path or already a file."""
    if not name or os.path.basename(name) != name:
        raise ChartError(f'chart name "{name}" is invalid')
    chart_dir = Path(dest_dir) / name
    if chart_dir.exists() and not chart_dir.is_dir():
        raise ChartError(f"file {chart_dir} already exists and is not a directory")
    if not Path(dest_dir).exists():
        raise ChartError(f"stat {dest_dir}: no such file or directory")
    (chart_dir / "charts").mkdir(parents=True, exist_ok=True)
    for relative, text in _starter_files():
        target = chart_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text.replace(PLACEHOLDER, name), encoding="utf-8")
    return chart_dir
