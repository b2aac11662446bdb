"""The shape of the engine package: no import cycle between its subpackages, and the distributions it
declares are exactly the ones it imports.

Imports are read statically (every ``import`` statement in every module, including those inside functions,
which are how slow imports are deferred and also how a cycle hides)."""
from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parent.parent
ENGINE = ROOT / "engine"


def imported_modules(path: Path, root: Path = ROOT) -> set[str]:
    """Absolute names of every module ``path`` (below ``root``) imports, anywhere in the file; a package whose
    data files are read with ``importlib.resources.files(NAME)`` counts as imported."""
    module = ".".join(path.relative_to(root).with_suffix("").parts)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(), str(path))
    constants = {target.id: node.value.value for node in tree.body if isinstance(node, ast.Assign)
                 and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
                 for target in node.targets if isinstance(target, ast.Name)}
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "files" \
                and node.args:
            argument = node.args[0]
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                names.add(argument.value)
            elif isinstance(argument, ast.Name) and argument.id in constants:
                names.add(constants[argument.id])
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([node.module] if node.module else []))
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    names.discard(module.removesuffix(".__init__"))
    return names


def subpackage_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "engine" or len(parts) < 2 or not (ENGINE / parts[1]).is_dir():
        return None
    return parts[1]


def subpackage_graph() -> nx.DiGraph:
    """engine's subpackages, an edge A → B (with the importing files) where a module of A imports B."""
    graph = nx.DiGraph()
    for path in ENGINE.rglob("*.py"):
        source = subpackage_of(".".join(path.relative_to(ROOT).parts))
        if source is None:
            continue
        graph.add_node(source)
        for target in filter(None, map(subpackage_of, imported_modules(path))):
            if target != source:
                graph.add_edge(source, target)
                graph.edges[source, target].setdefault("files", set()).add(str(path.relative_to(ROOT)))
    return graph


def test_subpackages_import_each_other_without_cycles() -> None:
    graph = subpackage_graph()
    assert {"render", "repo", "registry", "stack", "cli"} <= set(graph)  # the walk found the package
    cycles = [[f"{a} -> {b} ({', '.join(sorted(graph.edges[a, b]['files']))})" for a, b in zip(c, c[1:] + c[:1])]
              for c in nx.simple_cycles(graph)]
    assert cycles == []


def test_a_cycle_through_a_function_level_import_is_seen(tmp_path) -> None:
    (tmp_path / "engine" / "a").mkdir(parents=True)
    (tmp_path / "engine" / "a" / "m.py").write_text("def f():\n    from ..b import n\n    from engine.b.n import g\n")
    found = imported_modules(tmp_path / "engine" / "a" / "m.py", tmp_path)
    assert {"engine.b", "engine.b.n", "engine.b.n.g"} <= found


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_declared_dependencies_are_exactly_the_imported_ones() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {_normal(re.split(r"[<>=!~;\[ ]", spec, maxsplit=1)[0]) for spec in project["dependencies"]}
    top_level = {name.split(".")[0] for path in ENGINE.rglob("*.py") for name in imported_modules(path)}
    third_party = {name for name in top_level if name and name not in sys.stdlib_module_names and name != "engine"}
    distributions = importlib.metadata.packages_distributions()
    unknown = sorted(name for name in third_party if name not in distributions)
    assert unknown == [], f"imported but not installed: {unknown}"
    imported = {_normal(dist) for name in third_party for dist in distributions[name]}
    assert sorted(imported - declared) == [], "imported but not declared in pyproject.toml"
    assert sorted(declared - imported) == [], "declared in pyproject.toml but never imported"
