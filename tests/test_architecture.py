"""The architecture contracts (pyproject.toml, [tool.importlinter]) and the private-name rule:
reporting and portal import no domain app, services and selectors never import views, the API or
forms, and no app imports another app's private (underscored) names."""

import ast
from pathlib import Path

import pytest
from importlinter.cli import EXIT_STATUS_SUCCESS, lint_imports

ROOT = Path(__file__).resolve().parent.parent
APPS = ("portal", "funding", "projects", "inventory", "reporting")


def test_the_import_contracts_hold():
    status = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True)
    assert status == EXIT_STATUS_SUCCESS, "lint-imports: a contract is broken (its report is above)"


def _private_imports_across_apps():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.ImportFrom) or not node.module:
                    continue
                other = node.module.split(".")[0]
                if other in APPS and other != app:
                    for alias in node.names:
                        if alias.name.startswith("_") or any(
                            p.startswith("_") for p in node.module.split(".")
                        ):
                            yield f"{path.relative_to(ROOT)}: from {node.module} import {alias.name}"


@pytest.mark.parametrize("app", APPS)
def test_no_app_imports_another_apps_private_names(app):
    found = [line for line in _private_imports_across_apps() if line.startswith(f"{app}/")]
    assert found == []
