"""Apps depend downward only: post_program < training < interactions < surveys < reporting,
and nothing imports reporting."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ORDER = ["post_program", "training", "interactions", "surveys", "reporting"]
# Access rules live in one module (house style). Its object fetchers (`get_<thing>_or_404`)
# load the models of the apps they guard inside the function, at call time; reporting is never
# among them.
LATE_IMPORTS = {"post_program/permissions.py": {"training", "interactions", "surveys"}}


def imported_apps(app: str) -> dict[str, set[str]]:
    """For each module of `app`, the other project apps it imports."""
    found: dict[str, set[str]] = {}
    for path in (ROOT / app).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = (names & set(ORDER)) - {app}
    return found


@pytest.mark.parametrize("app", ORDER)
def test_apps_import_only_the_apps_below_them(app):
    below = set(ORDER[: ORDER.index(app)])
    offending = {
        module: sorted(extra)
        for module, apps in imported_apps(app).items()
        if (extra := apps - below - LATE_IMPORTS.get(module, set()))
    }
    assert not offending, f"{app} imports apps above it: {offending}"


def test_nothing_imports_reporting():
    for app in ORDER[:-1]:
        users = [module for module, apps in imported_apps(app).items() if "reporting" in apps]
        assert not users, f"{users} import reporting"


def test_late_imports_are_inside_functions_only():
    """The permission module imports no app above it at load time."""
    path = ROOT / "post_program" / "permissions.py"
    top_level = {
        (node.module or "").split(".")[0]
        for node in ast.parse(path.read_text()).body
        if isinstance(node, ast.ImportFrom)
    }
    assert not top_level & set(ORDER[1:])
