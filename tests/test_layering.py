"""The house's shape, checked from the source: apps depend downward only
(post_program < surveys < training < interactions < reporting), nothing imports reporting, no two
project modules import each other, and no module outgrows a reader.

Imports are read at every depth: an import inside a function counts as much as one at the top.
The composition roots that load apps by name (the URL conf, `seed_demo`, the import and export
registry) do so through strings, which is why they need no exception here.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ORDER = ["post_program", "surveys", "training", "interactions", "reporting"]
MAX_LINES = 800


def project_modules() -> dict[str, Path]:
    """Every project module outside migrations, by dotted name (a package by its own name)."""
    modules = {}
    for app in ORDER:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


@cache
def import_graph() -> dict[str, set[str]]:
    """For each project module, the project modules it imports, at any depth."""
    modules = project_modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                targets |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                for alias in node.names:
                    child = f"{base}.{alias.name}"
                    targets.add(child if child in modules else base)
        graph[name] = {target for target in targets if target in modules} - {name}
    return graph


def app_of(module: str) -> str:
    return module.split(".")[0]


@pytest.mark.parametrize("app", ORDER)
def test_apps_import_only_the_apps_before_them(app):
    before = set(ORDER[: ORDER.index(app)])
    offending = {
        module: sorted(extra)
        for module, targets in import_graph().items()
        if app_of(module) == app
        if (extra := {app_of(target) for target in targets} - before - {app})
    }
    assert not offending, f"{app} imports apps after it: {offending}"


def test_nothing_imports_reporting():
    users = [
        module
        for module, targets in import_graph().items()
        if app_of(module) != "reporting" and any(app_of(t) == "reporting" for t in targets)
    ]
    assert not users, f"{users} import reporting"


def test_the_survey_engine_knows_no_other_feature_app():
    users = {
        module: sorted(targets)
        for module, targets in import_graph().items()
        if app_of(module) == "surveys"
        if any(app_of(t) not in {"post_program", "surveys"} for t in targets)
    }
    assert not users


def test_no_two_modules_import_each_other():
    """No cycle of any length among project modules (Tarjan's strongly connected components)."""
    graph = import_graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    assert not cycles, f"modules that import each other: {cycles}"


def test_the_graph_sees_imports_inside_functions():
    """The scan is what the other tests stand on: it finds an import made inside a function
    (`AppConfig.ready` imports the middleware) and a relative one."""
    graph = import_graph()
    assert "post_program.middleware" in graph["post_program.apps"]
    assert "interactions.models" in graph["interactions.access"]


def test_no_module_outgrows_a_reader():
    long = {
        str(path.relative_to(ROOT)): lines
        for path in project_modules().values()
        if (lines := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines: {long}"
